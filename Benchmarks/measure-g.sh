#!/usr/bin/env bash
# Prints G, the seconds of the bare blocked GEMMs of 50,000 × 50,000 × 128 (`labormatch bench topk --gemm`, the
# median of 3) on random float32 matrices written with Python's standard library (no numpy needed): the unit
# every benchmark figure is also given in, so that figures travel between machines.
# Usage: bash Benchmarks/measure-g.sh LABORMATCH_BINARY SCRATCH_DIR
set -euo pipefail
lm=$1; dir=$2
python3 - "$dir/G-W.npy" "$dir/G-P.npy" <<'EOF'
import array, random, struct, sys
for path, seed in zip(sys.argv[1:], (1, 2)):
    rng = random.Random(seed)
    a = array.array("f", (rng.uniform(-1.0, 1.0) for _ in range(50000 * 128)))
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (50000, 128), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + a.tobytes())
EOF
"$lm" bench topk --workers-npy "$dir/G-W.npy" --posts-npy "$dir/G-P.npy" --top-k 50 --gemm --repeat 3 | awk '$1 == "seconds_gemm" { print $2 }'
rm -f "$dir/G-W.npy" "$dir/G-P.npy"
