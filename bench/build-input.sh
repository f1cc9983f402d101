#!/usr/bin/env bash
# Build bench/data/bench.pcap, the throughput benchmark's input, from the nDPI
# pcap corpus. See bench/README.md.
#
#   1. select the corpus captures whose encapsulation is Ethernet (capinfos -E),
#      skipping fuzz-* files and anything tcpdump or editcap cannot read;
#   2. convert each to classic pcap (editcap -F pcap; pcapng -> pcap);
#   3. put them on one monotonic packet clock, one capture after the other
#      (bench/retime.py), and concatenate them (mergecap -a) into base.pcap;
#   4. make N copies of base.pcap, copy k with addresses remapped by
#      `tcprewrite --seed=k` (so flows stay distinct) and shifted in time to
#      start where copy k-1 ends (editcap -t), and concatenate them (mergecap -a).
#      N = max(BENCH_COPIES_MIN, enough copies to pass BENCH_MIN_PACKETS).
#
# Why the retiming: mergecap's default chronological merge would interleave
# captures by their original dates (2010..2024) and plain `mergecap -a` gives
# a clock that jumps back and forth by years. A flow meter expires idle flows
# on the packet clock, so either way it would see nonsense: everything expiring
# at each forward jump, nothing expiring after a backward jump, and 20 copies
# with identical timestamps. After retiming, time only moves forward, gaps
# inside a capture are the original ones (capped at 1 h), and captures follow
# each other 1 s apart, so flows expire the way they did in the original
# traffic and the flow table holds a realistic working set, not the whole file.
#
# Idempotent: does nothing if bench.pcap exists and is newer than this script
# and retime.py. BENCH_FORCE=1 rebuilds anyway.
#
# Environment:
#   BENCH_CORPUS       corpus directory (default: <repo>/../shared/corpus/ndpi/pcap)
#   BENCH_MIN_PACKETS  minimum packet count of the output (default 2000000)
#   BENCH_COPIES_MIN   minimum number of copies (default 20)
#   BENCH_FORCE=1      rebuild even if the output is up to date
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
corpus="${BENCH_CORPUS:-$(dirname "$0")/../../shared/corpus/ndpi/pcap}"
min_packets="${BENCH_MIN_PACKETS:-2000000}"
copies_min="${BENCH_COPIES_MIN:-20}"
data="$here/data"
out="$data/bench.pcap"
work="$data/work"
# Synthetic clock origin: 2024-01-01T00:00:00Z.
start_epoch=1704067200

