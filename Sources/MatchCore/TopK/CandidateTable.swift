/// The K best candidates of each query row, best first: `n × k` scores and ids, a row's unused slots
/// holding id −1 (fewer than K candidates passed the floor). Ties are in `TieOrder` (by the rows' tie codes).
public struct CandidateTable: Sendable, Equatable {
    public let rows: Int
    public let k: Int
    public var scores: [Float]
    public var ids: [Int32]

    public init(rows: Int, k: Int) {
        self.rows = rows
        self.k = k
        scores = Array(repeating: -.infinity, count: rows * k)
        ids = Array(repeating: -1, count: rows * k)
    }

    /// The candidates of row `i`, best first (only the filled slots).
    public func candidates(of i: Int) -> [(id: Int, score: Float)] {
        var out: [(Int, Float)] = []
        for s in 0..<k where ids[i * k + s] >= 0 { out.append((Int(ids[i * k + s]), scores[i * k + s])) }
        return out
    }

    /// Number of filled slots in row `i`.
    public func count(of i: Int) -> Int {
        var c = 0
        for s in 0..<k where ids[i * k + s] >= 0 { c += 1 }
        return c
    }
}
