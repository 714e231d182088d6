#!/usr/bin/env bash
# System calls per request of a server under `wrk -t1 -c8` (perf's syscall tracepoints over
# 3 s of a 5 s run, divided by the requests wrk counted in that time).
#
# Usage: bench/syscalls.sh URL server-command...
#   e.g. bench/syscalls.sh http://127.0.0.1:18290/mutornadomon \
#          target/release/examples/smol_application --addr 127.0.0.1:18290
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n 2,8p "$0"; exit 2; }
url=$1; shift
command -v perf > /dev/null || { echo "needs perf"; exit 1; }
command -v wrk > /dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }
out=$(mktemp -d)
"$@" > "$out/server.log" 2>&1 & server=$!
trap 'kill $server 2> /dev/null || true; rm -rf "$out"' EXIT
sleep 1
wrk -t1 -c8 -d5s "$url" > "$out/wrk" & load=$!
sleep 1
perf stat -e 'syscalls:sys_enter_*' -p "$server" -o "$out/perf" -- sleep 3 > /dev/null 2>&1
wait "$load"
rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk")
echo "$rps req/s; system calls per request:"
awk -v r="$rps" '$1 ~ /^[0-9,]+$/ { gsub(",", "", $1); if ($1 > 0) printf "%8.3f %s\n", $1 / (r * 3), $2 }' "$out/perf" |
  sort -rn | head -12
