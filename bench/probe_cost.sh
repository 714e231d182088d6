#!/usr/bin/env bash
# CPU cost of the smol backend's executor lag probe, next to what a hand-written probe would
# cost: an executor running only the monitor's tasks, and one running only a bare async-io timer
# at the same rate, side by side for the same window. Reads nanosecond CPU time from /proc/<pid>/task/*/schedstat.
# Usage: bench/probe_cost.sh [seconds, default 30] [resolutions in ms, default "20 40"]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
resolutions=${2:-20 40}
cargo build -q --release -p mutornadomon-smol --example probe_cost
bin=target/release/examples/probe_cost
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {print s}'; }
echo "| resolution | monitor tasks (probe) | bare async-io timer | window |"
echo "|---:|---:|---:|---:|"
for ms in $resolutions; do
  "$bin" probe "$ms" > /dev/null & probe=$!
  "$bin" timer "$ms" > /dev/null & timer=$!
  sleep 1
  p0=$(cpu_ns $probe); t0=$(cpu_ns $timer)
  sleep "$secs"
  p1=$(cpu_ns $probe); t1=$(cpu_ns $timer)
  kill $probe $timer
  awk -v ms="$ms" -v p=$((p1 - p0)) -v t=$((t1 - t0)) -v s="$secs" 'BEGIN {
    printf "| %d ms | %.0f ms CPU = %.2f%% of a core | %.0f ms CPU = %.2f%% | %d s |\n",
      ms, p / 1e6, 100 * p / (s * 1e9), t / 1e6, 100 * t / (s * 1e9), s }'
done
