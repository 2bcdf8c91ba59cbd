import Foundation
import MatchCore

/// Retention: did a placement last? A placement is *retained* when its worker has a contribution from the
/// placement's employer for the third complete month after its start; *not retained* when the placement closed,
/// or no such contribution exists, by then. Placements whose deciding month has not passed are left out.
public enum Retention {
    /// The third complete month after `start`: a start on the 1st makes its own month the first complete one.
    public static func decidingMonth(start: CivilDate) -> YearMonth {
        var m = YearMonth(start)
        if start.day != 1 { m = m.next }
        return m.next.next
    }

    /// A known logistic model of retention over the soft blocks (`ScoringWeights.softKeys`) plus an intercept:
    /// what `generate --truth` simulates from and what `learn` should find again. The file has the format of
    /// `Data/weights.csv` (key, value[, meaning]) with an `intercept` row; values are logistic coefficients.
    public struct Truth: Sendable, Equatable {
        public var intercept: Double
        public var blocks: [Double]

        public init(intercept: Double, blocks: [Double]) {
            precondition(blocks.count == ScoringWeights.softKeys.count, "one coefficient per soft key")
            self.intercept = intercept
            self.blocks = blocks
        }

        /// Without a file: retention leans on the default weights' blocks, a third of them per score point.
        public static let standard = Truth(intercept: -0.5, blocks: ScoringWeights().softBlockWeights.map { $0 / 3 })

        public func probability(_ f: [Double]) -> Double {
            LogisticRegression.sigmoid(intercept + zip(blocks, f).reduce(0) { $0 + $1.0 * $1.1 })
        }

        public static func load(path: String) throws -> Truth {
            let table: CSVTable
            do { table = try CSVTable.read(path: path) } catch {
                throw TaxonomyError(file: path, line: nil, message: "\(error)")
            }
            let header = table.header.map { Normalize.cell($0) }
            guard let ki = header.firstIndex(of: "key"), let vi = header.firstIndex(of: "value") else {
                throw TaxonomyError(file: path, line: 1, message: "needs columns 'key' and 'value'")
            }
            var values: [String: Double] = [:]
            for r in table.records {
                let key = ki < r.fields.count ? Normalize.cell(r.fields[ki]) : ""
                let text = vi < r.fields.count ? Normalize.cell(r.fields[vi]) : ""
                guard !key.isEmpty, key == "intercept" || ScoringWeights.softKeys.contains(key) else { continue }
                guard let v = Double(text), v.isFinite, abs(v) <= 20 else {
                    throw TaxonomyError(file: path, line: r.line, message: "\(key) = '\(text)': must be a number from −20 to 20")
                }
                guard values.updateValue(v, forKey: key) == nil else {
                    throw TaxonomyError(file: path, line: r.line, message: "\(key): set twice")
                }
            }
            let missing = (["intercept"] + ScoringWeights.softKeys).filter { values[$0] == nil }
            guard missing.isEmpty else {
                throw TaxonomyError(file: path, line: nil, message: "missing \(missing.joined(separator: ", ")) (缺少参数)")
            }
            return Truth(intercept: values["intercept"]!, blocks: ScoringWeights.softKeys.map { values[$0]! })
        }
    }

    /// Simulates `months` months of placements and contributions ending the month before `rules.asOf`: about
    /// 60% of workers placed once, starts spread evenly, most on a post of one of their intentions; each
    /// placement retained with the truth's probability for its soft blocks. A retained worker pays the employer
    /// every month from the start (and may leave later, 3% a month); one not retained pays until a month before
    /// the deciding one and then nothing, or pays another employer (a job change).
    public static func simulate(workers: [Worker], posts: [JobPost], rules: MatchRules, truth: Truth, months: Int,
                                seed: UInt64) -> (placements: CSVWriter, contributions: CSVWriter) {
        var placements = CSVWriter(header: Generator.placementHeader)
        var contributions = CSVWriter(header: Generator.contributionHeader)
        guard !posts.isEmpty, months >= 1 else { return (placements, contributions) }
        var rng = SplitMix64(seed: seed ^ 0x5245_5445_4E54_494F)
        let last = YearMonth(rules.asOf).previous
        var span = [last]
        while span.count < months { span.insert(span[0].previous, at: 0) }
        var byOccupation: [Int: [Int]] = [:]
        for (j, p) in posts.enumerated() { byOccupation[p.occupation, default: []].append(j) }
        for w in workers where rng.chance(0.6) {
            var j = rng.below(posts.count)
            if rng.chance(0.7), !w.intentions.isEmpty, let js = byOccupation[w.intentions[rng.below(w.intentions.count)]] {
                j = js[rng.below(js.count)]
            }
            let p = posts[j]
            let startMonth = span[rng.below(span.count)]
            let start = CivilDate(year: startMonth.year, month: startMonth.month,
                                  day: 1 + rng.below(CivilDate.daysIn(month: startMonth.month, year: startMonth.year)))!
            placements.append([w.workerID, p.postID, start.description])
            let retained = rng.unit() < truth.probability(rules.softBlocks(w, p))
            let deciding = decidingMonth(start: start)
            // The first month without this employer's contribution (nil: pays to the end).
            var leave: YearMonth?
            var other: String?
            if retained {
                var m = deciding.next
                while m <= last { if rng.chance(0.03) { leave = m; break }; m = m.next }
            } else {
                var choices: [YearMonth] = []
                var m = startMonth
                while m <= deciding { choices.append(m); m = m.next }
                leave = choices[rng.below(choices.count)]
                if rng.chance(0.4) {
                    let q = posts[rng.below(posts.count)].creditCode
                    if q != p.creditCode { other = q }
                }
            }
            var m = startMonth
            while m <= last {
                if leave.map({ m < $0 }) ?? true {
                    contributions.append([w.workerID, p.creditCode, m.description])
                } else if let other {
                    contributions.append([w.workerID, other, m.description])
                }
                m = m.next
            }
        }
        return (placements, contributions)
    }
}
