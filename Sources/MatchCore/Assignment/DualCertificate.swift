/// The proof that an assignment is optimal: exact integer dual prices, and the check of the optimality
/// conditions of the b-matching linear programme (whose optimum is integral on a bipartite graph):
///
///     maximise Σ a_ij x_ij  s.t.  Σ_j x_ij ≤ 1,  Σ_i x_ij ≤ c_j,  x ≥ 0
///     minimise Σ π_i + Σ c_j u_j  s.t.  π_i + u_j ≥ a_ij,  π, u ≥ 0
///
/// Complementary slackness: π_i + u_j = a_ij on assigned edges, π_i > 0 only for placed workers, u_j > 0 only
/// for full posts. A primal and dual pair that satisfies these is optimal (R. K. Ahuja, T. L. Magnanti,
/// J. B. Orlin, *Network Flows*, 1993, §9.4 and §12.3).
public enum DualCertificate {
    /// Computes exact duals for an assignment by a label-correcting shortest-path pass (Bellman–Ford with a FIFO
    /// queue) over its residual network, and returns the assignment with `workerProfit` and `postPrice` set.
    ///
    /// Distances are taken from the source, so a post's price is the largest gain of any augmenting path that
    /// ends at it: exactly what one more opening there would add. Nodes the source cannot reach start from a
    /// large offset instead (a virtual root), which keeps every reduced cost non-negative.
    /// - Returns: nil when the residual network has a negative cycle, i.e. the assignment is not optimal.
    /// - Complexity: O(E) per pass; a few passes when the assignment is optimal.
    public static func withDuals(_ p: AssignmentProblem, _ a: Assignment) -> Assignment? {
        let n = p.workers, m = p.posts
        // Node ids: 0 = source, 1 = sink, 2 ..< 2 + n workers, 2 + n ..< 2 + n + m posts.
        let nodes = 2 + n + m
        var load = [Int32](repeating: 0, count: m)
        var assignedWeight = [Int64](repeating: 0, count: n)
        for i in 0..<n where a.postOf[i] >= 0 {
            load[Int(a.postOf[i])] += 1
            guard let w = p.weight(worker: i, post: Int(a.postOf[i])) else { return nil }
            assignedWeight[i] = w
        }
        let flow = a.placed
        // Workers assigned to each post (for the post → worker residual arcs).
        var matchedStart = [Int](repeating: 0, count: m + 1)
        for i in 0..<n where a.postOf[i] >= 0 { matchedStart[Int(a.postOf[i]) + 1] += 1 }
        for j in 0..<m { matchedStart[j + 1] += matchedStart[j] }
        var matched = [Int32](repeating: 0, count: n)
        var fill = matchedStart
        for i in 0..<n where a.postOf[i] >= 0 {
            let j = Int(a.postOf[i])
            matched[fill[j]] = Int32(i)
            fill[j] += 1
        }
        var total: Int64 = 1
        for w in p.workerWeight { total += w }
        var d = [Int64](repeating: 2 * total + 1, count: nodes)
        d[0] = 0
        var inQueue = [Bool](repeating: true, count: nodes)
        var relaxations = [Int32](repeating: 0, count: nodes)
        var queue = RingQueue(capacity: nodes + 1)
        for v in 0..<nodes { queue.push(Int32(v)) }
        func relax(_ v: Int, _ value: Int64, _ queue: inout RingQueue) -> Bool {
            guard value < d[v] else { return true }
            d[v] = value
            relaxations[v] += 1
            if relaxations[v] > Int32(nodes) { return false }
            if !inQueue[v] {
                inQueue[v] = true
                queue.push(Int32(v))
            }
            return true
        }
        while let x = queue.pop() {
            let u = Int(x)
            inQueue[u] = false
            let du = d[u]
            var ok = true
            if u == 0 {
                ok = ok && relax(1, du, &queue)
                for i in 0..<n where a.postOf[i] < 0 { ok = ok && relax(2 + i, du, &queue) }
            } else if u == 1 {
                if flow > 0 { ok = ok && relax(0, du, &queue) }
                for j in 0..<m where load[j] > 0 { ok = ok && relax(2 + n + j, du, &queue) }
            } else if u < 2 + n {
                let i = u - 2
                let own = Int(a.postOf[i])
                if own >= 0 { ok = ok && relax(0, du, &queue) }
                for e in p.workerStart[i]..<p.workerStart[i + 1] where Int(p.workerPost[e]) != own {
                    ok = ok && relax(2 + n + Int(p.workerPost[e]), du - p.workerWeight[e], &queue)
                }
            } else {
                let j = u - 2 - n
                if load[j] < p.capacity[j] { ok = ok && relax(1, du, &queue) }
                for k in matchedStart[j]..<matchedStart[j + 1] {
                    let i = Int(matched[k])
                    ok = ok && relax(2 + i, du + assignedWeight[i], &queue)
                }
            }
            if !ok { return nil }
        }
        // Shift so that the source is at 0; with flow the sink is then at 0 too.
        let base = d[0]
        var price = [Int64](repeating: 0, count: m)
        for j in 0..<m { price[j] = max(0, -(d[2 + n + j] - base)) }
        var profitOf = [Int64](repeating: 0, count: n)
        for i in 0..<n where a.postOf[i] >= 0 { profitOf[i] = assignedWeight[i] - price[Int(a.postOf[i])] }
        var out = a
        out.workerProfit = profitOf
        out.postPrice = price
        return out
    }

