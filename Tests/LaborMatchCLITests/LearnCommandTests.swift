import Foundation
import Testing
import LaborModel
import LaborStore

/// `learn` on a generated county whose retention follows a known logistic model (Tests/Data/retention-truth.csv).
@Suite(.serialized) struct LearnCommandTests {
    static let truthPath = CLI.root + "/Tests/Data/retention-truth.csv"

    /// 20,000 workers, 12 months of placements and contributions, imported into a registry.
    static let county: String = {
        let dir = CLI.tempDir()
        _ = try? CLI.run(["generate", "--workers", "20000", "--posts", "1500", "--seed", "3", "--history", "--months", "12",
                          "--truth", truthPath, "--as-of", "2026-01-15", "--out", dir + "/g"])
        for kind in ["workers", "posts", "placements", "contributions"] {
            _ = try? CLI.run(["import", kind, dir + "/g/\(kind).csv", "--db", dir + "/r.sqlite", "--as-of", "2026-01-15"])
        }
        return dir
    }()

    @Test func findsTheTruthAgainAndBeatsTheCurrentWeights() throws {
        let dir = Self.county
        let r = try CLI.run(["learn", "--db", dir + "/r.sqlite", "--out", dir + "/learned/weights.csv", "--as-of", "2026-01-15"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("labelled placements:") && r.stdout.contains("back-test on"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/learned/learn_report.json"))) as! [String: Any]
        let truth = try Retention.Truth.load(path: Self.truthPath)
        let want = ["intercept": truth.intercept].merging(zip(ScoringWeights.softKeys, truth.blocks).map { ($0, $1) }) { a, _ in a }
        var checked = 0
        for c in report["coefficients"] as! [[String: Any]] where !(c["constant"] as! Bool) {
            let key = c["key"] as! String, est = c["estimate"] as! Double, se = c["standard_error"] as! Double
            #expect(abs(est - want[key]!) <= 3 * se, "\(key): \(est) ± \(se), truth \(want[key]!)")
            #expect((est > 0) == (want[key]! > 0), "\(key): sign")
            checked += 1
        }
        #expect(checked >= 7)
        let current = report["current"] as! [String: Any], learned = report["learned"] as! [String: Any]
        #expect((learned["auc"] as! Double) >= (current["auc"] as! Double))
        #expect((report["labelled"] as! Int) >= 200 && (report["holdout"] as! Int) > 0)
        // The file loads as weights, keeps the hard rules, and match records its hash.
        let w = try ScoringWeights.load(path: dir + "/learned/weights.csv")
        #expect(w.big == ScoringWeights().big && w.wageEdges == ScoringWeights().wageEdges && w != ScoringWeights())
        let m = try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir + "/m",
                             "--as-of", "2026-01-15", "--weights", dir + "/learned/weights.csv"])
        #expect(m.status == 0, "\(m.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m/summary.json"))) as! [String: Any]
        #expect((summary["inputs"] as! [String: String])["weights"] == (try FileDigest.sha256Hex(path: dir + "/learned/weights.csv")))
        let missing = try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir + "/m2",
                                   "--weights", dir + "/none.csv"])
        #expect(missing.status == 66 && missing.stderr.contains("none.csv"))
    }

    /// Too little history: refused with the count (exit 65), nothing written.
    @Test func refusesUnder200LabelledPlacements() throws {
        let dir = CLI.tempDir()
        _ = try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs"], cwd: dir)
        let r = try CLI.run(["learn", "--db", dir + "/labormatch.sqlite", "--out", dir + "/w.csv", "--as-of", "2026-01-15"])
        #expect(r.status == 65 && r.stderr.contains("labelled placements (at least 200 needed"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/w.csv"))
    }

    @Test func aBadTruthFileIsNamed() throws {
        let dir = CLI.tempDir()
        try "key,value\nintercept,-1\nintention.1,abc\n".write(toFile: dir + "/t.csv", atomically: false, encoding: .utf8)
        let r = try CLI.run(["generate", "--workers", "100", "--posts", "10", "--history", "--truth", dir + "/t.csv", "--out", dir + "/g"])
        #expect(r.status == 65 && r.stderr.contains("t.csv") && r.stderr.contains("intention.1 = 'abc'"), "\(r.stderr)")
    }
}
