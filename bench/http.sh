#!/usr/bin/env bash
# System benchmark on loopback, every row in the same run: requests/s of a monitored sample
# application next to the same app unmonitored and a bare server (the ceiling), plus the
# latency probe's CPU cost.
#
# Usage: bench/http.sh [seconds per run, default 10] [std|smol, default std]
#   std:  examples/sample_application (the bounded server; --tiny-http: inside tiny-http, 2
#         workers) vs examples/bare_tiny_http
#   smol: examples/smol_application (one executor thread) vs the same with --uninstrumented
#         vs examples/bare_smol_http, as written with smol's TcpListener/TcpStream and with
#         --tuned (the same I/O policy as the monitor's server: the ceiling for a page's cost)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
backend=${2:-std}
cargo build -q --release -p mutornadomon-examples --examples
bin=target/release/examples
command -v wrk > /dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }

start() { # name, command...
  local log="target/bench-$1.log"; shift
  "$@" > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
  sleep 0.2
  # A server that did not start (say, its port held by a stale one) must not be measured in
  # its place: the stale one could be an old build.
  kill -0 "$pid" 2> /dev/null || { echo "$1 did not start: $(cat "$log")" >&2; exit 1; }
  echo "$pid"
}
rps() { wrk -t1 -c8 -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
p99() { wrk -t1 -c8 -d"${secs}s" --latency "$1" | awk '$1 == "99%" {print $2}'; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

declare -A url label
pids=()
case $backend in
  std)
    pids+=("$(start bare "$bin/bare_tiny_http" 127.0.0.1:18181)")
    pids+=("$(start app "$bin/sample_application" --tiny-http --addr 127.0.0.1:18182)")
    pids+=("$(start own "$bin/sample_application" --addr 127.0.0.1:18185)")
    cases="bare bare_json bare_metrics app json metrics own own_json own_metrics"
    bare_url=http://127.0.0.1:18181
    url[bare]=http://127.0.0.1:18181/;             label[bare]="bare tiny-http, / (the ceiling)"
    url[app]=http://127.0.0.1:18182/;              label[app]="sample app --tiny-http, / (monitored, request accounting)"
    url[json]=http://127.0.0.1:18182/mutornadomon; label[json]="sample app --tiny-http, /mutornadomon (JSON)"
    url[metrics]=http://127.0.0.1:18182/metrics;   label[metrics]="sample app --tiny-http, /metrics (Prometheus text)"
    url[own]=http://127.0.0.1:18185/;              label[own]="sample app (bounded server), / (monitored, request accounting)"
    url[own_json]=http://127.0.0.1:18185/mutornadomon; label[own_json]="sample app (bounded server), /mutornadomon"
    url[own_metrics]=http://127.0.0.1:18185/metrics;   label[own_metrics]="sample app (bounded server), /metrics"
    overhead_base=bare
    idle_cmd=("$bin/sample_application" --no-app --addr 127.0.0.1:18183)
    probe="probe thread every 10 ms, report every 100 ms"
    ;;
  smol)
    pids+=("$(start bare "$bin/bare_smol_http" 127.0.0.1:18281)")
    pids+=("$(start tuned "$bin/bare_smol_http" 127.0.0.1:18285 --tuned)")
    pids+=("$(start app "$bin/smol_application" --addr 127.0.0.1:18282)")
    pids+=("$(start plain "$bin/smol_application" --uninstrumented --addr 127.0.0.1:18283)")
    cases="bare bare_json bare_metrics tuned tuned_json tuned_metrics plain app json metrics"
    bare_url=http://127.0.0.1:18281
    tuned_url=http://127.0.0.1:18285
    url[tuned]=$tuned_url/;                        label[tuned]="bare smol server --tuned, /"
    url[bare]=http://127.0.0.1:18281/;             label[bare]="bare smol server, / (the ceiling)"
    url[plain]=http://127.0.0.1:18283/;            label[plain]="smol app, / (uninstrumented)"
    url[app]=http://127.0.0.1:18282/;              label[app]="smol app, / (probe, task timing, accounting)"
    url[json]=http://127.0.0.1:18282/mutornadomon; label[json]="smol app, /mutornadomon (JSON)"
    url[metrics]=http://127.0.0.1:18282/metrics;   label[metrics]="smol app, /metrics (Prometheus text)"
    overhead_base=plain
    idle_cmd=("$bin/smol_application" --addr 127.0.0.1:18284)
    probe="probe task every 20 ms, app ticker every 100 ms"
    ;;
  *) echo "backend: std or smol"; exit 2 ;;
