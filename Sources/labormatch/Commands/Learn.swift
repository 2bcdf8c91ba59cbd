import ArgumentParser
import Foundation
import LaborModel
import LaborStore
import MatchCore

extension LaborMatch {
    struct Learn: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Learn the score's soft weights from who stayed (留岗): retention from social-insurance history, fitted with LAPACKE.",
            discussion: """
            A placement is retained when its worker has a contribution from the placement's employer for the third \
            complete month after the start; not retained when the placement closed, or no such contribution exists, by \
            then; younger placements are left out. A ridge logistic regression of retention on the pair's soft blocks \
            (intention by rank, skill, destination, wage met, wage maximum met, board and lodging) is fitted by IRLS on \
            the placements that started before the hold-out months, and tested on those that started in them against \
            the current weights. The output is a weights file on the exact GEMM grid for match, nightly and plan --weights.

            Example:
              labormatch learn --db labormatch.sqlite --out learned-weights.csv --as-of 2026-01-15
              labormatch match --weights learned-weights.csv --workers w.csv --posts p.csv --out out
            """
        )

        @OptionGroup var registry: RegistryOptions

        @Option(help: ArgumentHelp("The weights file to write (weights.csv format); learn_report.json goes beside it.", valueName: "file"))
        var out: String

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Only placements started by this date and months before it, YYYY-MM-DD (default: today).", valueName: "date"))
        var asOf: AsOfDate?

        @Option(name: .customLong("holdout-months"), help: "Start months kept out of the fit to test on (the latest labelled ones).")
        var holdoutMonths = 3

        @Option(help: "Ridge penalty on the soft coefficients (not the intercept).")
        var ridge = 1.0

        @OptionGroup var weightsOption: WeightsOption

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard holdoutMonths >= 1 else { throw ValidationError("--holdout-months must be at least 1.") }
            guard ridge >= 0, ridge.isFinite else { throw ValidationError("--ridge must be 0 or more.") }
        }

        func run() throws {
            try runMapped {
                let date = asOf?.date ?? CivilDate.today()
                try registry.checkFile()
                let reg = try registry.open(create: false)
                let (weights, _) = try weightsOption.load(global)
                let rules = MatchRules(taxonomy: try global.taxonomy(), weights: weights, asOf: date)
                var o = WeightLearning.Options(asOf: date)
                o.holdoutMonths = holdoutMonths
                o.ridge = ridge
                let learned: ScoringWeights, report: WeightLearning.Report
                do { (learned, report) = try WeightLearning(registry: reg, rules: rules).run(o) } catch let e as WeightLearning.TooFew {
                    Console.err("labormatch: error: \(e)")
                    throw Exit.dataError
                } catch let e as LAPACK.LAPACKError {
                    Console.err("labormatch: error: the fit failed: \(e)")
                    throw Exit.dataError
                }
                try OutputFolder.prepare(URL(fileURLWithPath: out).deletingLastPathComponent().path)
                try learned.csv(template: weightsOption.path(global)).write(to: out)
                let reportPath = URL(fileURLWithPath: out).deletingLastPathComponent().path + "/learn_report.json"
                try AtomicFile.write(try JSONOutput.encode(report), to: reportPath)
                print(report, weights: weights)
                Console.out("wrote \(out) and \(reportPath)")
            }
        }

        func print(_ r: WeightLearning.Report, weights: ScoringWeights) {
            Console.out("labelled placements: \(r.labelled) (fit on \(r.train) started before \(r.holdoutFrom), tested on \(r.holdout) from it); retained \(String(format: "%.1f%%", r.retainedShareTrain * 100)) / \(String(format: "%.1f%%", r.retainedShareHoldout * 100))")
            if !r.leftOut.isEmpty {
                Console.out("left out: " + r.leftOut.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            }
            if let note = r.ridgeNote { Console.err("labormatch: warning: \(note)") }
            if !r.converged { Console.err("labormatch: warning: IRLS did not converge in \(r.iterations) steps; try a larger --ridge") }
            Console.out("")
            Console.out("key              coefficient   std.err   current   learned")
            for c in r.coefficients {
                let current = c.key == "intercept" ? "" : (weights.text(forKey: c.key) ?? "")
                Console.out(c.key.padding(toLength: 15, withPad: " ", startingAt: 0)
                            + String(format: " %12.4f %9.4f ", c.estimate, c.standardError)
                            + current.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + (c.weight.map { WeightText.format($0) } ?? "")
                            + (c.constant ? "  (one value in every placement: not learned, kept)" : ""))
            }
            Console.out("")
            Console.out("back-test on \(r.holdout) hold-out placements   log-loss     AUC   top pair retained (\(r.postsCompared) posts)")
            for (name, s) in [("current weights", r.current), ("learned weights", r.learned), ("fitted model", r.model)] {
                Console.out(name.padding(toLength: 44, withPad: " ", startingAt: 0)
                            + String(format: " %8.4f  %6.4f   %.1f%%", s.logLoss, s.auc, s.topPairRetention * 100))
            }
        }
    }
}

/// Numbers as the weights file writes them (no trailing zeros).
enum WeightText {
    static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
