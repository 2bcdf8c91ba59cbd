/// A capacitated bipartite assignment problem: `workers` rows, `posts` columns with `capacity[j]` openings,
/// and candidate edges (worker, post, integer weight). Each worker is placed at most once, each post at most
/// its capacity, nobody is forced; the aim is the largest total weight.
///
/// Edges are held twice, by worker and by post (compressed rows, weights inline), sorted by
/// (worker, post) and (post, worker), so every solver visits them in a fixed order.
public struct AssignmentProblem: Sendable {
    public let workers: Int
    public let posts: Int
    public let capacity: [Int32]
    /// By worker: edges of worker i are `workerStart[i] ..< workerStart[i + 1]`.
    public let workerStart: [Int]
    public let workerPost: [Int32]
    public let workerWeight: [Int64]
    /// By post: edges of post j are `postStart[j] ..< postStart[j + 1]`.
    public let postStart: [Int]
    public let postWorker: [Int32]
    public let postWeight: [Int64]

    public var edgeCount: Int { workerPost.count }
    public var openings: Int { capacity.reduce(0) { $0 + Int($1) } }

    /// Builds the problem from an edge list. A repeated (worker, post) pair keeps its largest weight.
    /// - Throws: `AssignmentError.invalidEdge` for an index out of range or a negative weight,
    ///   `.invalidCapacity` for a negative capacity.
    public init(workers: Int, capacity: [Int], edges: [(worker: Int, post: Int, weight: Int64)]) throws {
        precondition(workers >= 0, "negative worker count")
        let posts = capacity.count
        for (j, c) in capacity.enumerated() where c < 0 || c > Int(Int32.max) {
            throw AssignmentError.invalidCapacity(post: j, capacity: c)
        }
        var total: Int64 = 0, largest: Int64 = 0
        for (e, x) in edges.enumerated() {
            guard (0..<workers).contains(x.worker), (0..<posts).contains(x.post), x.weight >= 0 else {
                throw AssignmentError.invalidEdge(index: e, worker: x.worker, post: x.post, weight: x.weight)
            }
            largest = max(largest, x.weight)
            let (sum, overflow) = total.addingReportingOverflow(x.weight)
            total = overflow ? .max : sum
        }
        try AssignmentProblem.checkSafeRange(largest: largest, total: total, workers: workers)
        // By worker with a counting sort, then each worker's few edges by (post, weight descending), and repeats
        // dropped keeping the largest weight (one comparison sort of every edge cost more than the rest of the
        // construction on the 50k county's 700,000 edges). Equal keys are equal edges, so the order is unique.
        var start = [Int](repeating: 0, count: workers + 1)
        for x in edges { start[x.worker + 1] += 1 }
        for i in 0..<workers { start[i + 1] += start[i] }
        var bucket = [(post: Int32, weight: Int64)](repeating: (0, 0), count: edges.count)
        var next = start
        for x in edges {
            bucket[next[x.worker]] = (Int32(x.post), x.weight)
            next[x.worker] += 1
        }
        var ws = [Int](repeating: 0, count: workers + 1)
        var wp: [Int32] = [], ww: [Int64] = []
        wp.reserveCapacity(edges.count)
        ww.reserveCapacity(edges.count)
        bucket.withUnsafeMutableBufferPointer { b in
            for i in 0..<workers where start[i + 1] > start[i] {
                var mine = UnsafeMutableBufferPointer(rebasing: b[start[i]..<start[i + 1]])
                mine.sort { ($0.post, $1.weight) < ($1.post, $0.weight) }
                var last: Int32 = -1
                for x in mine where x.post != last {
                    last = x.post
                    ws[i + 1] += 1
                    wp.append(x.post)
                    ww.append(x.weight)
                }
            }
        }
        for i in 0..<workers { ws[i + 1] += ws[i] }
        // By post, stable in worker order.
        var ps = [Int](repeating: 0, count: posts + 1)
        for p in wp { ps[Int(p) + 1] += 1 }
        for j in 0..<posts { ps[j + 1] += ps[j] }
        var fill = ps
        var pw = [Int32](repeating: 0, count: wp.count), pwt = [Int64](repeating: 0, count: wp.count)
        for i in 0..<workers {
            for e in ws[i]..<ws[i + 1] {
                let j = Int(wp[e])
                pw[fill[j]] = Int32(i)
                pwt[fill[j]] = ww[e]
                fill[j] += 1
            }
        }
        self.workers = workers
        self.posts = posts
        self.capacity = capacity.map { Int32($0) }
        workerStart = ws
        workerPost = wp
        workerWeight = ww
        postStart = ps
        postWorker = pw
        postWeight = pwt
    }