esac
trap 'kill "${pids[@]}" 2> /dev/null || true' EXIT

# The bare server also answers each page's size in fixed bytes (/filler/<n>): the ceiling for
# a page is a server that spends nothing producing the same bytes (which cost the same to send
# and for wrk to parse).
command -v curl > /dev/null || { echo "needs curl"; exit 1; }
json_bytes=$(curl -s "${url[json]}" | wc -c)
metrics_bytes=$(curl -s "${url[metrics]}" | wc -c)
url[bare_json]=$bare_url/filler/$json_bytes;       label[bare_json]="bare, ${json_bytes} fixed bytes (JSON page's ceiling)"
url[bare_metrics]=$bare_url/filler/$metrics_bytes; label[bare_metrics]="bare, ${metrics_bytes} fixed bytes (/metrics' ceiling)"
if [[ -n "${tuned_url:-}" ]]; then
  url[tuned_json]=$tuned_url/filler/$json_bytes;       label[tuned_json]="bare --tuned, ${json_bytes} fixed bytes"
  url[tuned_metrics]=$tuned_url/filler/$metrics_bytes; label[tuned_metrics]="bare --tuned, ${metrics_bytes} fixed bytes"
fi

# Rounds alternate the servers so drift on a shared machine hits all alike; medians reported.
rounds=${ROUNDS:-5}
declare -A runs
for round in $(seq "$rounds"); do
  for case in $cases; do
    runs[$case]+="$(rps "${url[$case]}") "
  done
done
row() { # case
  local values med min max
  values=$(tr ' ' '\n' <<< "${runs[$1]}" | sed '/^$/d')
  med=$(median <<< "$values"); min=$(sort -n <<< "$values" | head -1); max=$(sort -n <<< "$values" | tail -1)
  printf '| %-46s | %9.0f | %9.0f-%-9.0f |\n' "${label[$1]}" "$med" "$min" "$max"
}
echo "| what (wrk -t1 -c8, ${secs}s runs, ${rounds} alternating rounds) | median req/s | range |"
echo "|---|---:|---:|"
for case in $cases; do row "$case"; done
ratio() { # numerator case, denominator case: median of per-round ratios
  paste <(tr ' ' '\n' <<< "${runs[$1]}") <(tr ' ' '\n' <<< "${runs[$2]}") | sed '/^\s*$/d' |
    awk '{print $1 / $2}' | median
}
echo
ratio app "$overhead_base" | awk -v b="$overhead_base" '{printf "monitored / %s, median of per-round ratios: %.3f (overhead %.1f%%)\n", b, $1, 100 * (1 - $1)}'
ratio json bare_json | awk '{printf "/mutornadomon / bare with the same bytes, median of per-round ratios: %.3f\n", $1}'
ratio metrics bare_metrics | awk '{printf "/metrics / bare with the same bytes, median of per-round ratios: %.3f\n", $1}'
if [[ -n "${tuned_url:-}" ]]; then
  ratio json tuned_json | awk '{printf "/mutornadomon / bare --tuned with the same bytes, median of per-round ratios: %.3f\n", $1}'
  ratio metrics tuned_metrics | awk '{printf "/metrics / bare --tuned with the same bytes, median of per-round ratios: %.3f\n", $1}'
  ratio plain tuned | awk '{printf "uninstrumented app / bare --tuned, both /, median of per-round ratios: %.3f\n", $1}'
fi
ratio json bare | awk '{printf "/mutornadomon / bare /, median of per-round ratios: %.3f\n", $1}'
ratio metrics bare | awk '{printf "/metrics / bare /, median of per-round ratios: %.3f\n", $1}'
printf 'p99 latency, one more run each:'
for case in $cases; do printf ' %s %s;' "$case" "$(p99 "${url[$case]}")"; done
echo

# Probe cost: CPU seconds an idle monitored app uses over a window.
idle=$(start idle "${idle_cmd[@]}")
pids+=("$idle")
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{ sub(/.*\) /, ""); split($0, f, " "); print (f[12] + f[13]) / t }' "/proc/$1/stat"; }
sleep 1
before=$(cpu "$idle")
sleep "$secs"
after=$(cpu "$idle")
kill "$idle"
awk -v b="$before" -v a="$after" -v s="$secs" -v what="${idle_cmd[*]##*/}" -v probe="$probe" \
  'BEGIN { printf "\nidle %s (%s): %.3f CPU s over %d s = %.2f%% of one core (10 ms tick granularity)\n", what, probe, a - b, s, 100 * (a - b) / s }'
