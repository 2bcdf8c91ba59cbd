import Foundation
import Benchmark
import LaborModel
import MatchCore

/// Scoring + top-K (K = 50, both directions and workers only) at 10k × 10k and 50k × 50k, on the encoding's real
/// width (generated Longlin-like data, seed 1) and on random d = 128 matrices (seed 1). Setup (generation,
/// parsing, encoding) stays out of the measurement.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(30),
        maxIterations: 5
    )

    for size in [10_000, 50_000] {
        let label = size == 10_000 ? "10k" : "50k"
        Benchmark("topK both, random d=128, \(label) x \(label)",
                  configuration: .init(maxIterations: size == 10_000 ? 10 : 3)) { benchmark, input in
            let (w, p) = input
            var cfg = ScoringConfiguration(k: 50, postK: 50)
            cfg.floor = -.infinity
            benchmark.startMeasurement()
            blackHole(ScoreBlocks.topK(workers: w, posts: p, configuration: cfg))
        } setup: {
            Fixtures.random(size, size, 128)
        }

        Benchmark("topK workers only, random d=128, \(label) x \(label)",
                  configuration: .init(maxIterations: size == 10_000 ? 10 : 3)) { benchmark, input in
            let (w, p) = input
            benchmark.startMeasurement()
            blackHole(ScoreBlocks.topK(workers: w, posts: p, configuration: ScoringConfiguration(k: 50)))
        } setup: {
            Fixtures.random(size, size, 128)
        }

        // The GEMMs alone: the scoring's own kernel, and OpenBLAS's sgemm (under the name of the days before the
        // packed kernel, so that stored baselines still compare).
        for (name, selection) in [("GEMM only (packed posts, the scoring's kernel)", ScoringConfiguration.Selection.gemmOnly),
                                  ("GEMM only (same blocks)", .none)] {
            Benchmark("\(name), random d=128, \(label) x \(label)",
                      configuration: .init(maxIterations: size == 10_000 ? 10 : 3)) { benchmark, input in
                let (w, p) = input
                var cfg = ScoringConfiguration(k: 50)
                cfg.selection = selection
                benchmark.startMeasurement()
                blackHole(ScoreBlocks.topK(workers: w, posts: p, configuration: cfg))
            } setup: {
                Fixtures.random(size, size, 128)
            }
        }

        Benchmark("topK both, encoded Longlin data, \(label) x \(label)",
                  configuration: .init(maxIterations: size == 10_000 ? 10 : 3)) { benchmark, input in
            // What `labormatch match` runs: encode, then score both ways.
            let (matcher, workers, posts) = input
            benchmark.startMeasurement()
            blackHole(matcher.candidates(workers: workers, posts: posts, k: 50))
        } setup: {
            try Fixtures.longlin(size, size)
        }
    }
}

enum Fixtures {
    static func random(_ n: Int, _ m: Int, _ d: Int) -> (FeatureMatrix, FeatureMatrix) {
        var g = SplitMix64(seed: 1)
        func gauss() -> Float {
            // Box–Muller from two uniforms.
            let u = max(g.unit(), 1e-12), v = g.unit()
            return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
        }
        let w = FeatureMatrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in gauss() })
        let p = FeatureMatrix(rows: m, columns: d, values: (0..<(m * d)).map { _ in gauss() })
        return (w, p)
    }

    static func longlin(_ n: Int, _ m: Int) throws -> (Matcher, [Worker], [JobPost]) {
        let data = DataDirectory.sourceTreeDataDirectory
        let taxonomy = try Taxonomy.load(directory: data + "/taxonomy")
        let weights = try ScoringWeights.load(path: data + "/weights.csv")
        let files = Generator(workers: n, posts: m, seed: 1).generate()
        let asOf = Generator.defaultAsOf
        let workers = try WorkerIntake.validate(table: CSVTable.parse(data: files.workers.data(), file: "workers.csv"),
                                                file: "workers.csv", taxonomy: taxonomy, asOf: asOf).accepted
        let posts = try PostIntake.validate(table: CSVTable.parse(data: files.posts.data(), file: "posts.csv"),
                                            file: "posts.csv", taxonomy: taxonomy).accepted
        return (Matcher(rules: MatchRules(taxonomy: taxonomy, weights: weights, asOf: asOf)), workers, posts)
    }
}
