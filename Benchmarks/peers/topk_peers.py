#!/usr/bin/env python3
"""Top-K scoring: LaborMatch against numpy (OpenBLAS) and faiss-cpu on the same float32 matrices, in one run.

    python3 Benchmarks/peers/topk_peers.py --n 50000 --m 50000 --d 128 --k 50 --reps 3

Installs numpy, faiss-cpu and threadpoolctl with pip when missing (yardsticks, never product dependencies),
builds labormatch in release mode unless --binary is given, writes W and P as .npy, then times:
  labormatch bench topk (one direction, both directions, and the GEMMs without selection: OpenBLAS's sgemm over the
  same tiles, the yardstick G, and labormatch's own kernel on posts packed once),
  numpy chunked W @ P.T + argpartition (2 Python threads, BLAS 1 thread each, chunk 256),
  faiss IndexFlatIP search (one direction, and the other direction as a second search).
Every figure is the median of --reps runs inside one process; the checksums (sum of each worker's K best
scores) must agree. Leaves OPENBLAS_CORETYPE as the environment sets it and prints the kernels that ran.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

def ensure(pkgs):
    missing = []
    for mod, pkg in pkgs:
        try:
            __import__(mod)
        except ImportError:
            missing.append(pkg)
    if missing:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", *missing])

ensure([("numpy", "numpy"), ("faiss", "faiss-cpu"), ("threadpoolctl", "threadpoolctl")])
import numpy as np
import faiss
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def median_time(fn, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out

def numpy_topk(Q, X, k, threads, chunk=256, select=True):
    n = Q.shape[0]
    out = np.empty((n, k), dtype=np.float32)
    def work(lo):
        hi = min(n, lo + chunk)
        S = Q[lo:hi] @ X.T
        if select:
            idx = np.argpartition(-S, k - 1, axis=1)[:, :k]
            out[lo:hi] = np.take_along_axis(S, idx, axis=1)
    with threadpool_limits(limits=1, user_api="blas"):
        with ThreadPoolExecutor(threads) as ex:
            list(ex.map(work, range(0, n, chunk)))
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--m", type=int, default=50000)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=None, help="labormatch binary (default: build release in the package)")
    ap.add_argument("--npy", nargs=2, metavar=("W", "P"), help="use these .npy matrices instead of random ones")
    ap.add_argument("--skip-numpy", action="store_true")
    a = ap.parse_args()

    binary = a.binary
    if binary is None:
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "labormatch"], cwd=ROOT)
        binary = os.path.join(ROOT, ".build", "release", "labormatch")

    tmp = tempfile.mkdtemp(prefix="lm-topk-")
    if a.npy:
        wpath, ppath = a.npy
        W, P = np.load(wpath), np.load(ppath)
    else:
        rng = np.random.default_rng(a.seed)
        W = rng.standard_normal((a.n, a.d), dtype=np.float32)
        P = rng.standard_normal((a.m, a.d), dtype=np.float32)
        wpath, ppath = os.path.join(tmp, "W.npy"), os.path.join(tmp, "P.npy")
        np.save(wpath, W); np.save(ppath, P)
    n, m, d, k = W.shape[0], P.shape[0], W.shape[1], a.k
    print(f"# top-K scoring, {n} workers x {m} posts, d={d}, K={k}, threads={a.threads}, reps={a.reps} (medians)")
    print(f"# OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")

    cmd = [binary, "bench", "topk", "--workers-npy", wpath, "--posts-npy", ppath, "--top-k", str(k),
           "--threads", str(a.threads), "--both", "--gemm", "--repeat", str(a.reps)]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    lm = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())
    print(f"# labormatch: {r.stderr.strip()}")
    rows = [("labormatch", "OpenBLAS sgemm, same blocks, no selection (G)", float(lm["seconds_gemm"]), None),
            ("labormatch", "its own GEMMs (packed posts), no selection", float(lm["seconds_kernel"]), None),
            ("labormatch", "top-K per worker", float(lm["seconds"]), float(lm["checksum"])),
            ("labormatch", "top-K both directions (one pass)", float(lm["seconds_both"]), None)]

    faiss.omp_set_num_threads(a.threads)
    index = faiss.IndexFlatIP(d); index.add(P)
    tf, (D, _) = median_time(lambda: index.search(W, k), a.reps)
    rows.append(("faiss IndexFlatIP", "top-K per worker", tf, float(D.astype(np.float64).sum())))
    index2 = faiss.IndexFlatIP(d); index2.add(W)
    tf2, _ = median_time(lambda: index2.search(P, k), a.reps)
    rows.append(("faiss IndexFlatIP", "top-K both directions (two searches)", tf + tf2, None))
    if not a.skip_numpy:
        tg, _ = median_time(lambda: numpy_topk(W, P, k, a.threads, select=False), a.reps)
        rows.append(("numpy", "GEMM only (chunk 256, no selection)", tg, None))
        tn, out = median_time(lambda: numpy_topk(W, P, k, a.threads), a.reps)
        rows.append(("numpy", "top-K per worker (chunk 256 + argpartition)", tn, float(out.astype(np.float64).sum())))

    kernels = sorted({f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in threadpool_info()})
    print(f"# python BLAS kernels: {'; '.join(kernels)}")
    print(f"{'tool':<20} {'task':<46} {'seconds':>8} {'checksum':>18}")
    for tool, task, s, c in rows:
        print(f"{tool:<20} {task:<46} {s:8.3f} {'' if c is None else f'{c:18.3f}'}")
    lm1 = float(lm["seconds"]); lm2 = float(lm["seconds_both"]); g = float(lm["seconds_gemm"])
    print(f"ratio faiss / labormatch (per worker): {tf / lm1:.2f}x")
    print(f"ratio faiss two searches / labormatch both: {(tf + tf2) / lm2:.2f}x")
    if not a.skip_numpy:
        print(f"ratio numpy / labormatch (per worker): {tn / lm1:.2f}x")
    print(f"labormatch both directions / G (OpenBLAS sgemm over the same blocks): {lm2 / g:.2f}x; one direction: {lm1 / g:.2f}x")
    sums = [c for _, _, _, c in rows if c is not None]
    if max(sums) - min(sums) > 1e-3 * max(1.0, abs(max(sums))) * 1e-3:
        print(f"WARNING: checksums differ: {sums}")

if __name__ == "__main__":
    main()
