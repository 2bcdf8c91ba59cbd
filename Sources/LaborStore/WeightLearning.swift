import Foundation
import GRDB
import LaborModel
import MatchCore

/// Weights learned from who stayed: labels each placement by `Retention` from the registry's contributions, fits
/// a ridge logistic regression of retention on the pair's soft blocks (IRLS, normal equations by LAPACKE), turns
/// the coefficients into a weights file on the GEMM grid, and back-tests it against the current weights on the
/// placements that started in the hold-out months.
public struct WeightLearning {
    public struct Options: Sendable {
        public var asOf: CivilDate
        public var holdoutMonths = 3
        public var ridge = 1.0
        public var minimumLabelled = 200
        public init(asOf: CivilDate) { self.asOf = asOf }
    }

    /// One labelled placement: its pair's soft blocks and whether it lasted.
    public struct Labelled: Sendable {
        public var workerID: String
        public var postID: String
        public var start: CivilDate
        public var retained: Bool
        public var features: [Double]
    }

    public struct TooFew: Error, CustomStringConvertible {
        public var labelled: Int
        public var minimum: Int
        public var detail: String
        public var description: String {
            "only \(labelled) labelled placements (at least \(minimum) needed to learn weights; 已有结果的安置不足)" + detail
        }
    }

    /// How one weight set does on the hold-out placements.
    public struct Scores: Codable, Sendable {
        public var logLoss: Double
        public var auc: Double
        /// Retention of the pair each weight set ranks first at each post with two or more hold-out placements.
        public var topPairRetention: Double
        enum CodingKeys: String, CodingKey { case logLoss = "log_loss", auc, topPairRetention = "top_pair_retention" }
    }

    public struct Coefficient: Codable, Sendable {
        public var key: String
        public var estimate: Double
        public var standardError: Double
        /// The value written to the weights file (nil for the intercept).
        public var weight: Double?
        /// The block had one value across the fitted placements: not learned, its current weight kept.
        public var constant = false
        enum CodingKeys: String, CodingKey { case key, estimate, standardError = "standard_error", weight, constant }
    }

    /// learn_report.json.
    public struct Report: Codable, Sendable {
        public var asOf: String
        public var deciding: String
        public var labelled: Int
        public var train: Int
        public var holdout: Int
        public var holdoutFrom: String
        public var leftOut: [String: Int]
        public var retainedShareTrain: Double
        public var retainedShareHoldout: Double
        public var ridge: Double
        public var ridgeNote: String?
        public var iterations: Int
        public var converged: Bool
        public var coefficients: [Coefficient]
        public var current: Scores
        public var learned: Scores
        /// The fitted model itself (unrounded probabilities), for reference.
        public var model: Scores
        public var postsCompared: Int
        enum CodingKeys: String, CodingKey {
            case asOf = "as_of", deciding, labelled, train, holdout, holdoutFrom = "holdout_from", leftOut = "left_out"
            case retainedShareTrain = "retained_share_train", retainedShareHoldout = "retained_share_holdout", ridge
            case ridgeNote = "ridge_note", iterations, converged, coefficients, current, learned, model
            case postsCompared = "posts_compared"
        }
    }

    public let registry: Registry
    public let rules: MatchRules

    public init(registry: Registry, rules: MatchRules) {
        self.registry = registry
        self.rules = rules
    }

    /// The labelled placements (by start, then worker ID) and what was left out, by reason. Two set-based reads:
    /// placements with their post's employer, and the contributions from those employers to those workers.
    public func labelled(asOf: CivilDate) throws -> (rows: [Labelled], leftOut: [String: Int]) {
        let snapshot = try registry.snapshot(taxonomy: rules.taxonomy, asOf: asOf)
        var workers: [String: Worker] = [:], posts: [String: JobPost] = [:]
        for w in snapshot.workers { workers[w.workerID] = w }
        for p in snapshot.posts { posts[p.postID] = p }
        struct Placement { var id: String; var post: String?; var code: String; var start: String; var end: String? }
        let (placements, paid, lastMonth) = try registry.read { db -> ([Placement], Set<String>, String?) in
            let ps = try Row.fetchAll(db, sql: """
                SELECT id_number, post_id, credit_code, start_date, end_date FROM placement
                WHERE start_date <= ? ORDER BY start_date, id_number, id
                """, arguments: [asOf.description]).map { Placement(id: $0[0], post: $0[1], code: $0[2], start: $0[3], end: $0[4]) }
            var paid = Set<String>()
            let c = try Row.fetchCursor(db, sql: """
                SELECT DISTINCT c.id_number, c.credit_code, c.month FROM contribution c
                JOIN placement p ON p.id_number = c.id_number AND p.credit_code = c.credit_code
                """)
            while let r = try c.next() { paid.insert((r[0] as String) + "|" + (r[1] as String) + "|" + (r[2] as String)) }
            let last = try String.fetchOne(db, sql: "SELECT MAX(month) FROM contribution WHERE month < ?",
                                           arguments: [YearMonth(asOf).description])
            return (ps, paid, last)
        }
        var rows: [Labelled] = [], leftOut: [String: Int] = [:]
        let known = lastMonth.flatMap { YearMonth($0) }
        for p in placements {
            guard let start = CivilDate(iso: String(p.start.prefix(10))) else { leftOut["bad start date", default: 0] += 1; continue }
            let deciding = Retention.decidingMonth(start: start)
            guard let known, deciding <= known else { leftOut["younger than its deciding month", default: 0] += 1; continue }
            guard let postID = p.post, let post = posts[postID] else { leftOut["no post in the registry", default: 0] += 1; continue }
            guard let worker = workers[p.id] else { leftOut["worker not valid now", default: 0] += 1; continue }
            let closed = p.end.flatMap { CivilDate(iso: String($0.prefix(10))) }.map { $0 <= deciding.lastDay } ?? false
            let retained = !closed && paid.contains(p.id + "|" + p.code + "|" + deciding.description)
            rows.append(Labelled(workerID: p.id, postID: postID, start: start, retained: retained, features: rules.softBlocks(worker, post)))
        }
        return (rows, leftOut)
    }

