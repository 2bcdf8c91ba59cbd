#if canImport(Glibc)
import Glibc
#endif
import CScanKernel
import Dispatch

/// The tunables of blocked scoring, kept together (like faiss's `distance_compute_blas_*`), and the one
/// place that decides threads.
public struct ScoringConfiguration: Sendable {
    /// Candidates kept per worker.
    public var k: Int
    /// Candidates kept per post; nil = workers' lists only.
    public var postK: Int?
    /// Dispatch workers, each running the GEMM kernel on its own chunks; for `Selection.none`, OpenBLAS runs one
    /// thread inside each (two workers × 1 BLAS thread beat one caller × 2 BLAS threads on this machine: 2.95 s vs
    /// 3.6 s for 50k × 50k × 128).
    public var threads: Int
    /// Worker rows per GEMM (the chunk a Dispatch worker claims).
    public var chunkRows: Int = 512
    /// Posts per GEMM tile: 512 × 512 scores = 1 MB, which the selection scan reads back from a core's L2 (a
    /// 4 MB tile left L2 for L3 and doubled the scan's time). With the packed GEMM kernel, tiles of 256 and 1,024
    /// columns and chunks of 1,024 rows were no faster (`bench topk --tile-columns/--chunk-rows`, 50k × 50k × 128).
    public var tileColumns: Int = 512
    /// Only scores strictly above the floor are candidates (hard rules push ineligible pairs far below).
    public var floor: Float = -.infinity
    /// Scores are multiplied by this and rounded to integers before selection; nil keeps raw Float scores.
    public var quantization: Float?
    /// `.none` runs OpenBLAS's sgemm over the same tiles without selection: the benchmarks' yardstick G;
    /// `.gemmOnly` runs the tiles' own GEMMs (CScanKernel's `lm_gemm_panels`) without selection.
    public var selection: Selection = .topK

    public enum Selection: Sendable { case topK, none, gemmOnly }

    /// The instruction set of the GEMM kernel and the selection filter (CScanKernel: 0 portable, 1 AVX2 with FMA,
    /// 2 AVX-512F): the best this CPU has; tests lower it to check every level against the reference.
    var scanLevel: Int32 = ScoringConfiguration.bestScanLevel

    /// The widest instruction set the selection filter can use on this CPU.
    public static var bestScanLevel: Int32 { lm_scan_best_level() }

    /// The filter's instruction set by name, for benchmark reports.
    public static var scanKernelName: String { ["portable", "avx2", "avx512"][Int(bestScanLevel)] }

    public init(k: Int, postK: Int? = nil, threads: Int? = nil) {
        precondition(k >= 0, "k must be 0 or more")
        self.k = k
        self.postK = postK
        self.threads = max(1, threads ?? ScoringConfiguration.availableCores)
    }

    /// Cores this process may use.
    public static var availableCores: Int {
        #if canImport(Glibc)
        let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return max(1, n)
        #else
        return 1
        #endif
    }

    /// Sets OpenBLAS's own pool for `workers` Dispatch workers: one BLAS thread each when Dispatch parallelises.
    static func configureBLAS(dispatchWorkers: Int, threads: Int) {
        BLAS.setThreads(dispatchWorkers > 1 ? 1 : threads)
    }

    /// The BLAS kernel in use, for benchmark reports.
    public static var blasCoreName: String { BLAS.coreName }
}
