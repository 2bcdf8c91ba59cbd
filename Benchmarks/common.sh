# Sourced by Benchmarks/province.sh and scaling.sh (set $dir, the scratch folder, first):
#   bench_setup   builds labormatch in release mode ($lm), makes $dir (removed at exit unless KEEP=1) and measures
#                 G ($G): the seconds of the bare blocked GEMMs of 50,000 × 50,000 × 128 (`bench topk --gemm`:
#                 OpenBLAS's sgemm over the scoring's tiles, not the scoring's own GEMM kernel;
#                 median of 3) on random float32 matrices written with Python's standard library, the unit every
#                 benchmark figure is also given in, so that figures travel between machines;
#   timed NAME CMD...   runs CMD with its output in $dir/NAME.log and writes "seconds peak_MB" (from /usr/bin/time)
#                 to $dir/NAME.time; exit codes other than 0 and those in $ACCEPT (e.g. 65: rows rejected) stop.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_setup() {
  [ -x /usr/bin/time ] || { echo "$(basename "$0") needs /usr/bin/time (apt-get install time)" >&2; exit 69; }
  swift build -c release --package-path "$root" >&2
  lm="$root/.build/release/labormatch"
  rm -rf "$dir"; mkdir -p "$dir"
  [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
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
  G=$("$lm" bench topk --workers-npy "$dir/G-W.npy" --posts-npy "$dir/G-P.npy" --top-k 50 --gemm --repeat 3 | awk '$1 == "seconds_gemm" { print $2 }')
  rm -f "$dir/G-W.npy" "$dir/G-P.npy"
  echo "G = $G s" >&2
}

timed() {
  local name=$1; shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$dir/.t" "$@" > "$dir/$name.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && [[ " ${ACCEPT:-} " != *" $rc "* ]]; then cat "$dir/$name.log" >&2; exit 1; fi
  local s kb
  read -r s kb < "$dir/.t"; echo "$s $((kb / 1024))" > "$dir/$name.time"
}