    /// Fits, rounds and back-tests. Throws `TooFew` under `minimumLabelled` labelled placements, or when the
    /// hold-out split leaves either side empty.
    public func run(_ o: Options) throws -> (weights: ScoringWeights, report: Report) {
        let (rows, leftOut) = try labelled(asOf: o.asOf)
        let lastNote = leftOut.isEmpty ? "" : "; left out: " + leftOut.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        guard rows.count >= o.minimumLabelled else { throw TooFew(labelled: rows.count, minimum: o.minimumLabelled, detail: lastNote) }
        let lastStart = rows.map { YearMonth($0.start) }.max()!
        var from = lastStart
        for _ in 1..<max(1, o.holdoutMonths) { from = from.previous }
        let train = rows.filter { YearMonth($0.start) < from }, hold = rows.filter { YearMonth($0.start) >= from }
        guard !train.isEmpty, !hold.isEmpty else {
            throw TooFew(labelled: rows.count, minimum: o.minimumLabelled,
                         detail: "; the \(o.holdoutMonths) hold-out months from \(from) leave \(train.count) to fit and \(hold.count) to test")
        }
        let fit = try LogisticRegression(rows: train.map(\.features), labels: train.map(\.retained)).fit(ridge: o.ridge)
        // A block with one value across the fitted placements says nothing about retention: reported, and its
        // weight kept (the ridge holds its coefficient at 0, with no real standard error).
        let constant = Set(ScoringWeights.softKeys.indices.filter { k in Set(train.map { $0.features[k] }).count == 1 })
        let learned = rules.weights.withSoftBlocks(Array(fit.coefficients.dropFirst()), keeping: constant)
        let keys = ScoringWeights.softKeys
        var coefficients = [Coefficient(key: "intercept", estimate: fit.coefficients[0], standardError: fit.standardErrors[0], weight: nil)]
        for (k, key) in keys.enumerated() {
            coefficients.append(Coefficient(key: key, estimate: fit.coefficients[k + 1], standardError: fit.standardErrors[k + 1],
                                            weight: Double(learned.text(forKey: key) ?? ""), constant: constant.contains(k)))
        }
        func score(_ w: ScoringWeights, _ f: [Double]) -> Double { zip(w.softBlockWeights, f).reduce(0) { $0 + $1.0 * $1.1 } }
        // A weight set's scores become probabilities by a one-variable logistic fit on the training placements.
        func evaluate(_ w: ScoringWeights) throws -> Scores {
            let cal = try LogisticRegression(rows: train.map { [score(w, $0.features)] }, labels: train.map(\.retained)).fit(ridge: 0)
            let s = hold.map { score(w, $0.features) }
            let p = s.map { LogisticRegression.sigmoid(cal.coefficients[0] + cal.coefficients[1] * $0) }
            return Scores(logLoss: LogisticRegression.logLoss(p, hold.map(\.retained)), auc: LogisticRegression.auc(s, hold.map(\.retained)),
                          topPairRetention: topPair(s).rate)
        }
        // At each post with two or more hold-out placements, the pair scored first (ties share the post's vote).
        func topPair(_ s: [Double]) -> (rate: Double, posts: Int) {
            var byPost: [String: [Int]] = [:]
            for (i, r) in hold.enumerated() { byPost[r.postID, default: []].append(i) }
            var sum = 0.0, n = 0
            for (_, idx) in byPost where idx.count >= 2 {
                let best = idx.map { s[$0] }.max()!
                let top = idx.filter { s[$0] == best }
                sum += Double(top.filter { hold[$0].retained }.count) / Double(top.count)
                n += 1
            }
            return (n > 0 ? sum / Double(n) : .nan, n)
        }
        let model = LogisticRegression(rows: hold.map(\.features), labels: hold.map(\.retained))
        let mp = model.predict(fit.coefficients)
        let report = Report(
            asOf: o.asOf.description, deciding: "third complete month after the start", labelled: rows.count, train: train.count,
            holdout: hold.count, holdoutFrom: from.description, leftOut: leftOut,
            retainedShareTrain: Double(train.filter(\.retained).count) / Double(train.count),
            retainedShareHoldout: Double(hold.filter(\.retained).count) / Double(hold.count),
            ridge: fit.ridge, ridgeNote: fit.singular.map { "\($0); ridged with \(fit.ridge)" },
            iterations: fit.iterations, converged: fit.converged, coefficients: coefficients,
            current: try evaluate(rules.weights), learned: try evaluate(learned),
            model: Scores(logLoss: LogisticRegression.logLoss(mp, hold.map(\.retained)), auc: LogisticRegression.auc(mp, hold.map(\.retained)),
                          topPairRetention: topPair(mp).rate),
            postsCompared: topPair(mp).posts)
        return (learned, report)
    }
}
