#!/usr/bin/env bash
# A/B of two server builds on loopback: both run at once on two ports, and 2 s `wrk -t1 -c8`
# runs alternate between them; prints each side's req/s and the median of the per-round
# ratios B/A (single runs drift by up to 20% on shared machines; ratios within a round do not).
#
# Usage: bench/ab.sh A-binary B-binary [path, default /] [rounds, default 9] [server args...]
#   e.g. cp target/release/examples/smol_application /tmp/before; (change, build);
#        bench/ab.sh /tmp/before target/release/examples/smol_application /mutornadomon 9
# Each binary is started with `--addr 127.0.0.1:<port>` and the server args. SECS sets the
# length of a run.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n 2,10p "$0"; exit 2; }
a=$1; b=$2; path=${3:-/}; rounds=${4:-9}; shift $(( $# < 4 ? $# : 4 ))
command -v wrk > /dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }
"$a" --addr 127.0.0.1:18601 "$@" > /dev/null 2>&1 & pa=$!
"$b" --addr 127.0.0.1:18602 "$@" > /dev/null 2>&1 & pb=$!
trap 'kill $pa $pb 2> /dev/null || true' EXIT
for port in 18601 18602; do
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
rps() { wrk -t1 -c8 -d"${SECS:-2}s" "http://127.0.0.1:$1$path" | awk '/Requests\/sec/ {print $2}'; }
ra=(); rb=()
for _ in $(seq "$rounds"); do
  ra+=("$(rps 18601)")
  rb+=("$(rps 18602)")
done
echo "A: ${ra[*]}"
echo "B: ${rb[*]}"
paste <(printf '%s\n' "${rb[@]}") <(printf '%s\n' "${ra[@]}") | awk '{print $1 / $2}' | sort -n |
  awk '{v[NR] = $1} END {printf "B/A, median of %d per-round ratios: %.3f\n", NR, v[int((NR + 1) / 2)]}'
