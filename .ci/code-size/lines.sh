#!/usr/bin/env bash
# Where a code-size program's bytes go: builds it as check.sh does, with line tables (the same
# code), and prints the bytes of .text per source file, then per function and line when a
# function pattern is given. Not run by CI: a tool for finding what to make smaller.
#
# Usage: .ci/code-size/lines.sh pages|full|statsd|update [function-regex]
#        e.g. .ci/code-size/lines.sh statsd 'Lines.*line'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=${1:?pages, full, statsd or update}
pattern=${2:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort \
  CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
case $program in
  pages | full)
    features=(); [[ $program == full ]] && features=(--features statsd)
    cargo build -q --release --manifest-path "$here/../no-std-check/Cargo.toml" \
      --target-dir "$out/t" "${features[@]}"
    lib=$out/t/release/libno_std_check.a main=$here/full.c ;;
  statsd | update)
    cargo build -q --release --manifest-path "$here/statsd-only/Cargo.toml" --target-dir "$out/t"
    lib=$out/t/release/libstatsd_only.a main=$here/$program.c ;;
  *) echo "unknown program: $program" >&2; exit 2 ;;
esac
gcc -Os -ffunction-sections -fdata-sections "$main" "$lib" -Wl,--gc-sections -o "$out/bin"
objdump -d -l -C --no-show-raw-insn "$out/bin" > "$out/dis"
python3 - "$out/dis" "$pattern" <<'PY'
import collections, re, sys
path, pattern = sys.argv[1], sys.argv[2]
rows, function, line = [], "?", "?"
for text in open(path):
    m = re.match(r"^[0-9a-f]+ <(.*)>:", text)
    if m:
        function = m.group(1)
        rows.append(None)
        continue
    m = re.match(r"^(/\S+):(\d+)", text)
    if m:
        line = m.group(1).split("/src/")[-1] + ":" + m.group(2)
        continue
    m = re.match(r"^\s+([0-9a-f]+):\s", text)
    if m:
        rows.append((int(m.group(1), 16), line, function))
by_file, by_line, total = collections.Counter(), collections.Counter(), 0
for here, after in zip(rows, rows[1:]):
    if here and after and 0 < after[0] - here[0] < 20:
        size = after[0] - here[0]
        if pattern and re.search(pattern, here[2]):
            by_line[here[1]] += size
            total += size
        by_file[here[1].rsplit(":", 1)[0]] += size
for name, size in by_file.most_common(25):
    print(f"{size:6d}  {name}")
if pattern:
    print(f"\n{total} bytes in functions matching {pattern!r}, by line:")
    for name, size in by_line.most_common(30):
        print(f"{size:6d}  {name}")
PY
