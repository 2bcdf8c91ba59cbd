#!/usr/bin/env bash
# Province-scale simulation (README "Province scale"): a generated province of WORKERS workers × POSTS posts is
# planned into SHARDS worker shards, the shards are scored one after another on this machine (each as one Slurm
# array task would run it: one process, all of this machine's cores), and merged with the assignment; every
# step's wall time and peak memory are measured with /usr/bin/time. G (the bare blocked GEMMs of
# 50,000 × 50,000 × 128, `bench topk --gemm`) is measured in the same run so the figures travel between machines.
#
# The projection to P nodes (nodes like this one, one shard per node, all shards at once) needs the per-shard cost
# split into a fixed part a (load the post matrix, select and write the per-post lists for all posts) and a
# per-worker part b: a second plan cuts the same workers into SHARDS_SMALL shards and one of them is scored, so
#   shard(P) = a + b · WORKERS / P,   solved from the mean shard at SHARDS and the one at SHARDS_SMALL;
# the merge runs on one node: its input reading, file writing and assignment do not depend on P, its list merge
# reads every shard's per-post lists and is taken as ∝ P (measured at SHARDS, from summary.json's seconds.score);
#   wall(P) = plan + shard(P) + merge(SHARDS) + merge_lists(SHARDS) · (P / SHARDS − 1).
# Slurm's own scheduling (a second or two per job here) and copying the blocks to the nodes are not counted.
#
# Usage: bash Benchmarks/province.sh [WORKERS=1000000] [POSTS=200000] [SHARDS=8] [TOP_K=10] [DIR=/tmp/province]
# env:   ASSIGN=exact|greedy|none (the merge's --assign, default exact), SHARDS_SMALL=128, KEEP=1 keeps DIR.
set -euo pipefail
workers=${1:-1000000}; posts=${2:-200000}; shards=${3:-8}; topk=${4:-10}; dir=${5:-/tmp/province}
assign=${ASSIGN:-exact}; small=${SHARDS_SMALL:-128}
source "$(dirname "$0")/common.sh"
bench_setup
results="$dir/steps.tsv"; : > "$results"

# step NAME CMD...: runs CMD (timed), appends "NAME seconds peak_MB" to the results and prints it.
step() {
  timed "$@"
  local s mb
  read -r s mb < "$dir/$1.time"
  printf '%s\t%s\t%d\n' "$1" "$s" "$mb" | tee -a "$results" >&2
}

step generate "$lm" generate --workers "$workers" --posts "$posts" --seed 7 --out "$dir/in"
step plan "$lm" shard plan --workers "$dir/in/workers.csv" --posts "$dir/in/posts.csv" --shards "$shards" --top-k "$topk" --out "$dir/run"
for ((i = 0; i < shards; i++)); do step "shard-$i" "$lm" shard score --manifest "$dir/run/manifest.json" --index "$i"; done
step merge "$lm" shard merge --manifest "$dir/run/manifest.json" --out "$dir/out" --assign "$assign"
merge_lists=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"]["score"])' "$dir/out/summary.json")
placed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("placed", ""))' "$dir/out/summary.json")
step plan-small "$lm" shard plan --workers "$dir/in/workers.csv" --posts "$dir/in/posts.csv" --shards "$small" --top-k "$topk" --out "$dir/run-small"
step shard-small "$lm" shard score --manifest "$dir/run-small/manifest.json" --index 0
small_workers=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["blocks"][0]["workers"])' "$dir/run-small/manifest.json")
du -sh "$dir/run" "$dir/out" >&2

python3 - "$results" "$G" "$workers" "$posts" "$shards" "$topk" "$small" "$small_workers" "$merge_lists" "$assign" "$placed" <<'EOF'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
t = {n: (float(s), int(mb)) for n, s, mb in rows}
G = float(sys.argv[2]); W, P, N, K, S, sw = (int(x) for x in sys.argv[3:9]); ml = float(sys.argv[9])
assign, placed = sys.argv[10], sys.argv[11]
shard = [t[f"shard-{i}"] for i in range(N)]
mean = sum(s for s, _ in shard) / N
# mean shard = a + b·W/N ; small shard = a + b·sw (its actual worker count)
b = (mean - t["shard-small"][0]) / (W / N - sw)
a = mean - b * W / N
def g(x): return f"{x / G:.2f} G"
print(f"Province simulation: {W:,} workers × {P:,} posts, top-{K}, {N} shards, --assign {assign}; G = {G:.2f} s\n")
print("| step | wall s | ratio to G | peak RSS MB |\n|---|---|---|---|")
for name in ["generate", "plan"] + [f"shard-{i}" for i in range(N)] + ["merge"]:
    s, mb = t[name]
    print(f"| {name} | {s:.1f} | {g(s)} | {mb:,} |")
tot = sum(s for s, _ in shard)
print(f"| shards, one after another (Σ) | {tot:.1f} | {g(tot)} | {max(mb for _, mb in shard):,} (max) |")
print(f"| plan + Σ shards + merge on this machine | {t['plan'][0] + tot + t['merge'][0]:.1f} | {g(t['plan'][0] + tot + t['merge'][0])} | |")
print(f"\nmerge: lists merged in {ml:.1f} s of its {t['merge'][0]:.1f} s; placed {placed}.")
print(f"per shard: a = {a:.2f} s fixed + b = {b * 1e6:.2f} µs per worker (from {N} shards of ~{W // N:,} and 1 of {sw:,} "
      f"workers: {t['shard-small'][0]:.1f} s, {t['shard-small'][1]:,} MB)\n")
print("| nodes | workers per shard | shard | merge | projected wall (plan + shard + merge) | ratio to G |\n|---|---|---|---|---|---|")
for nodes in (8, 32, 128):
    sh = a + b * W / nodes
    mg = t["merge"][0] + ml * (nodes / N - 1)
    wall = t["plan"][0] + sh + mg
    print(f"| {nodes} | {W // nodes:,} | {sh:.1f} s | {mg:.1f} s | {wall:.1f} s | {g(wall)} |")
EOF