    /// Weights are at most 2^40, so that weight × (workers + 1) stays far inside Int64 for the auction.
    public static let maxWeight: Int64 = 1 << 40
    /// The auction scales weights by workers + 1 and the certificate's shortest paths start from twice the total
    /// weight: both must stay at or below 2^60 (prices and potentials then stay below Int64's 2^63).
    public static let safeLimit: Int64 = 1 << 60

    /// Refuses, with a clear error rather than a trap later, an instance whose arithmetic could overflow.
    public static func checkSafeRange(largest: Int64, total: Int64, workers: Int) throws {
        let (scaled, overflow) = largest.multipliedReportingOverflow(by: Int64(workers) + 1)
        guard largest <= maxWeight, !overflow, scaled <= safeLimit, total <= safeLimit / 2 else {
            throw AssignmentError.beyondSafeRange(largest: largest, total: total, workers: workers)
        }
    }

    /// The weight of edge (i, j), or nil when there is no such edge.
    public func weight(worker i: Int, post j: Int) -> Int64? {
        var lo = workerStart[i], hi = workerStart[i + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            let p = Int(workerPost[mid])
            if p == j { return workerWeight[mid] }
            if p < j { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }
}

/// A solution: the post of each worker (−1 = not placed), its total weight and, for exact solvers, dual prices.
public struct Assignment: Sendable, Equatable {
    public var postOf: [Int32]
    public var objective: Int64
    /// Dual prices proving optimality (exact solvers): `workerProfit[i] + postPrice[j] ≥ weight(i, j)` on every
    /// edge, with equality on assigned edges; a positive profit only for placed workers, a positive post price only
    /// for full posts. `postPrice[j]` is what one more opening at post j would add to the optimum (at most).
    public var workerProfit: [Int64]?
    public var postPrice: [Int64]?

    public var placed: Int { postOf.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    public init(postOf: [Int32], objective: Int64, workerProfit: [Int64]? = nil, postPrice: [Int64]? = nil) {
        self.postOf = postOf
        self.objective = objective
        self.workerProfit = workerProfit
        self.postPrice = postPrice
    }
}

/// Why an assignment problem could not be solved, in one plain sentence.
public enum AssignmentError: Error, Equatable, CustomStringConvertible {
    case invalidEdge(index: Int, worker: Int, post: Int, weight: Int64)
    case invalidCapacity(post: Int, capacity: Int)
    case infeasibleMinimum(group: Int, minimum: Int, reached: Int)
    case crossingCapFamilies(String, String)
    case notOptimal(String)
    case beyondSafeRange(largest: Int64, total: Int64, workers: Int)

    public var description: String {
        switch self {
        case let .invalidEdge(e, w, p, wt):
            return "edge \(e) (worker \(w), post \(p), weight \(wt)) is out of range or has a negative weight"
        case let .invalidCapacity(p, c): return "post \(p) has an invalid capacity \(c)"
        case let .infeasibleMinimum(g, m, r): return "the minimum of group \(g) is \(m) but at most \(r) can be placed (short by \(m - r))"
        case let .crossingCapFamilies(a, b): return "caps on \(a) and on \(b) cross, which is not a flow network"
        case let .notOptimal(why): return "the solution failed its optimality check: \(why)"
        case let .beyondSafeRange(largest, total, workers):
            return "the weights are beyond the safe range (权重超出安全范围): the largest weight \(largest) must be at most 2^40 and, "
                + "times workers + 1 (\(workers + 1)), at most 2^60; the total of all weights \(total == .max ? "overflows" : String(total)) "
                + "must be at most 2^59; scale the weights down or split the instance"
        }
    }
}
