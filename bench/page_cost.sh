#!/usr/bin/env bash
# Instructions per rendered page (callgrind, repeatable on shared machines): runs
# backend-smol/examples/profile_pages with 1,000 and 3,000 pages and divides the difference by
# 2,000, so start-up and set-up cancel out.
#
# Usage: bench/page_cost.sh [path ...]   (default: /mutornadomon /metrics)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind > /dev/null || { echo "needs valgrind (apt-get install -y valgrind)"; exit 1; }
cargo build -q --release -p mutornadomon-smol --example profile_pages
bin=target/release/examples/profile_pages
instructions() { # path, pages
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
    awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
for path in "${@:-/mutornadomon /metrics}"; do
  for p in $path; do
    few=$(instructions "$p" 1000)
    many=$(instructions "$p" 3000)
    echo "$p: $(( (many - few) / 2000 )) instructions per page"
  done
done
