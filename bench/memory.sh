#!/usr/bin/env bash
# Memory of the sample applications under load: RSS at start, after 1,000,000 requests to `/`
# (request accounting on every one), and after another 1,000,000; the same for the metrics
# pages. No growth is the target. Usage: bench/memory.sh [requests per step, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
cargo build -q --release -p mutornadomon-examples --examples
command -v wrk > /dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }
bin=target/release/examples
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# wrk runs for a time, not a count: run until `requests` have been made.
load() { # url
  local done=0 n
  while [ "$done" -lt "$requests" ]; do
    n=$(wrk -t1 -c8 -d2s "$1" | awk '/requests in/ {print $1}')
    done=$((done + n))
  done
  echo "$done"
}
echo "| app | path | RSS at start | after 1st load | after 2nd load | requests per load |"
echo "|---|---|---:|---:|---:|---:|"
for app in sample_application smol_application; do
  port=$((18400 + ${#app}))
  log=target/bench-memory-$app.log
  "$bin/$app" --addr "127.0.0.1:$port" > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
  kill -0 "$pid" || { echo "$app did not start: $(cat "$log")"; exit 1; }
  for path in / /mutornadomon; do
    start=$(rss_kb "$pid")
    n1=$(load "http://127.0.0.1:$port$path")
    after1=$(rss_kb "$pid")
    n2=$(load "http://127.0.0.1:$port$path")
    after2=$(rss_kb "$pid")
    printf '| %s | %s | %d KiB | %d KiB | %d KiB | %d, %d |\n' "$app" "$path" "$start" "$after1" "$after2" "$n1" "$n2"
  done
  kill "$pid"; wait "$pid" 2> /dev/null || true
done
