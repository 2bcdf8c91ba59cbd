/// Greedy baseline: best edge first. Edges are taken in order of (weight descending, worker, post) and kept when
/// the worker is free and the post has room. Deterministic; usually 85–95% of the optimum.
///
/// - Complexity: O(E log E) for the sort, O(E) for the scan.
public enum GreedyAssigner {
    public static func solve(_ p: AssignmentProblem) -> Assignment {
        let e = p.edgeCount
        var order = [Int32](unsafeUninitializedCapacity: e) { buf, n in
            for i in 0..<e { buf[i] = Int32(i) }
            n = e
        }
        // Edges are stored by (worker, post), so a stable sort by weight alone gives the tie order.
        let w = p.workerWeight
        order.sort { w[Int($0)] > w[Int($1)] || (w[Int($0)] == w[Int($1)] && $0 < $1) }
        var owner = [Int32](repeating: -1, count: p.workers)
        var room = p.capacity
        // The worker of each edge, from the by-worker ranges.
        var workerOfEdge = [Int32](repeating: 0, count: e)
        for i in 0..<p.workers { for k in p.workerStart[i]..<p.workerStart[i + 1] { workerOfEdge[k] = Int32(i) } }
        var objective: Int64 = 0
        for k in order {
            let i = Int(workerOfEdge[Int(k)]), j = Int(p.workerPost[Int(k)])
            if owner[i] < 0 && room[j] > 0 && w[Int(k)] > 0 {
                owner[i] = Int32(j)
                room[j] -= 1
                objective += w[Int(k)]
            }
        }
        return Assignment(postOf: owner, objective: objective)
    }
}
