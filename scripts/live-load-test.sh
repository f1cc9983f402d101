#!/usr/bin/env bash
# Live capture load test: replays a capture with tcpreplay at rising rates
# into a veth pair inside a network namespace made for the test, while
# flowtap captures the other end live with DPI on, and finds the highest
# rate at which nothing was dropped (kernel drops: the capture ring was full;
# helper drops: packets that passed while tcpdump was restarting). Prints a
# table. Slow (about 20 s per rate); not part of `npm test`.
#
#   scripts/live-load-test.sh [-n workers] [--pcap file] [--mbps "50 100 ..."]
#       [--pps "10000 20000 ..."] [--duration s] [--loop n] [--capture-buffer size]
#       [--immediate] [--cmd runner|cli] [--keep-going]
#
#   -n N              worker threads given to flowtap (default 1): with N > 1
#                     the capture thread dispatches packets to N workers by
#                     address pair (README.md "Several cores"); --cmd cli only
#   --pcap F          input (default bench/data/bench.pcap, else
#                     samples/sample.pcap looped)
#   --mbps "R ..."    rates in Mbit/s (default "25 50 100 200 300 400 600 800")
#   --pps "R ..."     rates in packets/s instead
#   --duration S      seconds of replay per rate (default 15)
#   --loop N          replay the input N times per rate (default 1; the
#                     replay also stops after --duration): at high rates the
#                     bench input lasts only a few seconds
#   --capture-buffer  kernel capture buffer per interface (default flowtap's)
#   --immediate       tcpdump --immediate-mode (--cmd runner only)
#   --cmd cli|runner  capture with the flowtap bin, `dist/cli.js -i` (default), or with
#                     test/capture/live-runner.js; both print --stats-json
#                     with a "capture" array
#   --keep-going      do not stop after two failing rates in a row
#
# Columns: the requested rate; what tcpreplay achieved (Mbit/s, packets/s);
# packets sent; "before capture": sent but not received by the capture
# point (veth/backlog drops, and frames tcpreplay could not send); kernel and
# helper drops (tcpdump's counters, see src/capture/tcpdump.ts); packets
# flowtap processed; ok = no kernel or helper drop and every packet the
# kernel filter accepted reached flowtap.
#
# Needs root, iproute2, tcpreplay, node, and a build (npm run build &&
# npm run build:test). The machine may be shared: the load average is
# printed before and after, and figures from a busy machine are lower bounds.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
workers=1
pcap=""
unit="mbps"
rates="25 50 100 200 300 400 600 800"
duration=15
capbuf=""
immediate=""
cmd="cli"
keep_going=0
loop=""

die() { printf 'live-load-test: %s\n' "$*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) workers="$2"; shift 2 ;;
    --pcap) pcap="$2"; shift 2 ;;
    --mbps) unit="mbps"; rates="$2"; shift 2 ;;
    --pps) unit="pps"; rates="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --loop) loop="$2"; shift 2 ;;
    --capture-buffer) capbuf="$2"; shift 2 ;;
    --immediate) immediate="--immediate"; shift ;;
    --cmd) cmd="$2"; shift 2 ;;
    --keep-going) keep_going=1; shift ;;
    -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, packet capture)"
command -v tcpreplay >/dev/null || die "needs tcpreplay (apt-get install tcpreplay)"
command -v ip >/dev/null || die "needs iproute2"
[[ "$workers" =~ ^[0-9]+$ && "$workers" -ge 1 ]] || die "-n: expected a whole number >= 1"

case "$cmd" in
  runner)
    capture=(node "$here/build/test/capture/live-runner.js")
    [[ -f "${capture[1]}" ]] || die "build first: npm run build && npm run build:test"
    [[ "$workers" -eq 1 ]] || die "-n $workers: the runner is single-threaded; worker threads run in the flowtap command (--cmd cli)"
    ;;
  cli)
    capture=("$here/dist/cli.js")
    [[ -x "${capture[0]}" ]] || die "build first: npm run build"
    ;;
  *) die "--cmd: expected runner or cli" ;;
esac
[[ -z "$immediate" || "$cmd" == "runner" ]] || die "--immediate: the flowtap command has no such option; use --cmd runner"

if [[ -z "$pcap" ]]; then
  if [[ -s "$here/bench/data/bench.pcap" ]]; then
    pcap="$here/bench/data/bench.pcap"
  else
    pcap="$here/samples/sample.pcap"
    [[ -n "$loop" ]] || loop=100000
  fi
fi
[[ -r "$pcap" ]] || die "cannot read $pcap"
[[ -n "$loop" ]] || loop=1

