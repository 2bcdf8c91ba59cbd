import CBLAS

/// The only place that calls into OpenBLAS. Each C call has one wrapper here that takes `Int` sizes and
/// checks they fit in `Int32`.
enum BLAS {
    /// C (m × n) = A (m × k, row-major, leading dimension lda) · B (n × k, row-major, ldb)ᵀ, overwriting C
    /// (row-major, leading dimension ldc). This is `cblas_sgemm(RowMajor, NoTrans, Trans, ..., alpha 1, beta 0)`.
    static func sgemmNT(m: Int, n: Int, k: Int,
                        a: UnsafePointer<Float>, lda: Int,
                        b: UnsafePointer<Float>, ldb: Int,
                        c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size")
        precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max)
                     && lda <= Int(Int32.max) && ldb <= Int(Int32.max) && ldc <= Int(Int32.max),
                     "GEMM size does not fit in Int32")
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS does not like empty inner dimensions: the product is zero.
            for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            return
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// OpenBLAS's own thread pool size.
    static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS picked at load time (e.g. "Haswell"), for benchmark reports.
    static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}
