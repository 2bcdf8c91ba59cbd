/// Minimum-cost flow by the primal–dual method: successive shortest paths with node potentials (Dijkstra on
/// reduced costs), each phase pushing a blocking flow (Dinic) along every shortest path at once.
///
/// R. K. Ahuja, T. L. Magnanti, J. B. Orlin, *Network Flows: Theory, Algorithms, and Applications*,
/// Prentice Hall 1993, §9.7 (successive shortest paths) and §9.8 (primal–dual algorithm); E. A. Dinic, "Algorithm
/// for solution of a problem of maximum flow in networks with power estimation", Soviet Math. Doklady 11 (1970).
///
/// The flow amount is free: `maximizeGain` keeps augmenting while a shortest source–sink path has negative cost,
/// so the result is a minimum-cost flow over all flow values (nobody is forced). Costs are integers; the final
/// potentials prove optimality (every residual arc has a non-negative reduced cost) and give the duals.
///
/// Used for placement with quotas (township minimums and maximums, caps on groups of posts), where the
/// network has more than the two layers the auction handles. Phases ≈ distinct path lengths; each is
/// O(E log V).
public struct MinCostFlow: Sendable {
    public let nodes: Int
    // Arcs in pairs: 2k forward, 2k + 1 its reverse.
    var head: [Int32] = []
    var capacity: [Int64] = []
    var cost: [Int64] = []
    var start: [Int] = []
    var order: [Int32] = []   // arc ids grouped by tail (CSR)
    var tail: [Int32] = []
    public private(set) var potential: [Int64]
    public private(set) var phases = 0

    public init(nodes: Int) {
        self.nodes = nodes
        potential = [Int64](repeating: 0, count: nodes)
    }

    /// Adds an arc and returns its id (for `flow(on:)`).
    @discardableResult
    public mutating func addArc(from u: Int, to v: Int, capacity c: Int64, cost w: Int64) -> Int {
        precondition(u >= 0 && u < nodes && v >= 0 && v < nodes, "arc end out of range")
        precondition(c >= 0, "negative capacity")
        let id = head.count
        head.append(Int32(v)); tail.append(Int32(u)); capacity.append(c); cost.append(w)
        head.append(Int32(u)); tail.append(Int32(v)); capacity.append(0); cost.append(-w)
        return id
    }

    /// Flow on an arc returned by `addArc` (the residual capacity of its reverse).
    public func flow(on arc: Int) -> Int64 { capacity[arc ^ 1] }

    mutating func buildAdjacency() {
        var count = [Int](repeating: 0, count: nodes + 1)
        for a in 0..<head.count { count[Int(tail[a]) + 1] += 1 }
        for v in 0..<nodes { count[v + 1] += count[v] }
        start = count
        var fill = count
        order = [Int32](repeating: 0, count: head.count)
        for a in 0..<head.count {
            let u = Int(tail[a])
            order[fill[u]] = Int32(a)
            fill[u] += 1
        }
    }

    static let infinity = Int64.max / 4

    /// Label correcting (Bellman–Ford with a FIFO queue) over the arcs with residual capacity: lowers `d` until
    /// cost + d(u) − d(v) ≥ 0 on every such arc, starting from the nodes in `seeds`.
    /// - Returns: false when a negative cycle is found (a node lowered more than `nodes` times).
    func labelCorrect(_ d: inout [Int64], seeds: [Int]) -> Bool {
        var inQueue = [Bool](repeating: false, count: nodes)
        var count = [Int32](repeating: 0, count: nodes)
        var queue = RingQueue(capacity: nodes + 1)
        for v in seeds where !inQueue[v] {
            inQueue[v] = true
            queue.push(Int32(v))
        }
        while let x = queue.pop() {
            let u = Int(x)
            inQueue[u] = false
            guard d[u] < MinCostFlow.infinity else { continue }
            for k in start[u]..<start[u + 1] {
                let a = Int(order[k])
                guard capacity[a] > 0 else { continue }
                let v = Int(head[a])
                let bound = d[u] + cost[a]
                if bound < d[v] {
                    d[v] = bound
                    count[v] += 1
                    if count[v] > Int32(nodes) + 1 { return false }
                    if !inQueue[v] { inQueue[v] = true; queue.push(Int32(v)) }
                }
            }
        }
        return true
    }

    /// Initial potentials: shortest distances from `source` over the arcs with capacity; nodes it cannot reach
    /// get the largest distance found (no residual arc enters them, so reduced costs stay non-negative).
    mutating func initialPotentials(source: Int) -> Bool {
        var d = [Int64](repeating: MinCostFlow.infinity, count: nodes)
        d[source] = 0
        guard labelCorrect(&d, seeds: [source]) else { return false }
        let reach = d.filter { $0 < MinCostFlow.infinity }.max() ?? 0
        for v in 0..<nodes { potential[v] = d[v] < MinCostFlow.infinity ? d[v] : reach }
        return true
    }

