#!/usr/bin/env bash
# Reader benchmark: `mmstats dump` (text and --json), `mmstats clean --dry-run` and `mmstats
# serve` (a /metrics scrape, the page's /api/snapshot, peak RSS) over 1,000
# stats files of 100 metrics each. Usage: bench/dump.sh [files] [metrics]   (needs hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-1000}
metrics=${2:-100}
cargo build -q --release -p mutornadomon-examples --example many_stats_files
cargo build -q --release -p mmstats
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
target/release/examples/many_stats_files "$dir" "$files" "$metrics"
du -sh "$dir"
hyperfine --warmup 3 --runs 20 -N \
  "target/release/mmstats dump $dir" \
  "target/release/mmstats dump --json $dir" \
  "target/release/mmstats clean --dry-run $dir"
# serve over the same files: a scrape of the host page and the page's snapshot, then serve's
# peak resident memory.
target/release/mmstats serve --addr 127.0.0.1:18799 "$dir" > /dev/null &
serve=$!
trap 'kill $serve 2> /dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18799/api/files && break; sleep 0.1; done
curl -s http://127.0.0.1:18799/metrics | wc -c | awk '{print "/metrics bytes:", $1}'
hyperfine --warmup 3 --runs 20 -N \
  "curl -s -o /dev/null http://127.0.0.1:18799/metrics" \
  "curl -s -o /dev/null http://127.0.0.1:18799/api/snapshot"
grep -E 'VmHWM|VmRSS' "/proc/$serve/status"
