import ArgumentParser
import Foundation
import LaborModel
import MatchCore

extension LaborMatch {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmark kernels on the same inputs the peer scripts use.",
            subcommands: [TopK.self, ORLib.self]
        )
    }
}

extension LaborMatch.Bench {
    struct TopK: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "topk",
            abstract: "Each worker's top-K posts by inner product, from NumPy float32 matrices.",
            discussion: """
            Prints 'seconds S' (the computation alone, after loading; the median of --repeat runs) and 'checksum C' \
            (the sum over workers of their K best scores, in Float64). --both also computes each post's top-K \
            workers and prints 'seconds_both S2'; --gemm also runs OpenBLAS's sgemm over the same tiles without \
            selection and prints 'seconds_gemm G' (the yardstick G), then the scoring's own GEMMs (posts packed once, \
            CScanKernel) without selection: 'seconds_kernel S3'.
            """
        )

        @Option(name: .customLong("workers-npy"), help: ArgumentHelp("Worker matrix (n × d float32 .npy).", valueName: "file"))
        var workersNpy: String

        @Option(name: .customLong("posts-npy"), help: ArgumentHelp("Post matrix (m × d float32 .npy).", valueName: "file"))
        var postsNpy: String

        @Option(name: .customLong("top-k"), help: "Candidates per worker (and per post with --both).")
        var topK: Int = 50

        @Option(help: "Threads (default: all cores).")
        var threads: Int?

        @Flag(help: "Also compute each post's top-K workers in the same pass.")
        var both = false

        @Flag(help: "Also time the GEMMs alone, no selection: OpenBLAS's sgemm over the same tiles (G), then the scoring's own kernel.")
        var gemm = false

        @Option(help: "Runs to take the median of.")
        var `repeat`: Int = 1

        @Option(name: .customLong("chunk-rows"), help: "Worker rows per GEMM.")
        var chunkRows: Int = ScoringConfiguration(k: 1).chunkRows

        @Option(name: .customLong("tile-columns"), help: "Posts per GEMM tile.")
        var tileColumns: Int = ScoringConfiguration(k: 1).tileColumns

        func validate() throws {
            guard topK >= 1 else { throw ValidationError("--top-k must be at least 1.") }
            guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1.") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            guard chunkRows >= 1, tileColumns >= 1 else { throw ValidationError("--chunk-rows and --tile-columns must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                let w = try NPY.readMatrix(path: workersNpy)
                let p = try NPY.readMatrix(path: postsNpy)
                guard w.columns == p.columns else {
                    Console.err("labormatch: error: \(workersNpy) has \(w.columns) columns but \(postsNpy) has \(p.columns)")
                    throw Exit.dataError
                }
                func config(_ postK: Int?, _ sel: ScoringConfiguration.Selection) -> ScoringConfiguration {
                    var c = ScoringConfiguration(k: topK, postK: postK, threads: threads)
                    c.chunkRows = chunkRows
                    c.tileColumns = tileColumns
                    c.selection = sel
                    return c
                }
                func time(_ cfg: ScoringConfiguration) -> (Double, ScoringResult) {
                    var times: [Double] = []
                    var last: ScoringResult?
                    for _ in 0..<`repeat` {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        last = ScoreBlocks.topK(workers: w, posts: p, configuration: cfg)
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    }
                    times.sort()
                    return (times[times.count / 2], last!)
                }
                let (s, r) = time(config(nil, .topK))
                var checksum = 0.0
                for i in 0..<r.byWorker.rows { for c in r.byWorker.candidates(of: i) { checksum += Double(c.score) } }
                Console.out(String(format: "seconds %.4f", s))
                Console.out(String(format: "checksum %.6f", checksum))
                if both {
                    let (s2, _) = time(config(topK, .topK))
                    Console.out(String(format: "seconds_both %.4f", s2))
                }
                if gemm {
                    let (g, _) = time(config(nil, .none))
                    Console.out(String(format: "seconds_gemm %.4f", g))
                    let (kg, _) = time(config(nil, .gemmOnly))
                    Console.out(String(format: "seconds_kernel %.4f", kg))
                }
                Console.err("blas_core \(ScoringConfiguration.blasCoreName), scan \(ScoringConfiguration.scanKernelName), threads \(threads ?? ScoringConfiguration.availableCores), n \(w.rows), m \(p.rows), d \(w.columns), k \(topK)")
            }
        }
    }
}

extension LaborMatch.Bench {
    struct ORLib: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "orlib",
            abstract: "Solve an OR-Library linear assignment instance (minimum cost) and print 'optimum N'.",
            discussion: "Dense (assignN) or sparse (assignpN) format. Also prints 'seconds S' (solve only) and 'verified yes' once the dual certificate checks."
        )

        @Argument(help: ArgumentHelp("The instance file, e.g. ../shared/testdata/orlib/assign800.txt.", valueName: "file"))
        var file: String

        func run() throws {
            try runMapped {
                let inst = try ORLibraryInstance.read(path: file)
                var clock = Stopwatch()
                let r = try inst.solveMinimumCost()
                let seconds = clock.lap()
                guard r.perfect else {
                    Console.err("labormatch: error: \(file): no perfect assignment exists")
                    throw Exit.dataError
                }
                Console.out("optimum \(r.cost)")
                Console.out(String(format: "seconds %.4f", seconds))
                if let proven = DualCertificate.withDuals(r.problem, r.assignment), DualCertificate.verify(r.problem, proven) == nil {
                    Console.out("verified yes")
                } else {
                    Console.err("labormatch: error: the solution failed its optimality check")
                    throw Exit.software
                }
            }
        }
    }
}
