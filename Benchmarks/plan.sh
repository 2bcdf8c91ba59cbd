#!/usr/bin/env bash
# The planner's speed figure (README "Planning"): the ten scenarios of Benchmarks/plan-50k.toml (poor shares, a
# bonus, township and destination caps, training) on the generated 50,000 + 50,000 county, against one
# `match --assign exact` with the same top-K on the same files, run alternately ROUNDS times (default 3); prints
# the medians, their ratio and each as a ratio to G (Benchmarks/common.sh), all measured in this run.
#
# Usage: bash Benchmarks/plan.sh [ROUNDS=3] [DIR=/tmp/plan-bench]   (KEEP=1 keeps DIR)
set -euo pipefail
rounds=${1:-3}; dir=${2:-/tmp/plan-bench}
source "$(dirname "$0")/common.sh"
bench_setup

"$lm" generate --workers 50000 --posts 50000 --seed 1 --as-of 2026-01-15 --out "$dir/in" > /dev/null
for r in $(seq 1 "$rounds"); do
  timed "match-$r" "$lm" match --workers "$dir/in/workers.csv" --posts "$dir/in/posts.csv" --out "$dir/m" --as-of 2026-01-15 --top-k 20
  timed "plan-$r" "$lm" plan --scenarios "$root/Benchmarks/plan-50k.toml" --workers "$dir/in/workers.csv" --posts "$dir/in/posts.csv" \
    --as-of 2026-01-15 --out "$dir/p"
  echo "round $r: match $(cut -d' ' -f1 "$dir/match-$r.time") s, plan $(cut -d' ' -f1 "$dir/plan-$r.time") s" >&2
done
grep '^seconds' "$dir/plan-$rounds.log" | sed 's/^/plan /' >&2

python3 - "$dir" "$G" "$rounds" <<'PY'
import statistics, sys
d, G, rounds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
def runs(name): return [tuple(map(float, open(f"{d}/{name}-{r}.time").read().split())) for r in range(1, rounds + 1)]
m, p = runs("match"), runs("plan")
ms, ps = statistics.median(s for s, _ in m), statistics.median(s for s, _ in p)
print(f"G = {G:.2f} s (bare GEMMs of 50,000 × 50,000 × 128 in this run)")
print(f"match --assign exact --top-k 20: median {ms:.2f} s = {ms / G:.2f} G, peak {max(mb for _, mb in m):.0f} MB")
print(f"plan, 10 scenarios:              median {ps:.2f} s = {ps / G:.2f} G, peak {max(mb for _, mb in p):.0f} MB")
print(f"plan / match = {ps / ms:.2f}x (aim: at most 2.0x)")
PY
