import MatchCore

/// Encodes workers and posts as Float matrices so that W[w] · P[p] + bias[p] = `MatchRules.score(w, p)`
/// exactly (see `ScoringWeights` for why it is exact). Blocks of columns:
///
/// | block | worker row | post row |
/// |---|---|---|
/// | occupation (one per trade) | value of that trade: intention weight by rank, or skill weight, × substitution credit (best source) | `occupation` weight on its own trade |
/// | destination (one per place) | 1 on each preferred place (all of them when anywhere) | `destination` weight on its location |
/// | wage (bucket 0 = no expectation, one per edge, one above all) | 1 on its expectation's bucket | `wage.met` where the edge ≤ 月薪下限, `wage.max_met` where ≤ 月薪上限 |
/// | education (rank 0 = unknown, 1…R) | 1 on its rank | −big on ranks below its minimum |
/// | age (16…65, one "outside" column) | 1 on its age on the as-of date | −big on ages outside its range (18–60 where it sets none) and on "outside" |
/// | certificates (one each) | 1 on each certificate it *lacks* (after B2 → C1 implications) | −big on each required one |
/// | bias | — | `board_lodging` when 包吃住; −big when the employer is excluded |
public struct MatchEncoder: Sendable {
    public let rules: MatchRules

    public struct Layout: Sendable {
        public var occupation: Range<Int>
        public var destination: Range<Int>
        public var wage: Range<Int>
        public var education: Range<Int>
        public var age: Range<Int>
        public var certificates: Range<Int>
        public var columns: Int { certificates.upperBound }
    }

    public let layout: Layout

    public init(rules: MatchRules) {
        self.rules = rules
        let t = rules.taxonomy
        var c = 0
        func block(_ n: Int) -> Range<Int> { defer { c += n }; return c..<(c + n) }
        layout = Layout(occupation: block(t.occupations.count), destination: block(t.destinations.count),
                        wage: block(rules.weights.wageEdges.count + 2), education: block(t.educationRanks + 1),
                        age: block(MatchRules.oldest - MatchRules.youngest + 2), certificates: block(t.certificates.count))
    }

    /// The quantised floor: a candidate must score above it.
    public var floor: Float { Float(rules.weights.floor) * ScoringWeights.quantization }

    public func encode(workers: [Worker]) -> FeatureMatrix {
        var m = FeatureMatrix(rows: workers.count, columns: layout.columns)
        let t = rules.taxonomy, wt = rules.weights, d = layout.columns
        m.values.withUnsafeMutableBufferPointer { v in
            for (i, w) in workers.enumerated() {
                let row = i * d
                for o in 0..<t.occupations.count {
                    let value = rules.occupationValue(w, o).value
                    if value != 0 { v[row + layout.occupation.lowerBound + o] = Float(value) }
                }
                if let ds = w.destinations {
                    for p in ds { v[row + layout.destination.lowerBound + p] = 1 }
                } else {
                    for p in layout.destination { v[row + p] = 1 }
                }
                v[row + layout.wage.lowerBound + wt.wageBucket(w.expectedWage)] = 1
                v[row + layout.education.lowerBound + rules.educationRank(w.education)] = 1
                let a = rules.age(w)
                let ageCol = (MatchRules.youngest...MatchRules.oldest).contains(a) ? a - MatchRules.youngest : layout.age.count - 1
                v[row + layout.age.lowerBound + ageCol] = 1
                let held = Set(t.closure(ofCertificates: w.certificates))
                for c in 0..<t.certificates.count where !held.contains(c) { v[row + layout.certificates.lowerBound + c] = 1 }
            }
        }
        return m
    }

    public func encode(posts: [JobPost]) -> (matrix: FeatureMatrix, bias: [Float]) {
        var m = FeatureMatrix(rows: posts.count, columns: layout.columns)
        var bias = [Float](repeating: 0, count: posts.count)
        let t = rules.taxonomy, wt = rules.weights, d = layout.columns
        let big = Float(-wt.big)
        m.values.withUnsafeMutableBufferPointer { v in
            for (j, p) in posts.enumerated() {
                let row = j * d
                v[row + layout.occupation.lowerBound + p.occupation] = Float(wt.occupation)
                v[row + layout.destination.lowerBound + p.location] = Float(wt.destination)
                for b in 0..<layout.wage.count {
                    let edge = wt.bucketEdge(b)
                    let value = edge <= p.wageMin ? wt.wageMet : edge <= p.wageMax ? wt.wageMaxMet : 0
                    v[row + layout.wage.lowerBound + b] = Float(value)
                }
                if let e = p.educationMin {
                    let minRank = t.education[e].rank
                    for r in 0..<minRank { v[row + layout.education.lowerBound + r] = big }
                }
                let (lo, hi) = MatchRules.ageBounds(p)
                for a in MatchRules.youngest...MatchRules.oldest where a < lo || a > hi {
                    v[row + layout.age.lowerBound + a - MatchRules.youngest] = big
                }
                v[row + layout.age.upperBound - 1] = big
                for c in p.requiredCertificates { v[row + layout.certificates.lowerBound + c] = big }
                bias[j] = (p.boardLodging ? Float(wt.boardLodging) : 0) + (rules.excludedEmployers.contains(p.creditCode) ? big : 0)
            }
        }
        return (m, bias)
    }
}
