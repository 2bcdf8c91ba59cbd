#!/usr/bin/env bash
# How cost grows (README "Benchmarks"): match and the nightly on generated counties of n workers × n posts, for
# n in SIZES (default 10k, 25k, 50k, 100k), release build, wall time and peak RSS of each whole process from
# /usr/bin/time. G (Benchmarks/common.sh) is measured in the same run, so every figure is also printed as a ratio to it. Scoring grows as n·m, the
# assignment as its edges (n·K), reading and writing as n.
#
# Usage: bash Benchmarks/scaling.sh [SIZES="10000 25000 50000 100000"] [DIR=/tmp/scaling]   (KEEP=1 keeps DIR)
set -euo pipefail
sizes=${1:-"10000 25000 50000 100000"}; dir=${2:-/tmp/scaling}
source "$(dirname "$0")/common.sh"
bench_setup
ACCEPT=65   # an import with rejected rows (reported in its log) still counts

for n in $sizes; do
  d="$dir/$n"; mkdir -p "$d"
  "$lm" generate --workers "$n" --posts "$n" --seed 1 --history --as-of 2026-01-15 --out "$d/in" > /dev/null
  timed "$n-match-none" "$lm" match --workers "$d/in/workers.csv" --posts "$d/in/posts.csv" --out "$d/m" --as-of 2026-01-15 --assign none
  timed "$n-match-exact" "$lm" match --workers "$d/in/workers.csv" --posts "$d/in/posts.csv" --out "$d/m" --as-of 2026-01-15
  for k in workers posts placements contributions; do
    timed "$n-import-$k" "$lm" import "$k" "$d/in/$k.csv" --db "$d/registry.sqlite" --as-of 2026-01-15
  done
  cat "$dir/$n"-import-*.time | awk '{ s += $1; if ($2 > m) m = $2 } END { print s, m }' > "$dir/$n-import.time"
  timed "$n-nightly-1" "$lm" nightly --db "$d/registry.sqlite" --as-of 2026-01-16 --out "$d/runs"
  timed "$n-nightly-2" "$lm" nightly --db "$d/registry.sqlite" --as-of 2026-01-17 --out "$d/runs"
  echo "size $n done" >&2
  [ "${KEEP:-0}" = 1 ] || rm -rf "$d"
done

PYTHONPATH="$root/Benchmarks" python3 - "$dir" "$G" $sizes <<'EOF'
import sys
from timings import step
d, G, sizes = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
def t(name): return step(d, name)
print(f"G = {G:.2f} s (bare GEMMs of 50,000 × 50,000 × 128 in this run)\n")
print("| n workers × n posts | match --assign none | match --assign exact | import (4 files) | first nightly | next nightly |")
print("|---|---|---|---|---|---|")
for n in sizes:
    cells = []
    for name in ("match-none", "match-exact", "import", "nightly-1", "nightly-2"):
        s, mb = t(f"{n}-{name}")
        cells.append(f"{s:.2f} s = {s / G:.2f} G" + (f", {mb} MB" if mb else ""))
    print(f"| {int(n):,} | " + " | ".join(cells) + " |")
EOF