tag="$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ns="ft-load-$tag"
src="ftl${tag}i"
cap="ftl${tag}c"
work="$(mktemp -d /tmp/flowtap-load.XXXXXX)"
capture_pid=""

cleanup() {
  if [[ -n "$capture_pid" ]] && kill -0 "$capture_pid" 2>/dev/null; then kill -KILL "$capture_pid" 2>/dev/null || true; fi
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add "$src" type veth peer name "$cap"
for i in "$src" "$cap"; do
  ip -n "$ns" link set "$i" addrgenmode none
  ip -n "$ns" link set "$i" mtu 65000 up
done

counter() { ip netns exec "$ns" cat "/sys/class/net/$1/statistics/$2"; }

args=(-i "$cap" -w /dev/null --stats-json)
[[ "$cmd" == "cli" ]] && args+=(-n "$workers")
[[ -n "$capbuf" ]] && args+=(--capture-buffer "$capbuf")
[[ -n "$immediate" ]] && args+=("$immediate")

echo "live load test: $pcap (loop $loop), ${duration} s per rate, $workers worker(s), capture by $cmd${immediate:+, immediate mode}${capbuf:+, capture buffer $capbuf}"
echo "host: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: figures are lower bounds)"
printf '%-10s %10s %10s %10s %8s %8s %8s %10s %s\n' "rate" "Mbit/s" "pkt/s" "sent" "before" "kernel" "helper" "flowtap" "ok"

best=""
fails=0
for rate in $rates; do
  : >"$work/err"
  ip netns exec "$ns" "${capture[@]}" "${args[@]}" 2>"$work/err" &
  capture_pid=$!
  for _ in $(seq 1 200); do
    grep -q "capturing on" "$work/err" && break
    kill -0 "$capture_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "capturing on" "$work/err"; then
    cat "$work/err" >&2
    die "the capture did not start"
  fi
  txd0=$(counter "$src" tx_dropped)
  ip netns exec "$ns" tcpreplay -i "$src" "--$unit=$rate" --duration="$duration" --loop="$loop" --no-flow-stats "$pcap" >"$work/replay" 2>&1 || true
  txd1=$(counter "$src" tx_dropped)
  sleep 1
  kill -TERM "$capture_pid"
  wait "$capture_pid" || true
  capture_pid=""
  sent=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$work/replay" | head -1)
  failed=$(sed -n 's/.*Failed packets: *\([0-9]*\).*/\1/p' "$work/replay" | head -1)
  mbps=$(sed -n 's/^Rated: .* \([0-9.]*\) Mbps, \([0-9.]*\) pps.*/\1/p' "$work/replay" | head -1)
  pps=$(sed -n 's/^Rated: .* \([0-9.]*\) Mbps, \([0-9.]*\) pps.*/\2/p' "$work/replay" | head -1)
  stats=$(grep '^{' "$work/err" | tail -1 || true)
  if [[ -z "$stats" || -z "$sent" ]]; then
    cat "$work/replay" "$work/err" >&2
    die "no statistics from tcpreplay or flowtap at rate $rate"
  fi
  read -r received captured kernel helper processed <<<"$(node -e '
    const s = JSON.parse(process.argv[1]);
    const c = s.capture.reduce((a, x) => ({ received: a.received + x.received, captured: a.captured + x.captured, kernel: a.kernel + x.kernelDrops, helper: a.helper + x.gapPackets }), { received: 0, captured: 0, kernel: 0, helper: 0 });
    console.log(c.received, c.captured, c.kernel, c.helper, s.packets);' "$stats")"
  before=$(( sent + ${failed:-0} - received ))
  (( before < 0 )) && before=0
  before_veth=$(( txd1 - txd0 ))
  ok="yes"
  if (( kernel > 0 || helper > 0 || processed < captured )); then ok="NO"; fi
  printf '%-10s %10s %10s %10s %8s %8s %8s %10s %s\n' "$rate" "${mbps:-?}" "${pps:-?}" "$sent" "$before" "$kernel" "$helper" "$processed" "$ok"
  (( before_veth > 0 )) && echo "           ($before_veth dropped by the veth before the capture point)"
  if [[ "$ok" == "yes" ]]; then
    best="$rate $unit (achieved ${mbps:-?} Mbit/s, ${pps:-?} packets/s)"
    fails=0
  else
    fails=$(( fails + 1 ))
    (( keep_going == 0 && fails >= 2 )) && break
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "highest rate with zero drops ($workers worker(s), DPI on): ${best:-none of the rates tried}"
