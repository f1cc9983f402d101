#!/usr/bin/env bash
# Throughput benchmark: flowtap vs ndpiReader vs tcpdump on bench/data/bench.pcap.
# Run it as `npm run bench` (which builds dist/ first). See bench/README.md.
#
# Environment:
#   BENCH_ROUNDS   rounds of interleaved runs, A B C A B C ... (default 3)
#   BENCH_NO_DOCS  if set, print the table but do not rewrite docs/benchmarks.md
#   (build-input.sh's variables, e.g. BENCH_CORPUS, are passed through)
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"
rounds="${BENCH_ROUNDS:-3}"
pcap="bench/data/bench.pcap"
out="bench/out"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer, got '$rounds'"

# GNU time gives wall time and peak RSS; bash's `time` keyword gives no RSS.
if ! [[ -x /usr/bin/time ]] || ! /usr/bin/time --version 2>&1 | grep -q GNU; then
  die "GNU time not found at /usr/bin/time: install it with 'apt-get install time'"
fi
if [[ -x /usr/bin/python3 ]]; then python=/usr/bin/python3
elif command -v python3 >/dev/null; then python=python3
else die "python3 not found: install it with 'apt-get install python3'"; fi
command -v capinfos >/dev/null || die "capinfos not found: install it with 'apt-get install wireshark-common'"

bash bench/build-input.sh

# --- the contenders ----------------------------------------------------------
names=() cmds=()
if [[ -f dist/cli.js ]]; then
  # Run as the flowtap bin runs: the file itself, so its shebang's node flags apply (src/cli.ts).
  names+=(flowtap); cmds+=("dist/cli.js -r $pcap --format jsonl -w /dev/null -q")
else
  log "dist/cli.js does not exist (the CLI is not written yet?): skipping flowtap"
fi
if command -v ndpiReader >/dev/null; then
  # -q: quiet; with no -w/-C/-j/-x ndpiReader writes no results anywhere.
  names+=(ndpiReader); cmds+=("ndpiReader -q -i $pcap")
else
  log "ndpiReader not found: skipping it (install it with 'apt-get install libndpi-bin')"
fi
if command -v tcpdump >/dev/null; then
  names+=(tcpdump); cmds+=("tcpdump -r $pcap -w /dev/null")
else
  log "tcpdump not found: skipping it (install it with 'apt-get install tcpdump')"
fi
((${#names[@]})) || die "nothing to run"

# --- input figures -------------------------------------------------------------
# capinfos "Data size" is the sum of the packets' original (wire) lengths.
read -r packets bytes < <(capinfos -T -r -c -d "$pcap" | awk -F'\t' '{print $2, $3}')
log "input: $pcap, $packets packets, $bytes wire bytes"

mkdir -p "$out"
results="$out/results.tsv"
printf 'round\ttool\twall_s\tuser_s\tsys_s\tmaxrss_kib\texit\n' > "$results"

# Warm the page cache so round 1's first contender does not pay for the disk.
cat "$pcap" > /dev/null

# --- interleaved rounds --------------------------------------------------------
for ((r = 1; r <= rounds; r++)); do
  for i in "${!names[@]}"; do
    name="${names[$i]}" cmd="${cmds[$i]}"
    tf="$out/time.$name.txt"
    rc=0
    # shellcheck disable=SC2086  # the command is word-split on purpose
    /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$tf" $cmd > "$out/stdout.$name.txt" 2> "$out/stderr.$name.txt" || rc=$?
    # GNU time prepends "Command exited with non-zero status N" on failure.
    line="$(tail -n 1 "$tf")"
    printf '%d\t%s\t%s\t%d\n' "$r" "$name" "$line" "$rc" >> "$results"
    IFS=$'\t' read -r wall _ _ rss <<< "$line"
    if ((rc)); then
      log "round $r/$rounds  $name: FAILED (exit $rc), see $out/stderr.$name.txt"
      tail -n 5 "$out/stderr.$name.txt" | sed 's/^/    /' >&2
    else
      log "round $r/$rounds  $name: ${wall}s, peak RSS ${rss} KiB"
    fi
  done
done

# --- report ------------------------------------------------------------------
args=(--results "$results" --packets "$packets" --bytes "$bytes" --pcap "$pcap" --rounds "$rounds")
for i in "${!names[@]}"; do args+=(--command "${names[$i]}=${cmds[$i]}"); done
[[ -z "${BENCH_NO_DOCS:-}" ]] && args+=(--docs docs/benchmarks.md)
"$python" bench/report.py "${args[@]}"
