#!/usr/bin/env bash
# Installs what flowtap and its tests need on Debian 12 with Node.js 20:
#   - system tools from Debian: tcpdump (compiles -f BPF filters; decoding
#     cross-checks) and tshark with wireshark-common (editcap/mergecap/capinfos;
#     cross-checks of decoding and community IDs);
#   - the real peers the export, alert and live-capture tests talk to:
#     clickhouse-server/-client, nfdump (nfcapd), python3-msgpack and
#     python3-fluent-logger (forward-protocol receivers/senders), iproute2
#     (network namespaces), curl, openssl, openssh-server/-client, dnsutils,
#     nmap;
#   - the npm dependencies, exactly as locked (npm ci), which also builds dist/.
# Uses sudo for apt-get when not run as root. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(tcpdump tshark wireshark-common clickhouse-server clickhouse-client nfdump python3-msgpack python3-fluent-logger iproute2 curl openssl openssh-server openssh-client dnsutils nmap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
