#!/usr/bin/env bash
# The registry's speed targets (README "Benchmarks"; the speed issue: import of the 50k county ≤ 1.0 G, the nightly
# on it ≤ 1.0 G, end to end): a generated county of N workers × N posts with three months of history, release build,
# ROUNDS rounds of (the four imports into a new registry, the first nightly, the next night's), each whole process
# timed by /usr/bin/time after a `sync` (a nightly leaves ~400 MB of lists for the kernel to write back, which
# otherwise slows whatever runs next by up to a third); medians over the rounds and their ratios to G measured in
# the same run (common.sh).
#
# Usage: bash Benchmarks/registry.sh [ROUNDS=3] [N=50000] [DIR=/tmp/registry-bench]   (KEEP=1 keeps DIR)
set -euo pipefail
rounds=${1:-3}; n=${2:-50000}; dir=${3:-/tmp/registry-bench}
source "$(dirname "$0")/common.sh"
bench_setup
ACCEPT=65   # an import with rejected rows (reported in its log) still counts

"$lm" generate --workers "$n" --posts "$n" --seed 1 --history --as-of 2026-01-15 --out "$dir/in" > /dev/null
for r in $(seq "$rounds"); do
  rm -rf "$dir/db-$r" "$dir/runs-$r"; mkdir -p "$dir/db-$r"
  for k in workers posts placements contributions; do
    sync   # the previous step's files reach the disk first, so that no step is timed under another's writeback
    timed "$r-import-$k" "$lm" import "$k" "$dir/in/$k.csv" --db "$dir/db-$r/registry.sqlite" --as-of 2026-01-15
  done
  sync
  timed "$r-nightly-1" "$lm" nightly --db "$dir/db-$r/registry.sqlite" --as-of 2026-01-16 --out "$dir/runs-$r"
  sync
  timed "$r-nightly-2" "$lm" nightly --db "$dir/db-$r/registry.sqlite" --as-of 2026-01-17 --out "$dir/runs-$r"
  echo "round $r done" >&2
done

PYTHONPATH="$root/Benchmarks" python3 - "$dir" "$G" "$rounds" "$n" <<'EOF'
import statistics, sys
from timings import step
d, G, rounds, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def t(name): return step(d, name)
print(f"G = {G:.2f} s (bare GEMMs of 50,000 × 50,000 × 128 in this run); {n:,} workers × {n:,} posts; medians of {rounds}\n")
print("| step | median | ratio to G | each round | peak RSS |")
print("|---|---|---|---|---|")
rows = [(k, [f"import-{k}"]) for k in ("workers", "posts", "placements", "contributions")]
rows += [("import, the four files", [f"import-{k}" for k in ("workers", "posts", "placements", "contributions")]),
         ("first nightly (reconciles three months)", ["nightly-1"]), ("next nightly", ["nightly-2"])]
for label, names in rows:
    each = [sum(t(f"{r}-{x}")[0] for x in names) for r in range(1, rounds + 1)]
    peak = max(t(f"{r}-{x}")[1] for x in names for r in range(1, rounds + 1))
    m = statistics.median(each)
    print(f"| {label} | {m:.2f} s | {m / G:.2f} G | {', '.join(f'{s:.2f}' for s in each)} | {peak} MB |")
EOF
