import ArgumentParser
import Foundation
import LaborModel

extension LaborMatch {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write synthetic Longlin-like workers.csv and posts.csv (模拟数据; no real people).",
            discussion: "The same seed and --as-of give byte-identical files on any day."
        )

        @Option(help: "Number of workers.")
        var workers: Int = 2000

        @Option(help: "Number of job posts.")
        var posts: Int = 300

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
        var out: String

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Reference date for ages, YYYY-MM-DD (default 2026-01-01, fixed).", valueName: "date"))
        var asOf: AsOfDate?

        @Option(help: "Text encoding of the files: utf8 (with BOM) or gb18030.")
        var encoding: TextEncoding = .utf8

        @Flag(help: "Also write placements.csv (about 60% placed over the last three months) and contributions.csv (three months of social insurance, with job changes and missing months).")
        var history = false

        @Option(help: ArgumentHelp("With --history: months of history (placements start over them; retention simulated as with --truth).", valueName: "n"))
        var months: Int?

        @Option(help: ArgumentHelp("With --history: a known retention model (weights.csv format, logistic coefficients per soft key plus an 'intercept' row) to simulate who stays; 'learn' should find it again.", valueName: "file"))
        var truth: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard workers >= 0, posts >= 0 else { throw ValidationError("--workers and --posts must be 0 or more.") }
            guard encoding == .utf8 || encoding == .gb18030 else { throw ValidationError("Choose --encoding utf8 or gb18030 for output.") }
            if months != nil || truth != nil {
                guard history else { throw ValidationError("--months and --truth go with --history.") }
                guard (1...120).contains(months ?? 12) else { throw ValidationError("--months must be 1–120.") }
            }
        }

        func run() throws {
            try runMapped {
                try OutputFolder.prepare(out)
                let date = asOf?.date ?? Generator.defaultAsOf
                let g = Generator(workers: workers, posts: posts, seed: seed, asOf: date)
                let simulated = months != nil || truth != nil
                var files = g.generate(history: history && !simulated)
                if simulated {
                    // Retention from a known model over the soft blocks: the generated files read back through intake.
                    let model = try truth.map { path in
                        do { return try Retention.Truth.load(path: path) } catch let e as TaxonomyError {
                            Console.err("labormatch: error: \(e)")
                            throw Exit.dataError
                        }
                    } ?? Retention.Truth.standard
                    let taxonomy = try global.taxonomy()
                    let rules = MatchRules(taxonomy: taxonomy, weights: try ScoringWeights.load(path: global.dataDirectory() + "/weights.csv"), asOf: date)
                    let ws = try WorkerIntake.validate(table: CSVTable.parse(data: files.workers.data(), file: "workers"), file: "workers", taxonomy: taxonomy, asOf: date).accepted
                    let ps = try PostIntake.validate(table: CSVTable.parse(data: files.posts.data(), file: "posts"), file: "posts", taxonomy: taxonomy).accepted
                    let h = Retention.simulate(workers: ws, posts: ps, rules: rules, truth: model, months: months ?? 12, seed: seed)
                    files.placements = h.placements
                    files.contributions = h.contributions
                }
                try files.workers.write(to: out + "/workers.csv", encoding: encoding, ownerOnly: true)
                try files.posts.write(to: out + "/posts.csv", encoding: encoding)
                Console.out("wrote \(out)/workers.csv (\(workers) workers) and \(out)/posts.csv (\(posts) posts)")
                if let p = files.placements, let c = files.contributions {
                    try p.write(to: out + "/placements.csv", encoding: encoding, ownerOnly: true)
                    try c.write(to: out + "/contributions.csv", encoding: encoding, ownerOnly: true)
                    Console.out("wrote \(out)/placements.csv and \(out)/contributions.csv")
                }
            }
        }
    }
}
