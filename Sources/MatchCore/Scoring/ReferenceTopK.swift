/// Plain-loop top-K with the same rules as `ScoreBlocks` (bias, quantisation, floor, ties by `TieOrder`): the test
/// oracle for the blocked path, and fine for tiny problems.
public enum ReferenceTopK {
    /// - Complexity: O(n·m·d + n·m·log k).
    public static func topK(workers w: FeatureMatrix, posts p: FeatureMatrix, bias: [Float]? = nil,
                            codes: TieCodes? = nil, k: Int, postK: Int?, floor: Float = -.infinity,
                            quantization: Float? = nil) -> ScoringResult {
        let n = w.rows, m = p.rows
        let codes = codes ?? TieCodes(workers: n, posts: m)
        var score = [Float](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                // Float32 products summed in Double: exact for the encoder's binary-fraction weights.
                var s = Float(w.dot(row: i, p, row: j))
                s += bias?[j] ?? 0
                if let q = quantization { s = (s * q + 12_582_912) - 12_582_912 }
                score[i * m + j] = s
            }
        }
        func table(_ rows: Int, _ cols: Int, _ kk: Int, owners: [UInt32], candidates: [UInt32],
                   _ at: (Int, Int) -> Float) -> CandidateTable {
            var t = CandidateTable(rows: rows, k: min(kk, cols))
            for r in 0..<rows {
                var list: [(Float, Int32)] = []
                for c in 0..<cols where at(r, c) > floor { list.append((at(r, c), Int32(c))) }
                list.sort { TieOrder.before(owner: owners[r], $0.0, candidates[Int($0.1)], $1.0, candidates[Int($1.1)]) }
                for s in 0..<min(t.k, list.count) {
                    t.scores[r * t.k + s] = list[s].0
                    t.ids[r * t.k + s] = list[s].1
                }
            }
            return t
        }
        let byWorker = table(n, m, k, owners: codes.workers, candidates: codes.posts) { score[$0 * m + $1] }
        let byPost = postK.map { pk in table(m, n, pk, owners: codes.posts, candidates: codes.workers) { score[$1 * m + $0] } }
        return ScoringResult(byWorker: byWorker, byPost: byPost)
    }
}
