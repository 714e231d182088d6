#!/usr/bin/env bash
# Reader benchmark: `mmstats dump` (text and --json) and `mmstats clean --dry-run` over 1,000
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
