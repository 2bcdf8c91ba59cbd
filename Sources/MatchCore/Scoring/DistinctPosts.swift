/// Posts whose feature rows are identical (same occupation, place, wage band, requirements: a third of a county's
/// open posts) score the same against every worker, so the scoring GEMMs run once per distinct row, and the
/// selection scan reads each post's score through the index of its row (CScanKernel's `columnIndex`).
///
/// The posts are taken in an order where equal rows stand together (each group at its first row's place, rows
/// in input order within it), so that a tile of posts needs a contiguous range of distinct rows. Their tie codes
/// go with them, so every list is the same as without grouping: keys carry codes, not positions.
struct DistinctPosts {
    /// Position in the grouped order → the post's row.
    let order: [Int]
    /// The distinct feature rows, in the grouped order.
    let rows: FeatureMatrix
    /// Position in the grouped order → its row in `rows`.
    let distinct: [Int32]

    /// The grouping of `p`'s rows (bit-for-bit equal rows), or nil when fewer than `minShare` of them repeat an
    /// earlier one (then the plain GEMMs are as fast and the scan needs no index).
    static func find(_ p: FeatureMatrix, minShare: Double = 0.1) -> DistinctPosts? {
        let m = p.rows, d = p.columns
        guard m > 1, d > 0 else { return nil }
        // Rows by a 64-bit hash of their bits (FNV-1a: fixed, unlike Swift's per-process seeded Hasher), then
        // equal rows among equal hashes; groups numbered by their first row.
        var group = [Int32](repeating: -1, count: m)
        var groups = 0
        p.values.withUnsafeBufferPointer { v in
            @inline(__always) func bits(_ j: Int, _ c: Int) -> UInt32 { v[j * d + c].bitPattern }
            @inline(__always) func equal(_ a: Int, _ b: Int) -> Bool {
                for c in 0..<d where bits(a, c) != bits(b, c) { return false }
                return true
            }
            var hash = [UInt64](repeating: 0, count: m)
            for j in 0..<m {
                var h: UInt64 = 0xCBF2_9CE4_8422_2325
                for c in 0..<d { h = (h ^ UInt64(bits(j, c))) &* 0x0000_0100_0000_01B3 }
                hash[j] = h
            }
            let byHash = (0..<m).sorted { hash[$0] != hash[$1] ? hash[$0] < hash[$1] : $0 < $1 }
            var first = [Int](repeating: 0, count: m)  // row → first row of its group
            var s = 0
            while s < m {
                var e = s + 1
                while e < m && hash[byHash[e]] == hash[byHash[s]] { e += 1 }
                var heads: [Int] = []
                for t in s..<e {
                    let j = byHash[t]
                    if let h = heads.first(where: { equal(j, $0) }) { first[j] = h } else { heads.append(j); first[j] = j }
                }
                s = e
            }
            for j in 0..<m where first[j] == j { group[j] = Int32(groups); groups += 1 }
            for j in 0..<m { group[j] = group[first[j]] }
        }
        guard Double(m - groups) >= minShare * Double(m) else { return nil }
        // Counting sort by group: groups in order of their first row, rows in input order within each.
        var start = [Int](repeating: 0, count: groups + 1)
        for j in 0..<m { start[Int(group[j]) + 1] += 1 }
        for g in 0..<groups { start[g + 1] += start[g] }
        var order = [Int](repeating: 0, count: m)
        var fill = start
        for j in 0..<m {
            let g = Int(group[j])
            order[fill[g]] = j
            fill[g] += 1
        }
        var rows = FeatureMatrix(rows: groups, columns: d)
        rows.values.withUnsafeMutableBufferPointer { out in
            p.values.withUnsafeBufferPointer { v in
                for g in 0..<groups {
                    let j = order[start[g]]
                    for c in 0..<d { out[g * d + c] = v[j * d + c] }
                }
            }
        }
        let distinct = order.map { group[$0] }
        return DistinctPosts(order: order, rows: rows, distinct: distinct)
    }
}