    /// Checks primal feasibility, dual feasibility and complementary slackness. Sums and reduced costs are
    /// computed in 128 bits, so that duals from anywhere (a file, a forged certificate) cannot overflow.
    /// - Returns: nil when the assignment is proven optimal, else what failed.
    public static func verify(_ p: AssignmentProblem, _ a: Assignment) -> String? {
        let n = p.workers, m = p.posts
        guard a.postOf.count == n else { return "one post per worker expected" }
        var load = [Int32](repeating: 0, count: m)
        var objective: Int128 = 0
        for i in 0..<n where a.postOf[i] >= 0 {
            let j = Int(a.postOf[i])
            guard j < m, let w = p.weight(worker: i, post: j) else { return "worker \(i) is placed on post \(j) without an edge" }
            load[j] += 1
            objective += Int128(w)
        }
        for j in 0..<m where load[j] > p.capacity[j] { return "post \(j) holds \(load[j]) but has \(p.capacity[j]) openings" }
        guard objective == Int128(a.objective) else { return "objective \(a.objective) but the placed edges weigh \(objective)" }
        guard let pi = a.workerProfit, let u = a.postPrice, pi.count == n, u.count == m else { return "no dual prices" }
        var dual: Int128 = 0
        for i in 0..<n {
            guard pi[i] >= 0 else { return "worker \(i) has a negative profit" }
            if pi[i] > 0 && a.postOf[i] < 0 { return "worker \(i) has a positive profit but is not placed" }
            dual += Int128(pi[i])
        }
        for j in 0..<m {
            guard u[j] >= 0 else { return "post \(j) has a negative price" }
            if u[j] > 0 && load[j] < p.capacity[j] { return "post \(j) has a positive price but room left" }
            dual += Int128(p.capacity[j]) * Int128(u[j])
        }
        for i in 0..<n {
            for e in p.workerStart[i]..<p.workerStart[i + 1] {
                let j = Int(p.workerPost[e]), w = Int128(p.workerWeight[e])
                let reduced = Int128(pi[i]) + Int128(u[j]) - w
                if reduced < 0 { return "edge (\(i), \(j)) has reduced cost \(reduced) < 0" }
                if a.postOf[i] == Int32(j) && reduced != 0 { return "assigned edge (\(i), \(j)) is not tight" }
            }
        }
        guard dual == objective else { return "dual \(dual) differs from primal \(objective)" }
        return nil
    }
}
