#!/usr/bin/env bash
# The core's code size, as a firmware links it: each program built with opt-level z, LTO, one
# codegen unit and panic=abort, linked into a C main by gcc -Os with --gc-sections, and its
# .text compared with an empty C main's (host x86_64; cross targets cannot be installed here).
# Fails when a program is over its budget, printing its largest symbols; then measures the
# statsd program's peak stack in one tick (stack.c) against its budget.
#
# Usage: .ci/code-size/check.sh         (run from anywhere; needs gcc and size/nm from binutils)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort
cargo build -q --release --manifest-path "$here/../no-std-check/Cargo.toml" --target-dir "$out/pages"
cargo build -q --release --manifest-path "$here/../no-std-check/Cargo.toml" --target-dir "$out/full" \
  --features statsd
cargo build -q --release --manifest-path "$here/statsd-only/Cargo.toml" --target-dir "$out/statsd"
cc() { gcc -Os -ffunction-sections -fdata-sections "$@" -Wl,--gc-sections; }
cc "$here/empty.c" -o "$out/empty"
cc "$here/full.c" "$out/pages/release/libno_std_check.a" -o "$out/pages.bin"
cc "$here/full.c" "$out/full/release/libno_std_check.a" -o "$out/full.bin"
cc "$here/statsd.c" "$out/statsd/release/libstatsd_only.a" -o "$out/statsd.bin"
cc "$here/update.c" "$out/statsd/release/libstatsd_only.a" -o "$out/update.bin"
text() { size -A "$1" | awk '$1 == ".text" {print $2}'; }
empty=$(text "$out/empty")
status=0
# program, binary, budget in bytes of .text added to an empty program. The programs build the
# core without feature `perf` (size-first code), as a firmware does. The pages program's
# and the statsd program's budgets are their targets, 24 KiB and 8 KiB; the others hold
# today's figures (+2%) (BENCHMARKS.md, "Code size").
for row in "no-std check (every kind, snapshot, parser, JSON, OpenMetrics):pages.bin:24576" \
           "the same and the statsd encoder:full.bin:25880" \
           "statsd only (10 metrics, datagrams read in place):statsd.bin:8192" \
           "registration only (10 metrics, region read by another process):update.bin:3230"; do
  IFS=: read -r name bin budget <<< "$row"
  added=$(( $(text "$out/$bin") - empty ))
  printf '%-64s %6d bytes of .text (budget %d)\n' "$name" "$added" "$budget"
  if (( added > budget )); then
    status=1
    echo "  over budget; largest symbols:"
    nm --size-sort -S -C "$out/$bin" | awk '$3 ~ /^[tT]$/' | tail -n 15 | sed 's/^/    /'
  fi
done
# RAM: the statsd program's peak stack in one tick (no snapshot buffer: encode_region).
gcc -O0 "$here/stack.c" "$out/statsd/release/libstatsd_only.a" -o "$out/stack"
stack=$("$out/stack")
stack_budget=3300
printf '%-64s %6d bytes of stack (budget %d)\n' "statsd only, one tick: peak stack" "$stack" "$stack_budget"
if (( stack > stack_budget )); then
  status=1
  echo "  over budget: a buffer on the encode path grew, or is copied (see BENCHMARKS.md, Code size)"
fi
exit $status
