#!/usr/bin/env bash
# System benchmark on loopback, every row in the same run: requests/s and latency of the
# monitored sample application next to a bare tiny-http server (the ceiling), plus the latency
# probe's CPU cost. Usage: bench/http.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
cargo build -q --release -p mutornadomon-examples --examples
bin=target/release/examples
command -v wrk > /dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }

start() { # name, command...
  local log="target/bench-$1.log"; shift
  "$@" > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
  echo "$pid"
}
rps() { wrk -t1 -c8 -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
p99() { wrk -t1 -c8 -d"${secs}s" --latency "$1" | awk '$1 == "99%" {print $2}'; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

bare=$(start bare "$bin/bare_tiny_http" 127.0.0.1:18181)
app=$(start app "$bin/sample_application" --addr 127.0.0.1:18182)
trap 'kill $bare $app 2> /dev/null || true' EXIT

# Rounds alternate the servers so drift on a shared machine hits both alike; medians reported.
rounds=${ROUNDS:-5}
declare -A runs
for round in $(seq "$rounds"); do
  for case in bare app json metrics; do
    case $case in
      bare) url=http://127.0.0.1:18181/ ;;
      app) url=http://127.0.0.1:18182/ ;;
      json) url=http://127.0.0.1:18182/mutornadomon ;;
      metrics) url=http://127.0.0.1:18182/metrics ;;
    esac
    runs[$case]+="$(rps "$url") "
  done
done
row() { # label, case
  local values med min max
  values=$(tr ' ' '\n' <<< "${runs[$2]}" | sed '/^$/d')
  med=$(median <<< "$values"); min=$(sort -n <<< "$values" | head -1); max=$(sort -n <<< "$values" | tail -1)
  printf '| %-46s | %9.0f | %9.0f-%-9.0f |\n' "$1" "$med" "$min" "$max"
}
echo "| what (wrk -t1 -c8, ${secs}s runs, ${rounds} alternating rounds) | median req/s | range |"
echo "|---|---:|---:|"
row "bare tiny-http, / (the ceiling)" bare
row "sample app, / (monitored, request accounting)" app
row "sample app, /mutornadomon (JSON)" json
row "sample app, /metrics (Prometheus text)" metrics
# Per-round ratio app/bare: the overhead measured against the ceiling of the same moment.
paste <(tr ' ' '\n' <<< "${runs[app]}") <(tr ' ' '\n' <<< "${runs[bare]}") | sed '/^\s*$/d' |
  awk '{print $1 / $2}' | median | awk '{printf "\nmonitored / bare, median of per-round ratios: %.3f (overhead %.1f%%)\n", $1, 100 * (1 - $1)}'
printf 'p99 latency, one more run each: bare %s, app / %s, /mutornadomon %s, /metrics %s\n' \
  "$(p99 http://127.0.0.1:18181/)" "$(p99 http://127.0.0.1:18182/)" "$(p99 http://127.0.0.1:18182/mutornadomon)" "$(p99 http://127.0.0.1:18182/metrics)"

# Probe cost: CPU seconds an idle monitored app uses over a window.
idle=$(start idle "$bin/sample_application" --no-app --addr 127.0.0.1:18183)
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{ sub(/.*\) /, ""); split($0, f, " "); print (f[12] + f[13]) / t }' "/proc/$1/stat"; }
sleep 1
before=$(cpu "$idle")
sleep "$secs"
after=$(cpu "$idle")
kill "$idle"
awk -v b="$before" -v a="$after" -v s="$secs" \
  'BEGIN { printf "\nidle monitored app (probe every 10 ms, report every 100 ms): %.3f CPU s over %d s = %.2f%% of one core\n", a - b, s, 100 * (a - b) / s }'
