#!/usr/bin/env python3
"""Exact assignment: LaborMatch against OR-Tools SimpleMinCostFlow (and scipy where it can run), same graph, one run.

    python3 Benchmarks/peers/assign_peers.py --graph out/graph.csv --capacities out/capacities.csv --reps 3

Reads graph.csv (worker_id, post_id, weight) and capacities.csv (post_id, openings) as `labormatch match` writes
them (Chinese or English headers, UTF-8 BOM), runs `labormatch assign` on the same files (its summary.json
seconds.solve is the solver alone), then OR-Tools SimpleMinCostFlow with the vectorised arc API (build + solve,
timed together), and scipy's min_weight_full_bipartite_matching on the capacity-expanded graph when the graph is
small enough (--scipy-max-edges). Prints medians, optima and ratios. Installs ortools/scipy with pip if missing.
"""
import argparse, csv, json, os, statistics, subprocess, sys, tempfile, time

def ensure(pkgs):
    missing = []
    for mod, pkg in pkgs:
        try:
            __import__(mod)
        except ImportError:
            missing.append(pkg)
    if missing:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", *missing])

ensure([("numpy", "numpy"), ("ortools", "ortools"), ("scipy", "scipy")])
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]

def load(graph, capacities):
    _, caps = read_csv(capacities)
    post_index = {r[0]: j for j, r in enumerate(caps)}
    cap = np.array([int(r[1]) for r in caps], dtype=np.int64)
    _, edges = read_csv(graph)
    worker_index = {}
    wi = np.empty(len(edges), dtype=np.int64); pj = np.empty(len(edges), dtype=np.int64); w = np.empty(len(edges), dtype=np.int64)
    for k, (a, b, c) in enumerate(edges):
        wi[k] = worker_index.setdefault(a, len(worker_index)); pj[k] = post_index[b]; w[k] = int(c)
    return wi, pj, w, cap, len(worker_index)

def ortools_solve(wi, pj, w, cap, n):
    from ortools.graph.python import min_cost_flow
    m = len(cap)
    t0 = time.perf_counter()
    f = min_cost_flow.SimpleMinCostFlow()
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(n, source), wi, n + np.arange(m), [source]])
    heads = np.concatenate([np.arange(n), n + pj, np.full(m, sink), [sink]])
    caps = np.concatenate([np.ones(n, dtype=np.int64), np.ones(len(w), dtype=np.int64), cap, [n]])
    costs = np.concatenate([np.zeros(n, dtype=np.int64), -w, np.zeros(m, dtype=np.int64), [0]])
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n + m + 2, dtype=np.int64); supplies[source] = n; supplies[sink] = -n
    f.set_nodes_supplies(np.arange(n + m + 2), supplies)
    status = f.solve()
    dt = time.perf_counter() - t0
    assert status == f.OPTIMAL, status
    return dt, -f.optimal_cost()

def scipy_solve(wi, pj, w, cap, n):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching
    t0 = time.perf_counter()
    # Expand each post into its openings, and give each worker a private "unplaced" column so a full matching exists.
    starts = np.concatenate([[0], np.cumsum(cap)])
    rows, cols, vals = [], [], []
    big = int(w.max()) + 1 if len(w) else 1
    for k in range(len(w)):
        for s in range(starts[pj[k]], starts[pj[k] + 1]):
            rows.append(wi[k]); cols.append(s); vals.append(big - w[k])
    total = int(starts[-1])
    for i in range(n):
        rows.append(i); cols.append(total + i); vals.append(big)
    g = csr_matrix((vals, (rows, cols)), shape=(n, total + n))
    r, c = min_weight_full_bipartite_matching(g)
    cost = g[r, c].sum()
    dt = time.perf_counter() - t0
    return dt, int(n * big - cost)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", required=True)
    ap.add_argument("--capacities", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--binary", default=None)
    ap.add_argument("--scipy-max-edges", type=int, default=300000)
    a = ap.parse_args()
    binary = a.binary
    if binary is None:
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "labormatch"], cwd=ROOT)
        binary = os.path.join(ROOT, ".build", "release", "labormatch")
    wi, pj, w, cap, n = load(a.graph, a.capacities)
    print(f"# graph: {n} workers, {len(cap)} posts, {int(cap.sum())} openings, {len(w)} edges; reps={a.reps} (medians)")
    lm_times, lm_total, lm_obj, greedy = [], [], None, None
    for _ in range(a.reps):
        out = tempfile.mkdtemp(prefix="lm-assign-")
        t0 = time.perf_counter()
        subprocess.run([binary, "assign", "--edges", a.graph, "--capacities", a.capacities, "--out", out], check=True,
                       capture_output=True)
        lm_total.append(time.perf_counter() - t0)
        s = json.load(open(os.path.join(out, "summary.json")))
        lm_times.append(s["seconds"]["solve"]); lm_obj = s["objective"]; greedy = s["greedy_objective"]
        greedy_s = s["seconds"].get("greedy")
    lm = statistics.median(lm_times)
    ot = [ortools_solve(wi, pj, w, cap, n) for _ in range(a.reps)]
    ot_t = statistics.median(t for t, _ in ot); ot_obj = ot[0][1]
    print(f"{'tool':<36} {'seconds':>8} {'objective':>14}")
    print(f"{'labormatch exact (auction), solve':<36} {lm:8.3f} {lm_obj:14d}")
    print(f"{'labormatch greedy':<36} {greedy_s:8.3f} {greedy:14d}   ({greedy / lm_obj:.3f} of the optimum)")
    print(f"{'labormatch assign, whole command':<36} {statistics.median(lm_total):8.3f}")
    print(f"{'OR-Tools SimpleMinCostFlow build+solve':<36} {ot_t:8.3f} {ot_obj:14d}")
    if len(w) <= a.scipy_max_edges:
        st, sobj = scipy_solve(wi, pj, w, cap, n)
        print(f"{'scipy min_weight_full_bipartite':<36} {st:8.3f} {sobj:14d}")
    print(f"ratio OR-Tools / labormatch exact: {ot_t / lm:.2f}x; identical optimum: {'yes' if ot_obj == lm_obj else 'NO'}")

if __name__ == "__main__":
    main()