log() { printf 'build-input: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- up to date? -----------------------------------------------------------
if [[ -z "${BENCH_FORCE:-}" && -s "$out" && "$out" -nt "$here/build-input.sh" && "$out" -nt "$here/retime.py" ]]; then
  log "$out is up to date (newer than build-input.sh and retime.py); not rebuilding (BENCH_FORCE=1 to force)"
  capinfos -c -s -M "$out" | sed -n "s/^\(Number of packets\|File size\): */  \1: /p" || true
  exit 0
fi

# --- tools -----------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install $2)"); }
need capinfos wireshark-common
need editcap wireshark-common
need mergecap wireshark-common
need tcprewrite tcpreplay
need tcpdump tcpdump
if [[ -x /usr/bin/python3 ]]; then python=/usr/bin/python3; else need python3 python3; python=python3; fi
if ((${#missing[@]})); then
  for m in "${missing[@]}"; do log "missing tool: $m"; done
  die "install the packages above and re-run"
fi
[[ -d "$corpus" ]] || die "corpus directory not found: $corpus (set BENCH_CORPUS)"
corpus="$(cd "$corpus" && pwd)"

t0=$SECONDS
log "building $out from $corpus"
rm -rf "$work"
mkdir -p "$work/conv" "$work/timed" "$work/copies"

# --- 1+2: select and convert -----------------------------------------------
n_eth=0 n_fuzz=0 n_encap=0 n_bad=0
skipped_encap=()
shopt -s nullglob
for f in "$corpus"/*.pcap "$corpus"/*.pcapng "$corpus"/*.cap; do
  name="$(basename "$f")"
  if [[ "$name" == fuzz-* ]]; then n_fuzz=$((n_fuzz + 1)); continue; fi
  # capinfos -T -r -E prints "<file>\t<encapsulation>", e.g. "ether", "linux-sll".
  encap="$(capinfos -T -r -E -- "$f" 2>/dev/null | awk -F'\t' 'NR==1{print $NF}')" || encap=""
  if [[ -z "$encap" ]]; then n_bad=$((n_bad + 1)); log "skip (capinfos cannot read): $name"; continue; fi
  if [[ "$encap" != ether ]]; then n_encap=$((n_encap + 1)); skipped_encap+=("$name:$encap"); continue; fi
  if ! tcpdump -r "$f" -w /dev/null 2>/dev/null; then
    n_bad=$((n_bad + 1)); log "skip (tcpdump rejects it): $name"; continue
  fi
  if ! editcap -F pcap -- "$f" "$work/conv/${name%.*}.pcap" 2>/dev/null; then
    n_bad=$((n_bad + 1)); log "skip (editcap cannot convert it): $name"; continue
  fi
  n_eth=$((n_eth + 1))
done
log "selected $n_eth Ethernet captures; skipped $n_fuzz fuzz-*, $n_encap other encapsulations, $n_bad unreadable"
((${#skipped_encap[@]})) && log "  other encapsulations: ${skipped_encap[*]}"
((n_eth > 0)) || die "no usable Ethernet capture in $corpus"

# --- 3: one clock, concatenate ---------------------------------------------
conv=("$work"/conv/*.pcap)
retime_out="$("$python" "$here/retime.py" --start "$start_epoch" --max-gap 3600 --boundary-gap 1 \
  --out-dir "$work/timed" "${conv[@]}")"
printf '%s\n' "$retime_out" | grep -v '^period ' | sed 's/^/build-input: /' >&2
period="$(printf '%s\n' "$retime_out" | awk '/^period /{print $2}')"
mergecap -a -F pcap -w "$work/base.pcap" "$work"/timed/*.pcap
rm -rf "$work/conv" "$work/timed"
base_packets="$(capinfos -T -r -c "$work/base.pcap" | awk -F'\t' '{print $2}')"
log "base.pcap: $base_packets packets, timeline $period s per copy"

# --- 4: remapped, time-shifted copies --------------------------------------
copies=$(( (min_packets + base_packets - 1) / base_packets ))
((copies < copies_min)) && copies=$copies_min
# One more if tcprewrite dropping a packet could leave us just short.
((copies * base_packets < min_packets)) && copies=$((copies + 1))
log "making $copies copies (tcprewrite --seed=1..$copies, each shifted by $period s)"
parts=()
for ((k = 1; k <= copies; k++)); do
  part="$work/copies/$(printf '%03d' "$k").pcap"
  shift_s="$(awk -v k="$k" -v p="$period" 'BEGIN{printf "%.6f", (k-1)*p}')"
  # tcprewrite warns (once per packet, per copy) about the checksums it cannot
  # recompute (IP-in-IP, truncated ICMP); the packets are kept unchanged.
  tcprewrite --seed="$k" -i "$work/base.pcap" -o "$part.tmp" 2>> "$work/tcprewrite.log" ||
    { cat "$work/tcprewrite.log" >&2; die "tcprewrite failed on copy $k"; }
  editcap -t "$shift_s" -F pcap "$part.tmp" "$part"
  rm -f "$part.tmp"
  parts+=("$part")
done
warnings="$(grep -c '^Warning' "$work/tcprewrite.log" || true)"
((warnings)) && log "tcprewrite: $warnings warnings about checksums it cannot recompute (packets kept as they are)"
mergecap -a -F pcap -w "$out.tmp" "${parts[@]}"
mv -f "$out.tmp" "$out"
rm -rf "$work"

packets="$(capinfos -T -r -c "$out" | awk -F'\t' '{print $2}')"
((packets >= min_packets)) || log "warning: only $packets packets (< $min_packets)"
log "done in $((SECONDS - t0)) s"
# (-M: exact numbers; the "Packet size limit" line is capinfos' guess, not useful.)
capinfos -c -s -d -u -a -e -M "$out" | grep -v 'Packet size limit'