    /// Augments along negative-cost source–sink paths until none is left.
    /// - Returns: false when the initial network has a negative cycle (not expected for the networks built here).
    public mutating func maximizeGain(source: Int, sink: Int) -> Bool {
        buildAdjacency()
        guard initialPotentials(source: source) else { return false }
        var dist = [Int64](repeating: 0, count: nodes)
        var heap = BinaryHeap(capacity: nodes)
        var level = [Int32](repeating: -1, count: nodes)
        var cursor = [Int](repeating: 0, count: nodes)
        while true {
            // Dijkstra on reduced costs.
            for v in 0..<nodes { dist[v] = MinCostFlow.infinity }
            dist[source] = 0
            heap.clear()
            heap.push(0, Int32(source))
            while let (du, x) = heap.pop() {
                let u = Int(x)
                if du > dist[u] { continue }
                let pu = potential[u]
                for k in start[u]..<start[u + 1] {
                    let a = Int(order[k])
                    guard capacity[a] > 0 else { continue }
                    let v = Int(head[a])
                    let nd = du + cost[a] + pu - potential[v]
                    if nd < dist[v] {
                        dist[v] = nd
                        heap.push(nd, Int32(v))
                    }
                }
            }
            guard dist[sink] < MinCostFlow.infinity else { break }
            let pathCost = dist[sink] + potential[sink] - potential[source]
            guard pathCost < 0 else { break }
            let cap = dist[sink]
            for v in 0..<nodes { potential[v] += min(dist[v], cap) }
            phases += 1
            // Blocking flow on the admissible arcs (reduced cost 0).
            while bfs(source: source, sink: sink, level: &level) {
                for v in 0..<nodes { cursor[v] = start[v] }
                while true {
                    let pushed = augment(source: source, sink: sink, level: level, cursor: &cursor)
                    if pushed == 0 { break }
                }
            }
        }
        return true
    }

    @inline(__always)
    func admissible(_ a: Int) -> Bool {
        capacity[a] > 0 && cost[a] + potential[Int(tail[a])] - potential[Int(head[a])] == 0
    }

    func bfs(source: Int, sink: Int, level: inout [Int32]) -> Bool {
        for v in 0..<nodes { level[v] = -1 }
        var queue = RingQueue(capacity: nodes + 1)
        level[source] = 0
        queue.push(Int32(source))
        while let x = queue.pop() {
            let u = Int(x)
            for k in start[u]..<start[u + 1] {
                let a = Int(order[k])
                let v = Int(head[a])
                if level[v] < 0 && admissible(a) {
                    level[v] = level[u] + 1
                    queue.push(Int32(v))
                }
            }
        }
        return level[sink] >= 0
    }

    /// One augmenting path in the level graph (iterative DFS with current-arc pointers); returns the amount pushed.
    mutating func augment(source: Int, sink: Int, level: [Int32], cursor: inout [Int]) -> Int64 {
        var path: [Int] = []   // arcs
        var u = source
        while true {
            if u == sink {
                var amount = MinCostFlow.infinity
                for a in path { amount = min(amount, capacity[a]) }
                for a in path { capacity[a] -= amount; capacity[a ^ 1] += amount }
                return amount
            }
            var advanced = false
            while cursor[u] < start[u + 1] {
                let a = Int(order[cursor[u]])
                let v = Int(head[a])
                if level[v] == level[u] + 1 && admissible(a) {
                    path.append(a)
                    u = v
                    advanced = true
                    break
                }
                cursor[u] += 1
            }
            if !advanced {
                // Dead end: retreat.
                guard let a = path.popLast() else { return 0 }
                u = Int(tail[a])
                cursor[u] += 1
            }
        }
    }

    /// Closes the flow into a circulation (an arc sink → source of cost 0 carrying the flow) and corrects the
    /// potentials by a label-correcting pass, so that every residual arc, including those two, has a
    /// non-negative reduced cost: the certificate that no change of paths *or of the flow amount* can gain.
    /// - Returns: false when a negative cycle remains (the flow is not optimal).
    public mutating func certify(source: Int, sink: Int) -> Bool {
        var total: Int64 = 0
        for k in start[source]..<start[source + 1] {
            let a = Int(order[k])
            if a & 1 == 0 { total += capacity[a ^ 1] } else { total -= capacity[a] }
        }
        let back = addArc(from: sink, to: source, capacity: MinCostFlow.infinity, cost: 0)
        capacity[back] -= total
        capacity[back ^ 1] += total
        buildAdjacency()
        // Potentials play the role of distances: every node is a seed, starting from the current potentials.
        guard labelCorrect(&potential, seeds: Array(0..<nodes)) else { return false }
        return verify() == nil
    }

    /// Checks the optimality certificate: every residual arc has a non-negative reduced cost under the
    /// potentials. Returns nil when it holds.
    public func verify() -> String? {
        for a in 0..<head.count where capacity[a] > 0 {
            let rc = cost[a] + potential[Int(tail[a])] - potential[Int(head[a])]
            if rc < 0 { return "residual arc \(tail[a]) → \(head[a]) has reduced cost \(rc)" }
        }
        return nil
    }
}

/// A binary min-heap of (key, node) pairs for Dijkstra (lazy deletion).
struct BinaryHeap {
    var keys: [Int64] = []
    var values: [Int32] = []

    init(capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    mutating func clear() { keys.removeAll(keepingCapacity: true); values.removeAll(keepingCapacity: true) }

    mutating func push(_ k: Int64, _ v: Int32) {
        keys.append(k); values.append(v)
        var i = keys.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if keys[p] < keys[i] || (keys[p] == keys[i] && values[p] <= values[i]) { break }
            keys.swapAt(p, i); values.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> (Int64, Int32)? {
        guard let k0 = keys.first else { return nil }
        let v0 = values[0]
        let lastK = keys.removeLast(), lastV = values.removeLast()
        if !keys.isEmpty {
            keys[0] = lastK; values[0] = lastV
            var i = 0
            let n = keys.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var s = i
                if l < n && (keys[l] < keys[s] || (keys[l] == keys[s] && values[l] < values[s])) { s = l }
                if r < n && (keys[r] < keys[s] || (keys[r] == keys[s] && values[r] < values[s])) { s = r }
                if s == i { break }
                keys.swapAt(s, i); values.swapAt(s, i)
                i = s
            }
        }
        return (k0, v0)
    }
}
