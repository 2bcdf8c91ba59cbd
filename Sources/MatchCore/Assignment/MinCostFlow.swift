/// Minimum-cost flow by the primal–dual method: successive shortest paths with node potentials (Dijkstra on
/// reduced costs), each phase pushing a blocking flow (Dinic) along every shortest path at once.
///
/// R. K. Ahuja, T. L. Magnanti, J. B. Orlin, *Network Flows: Theory, Algorithms, and Applications*,
/// Prentice Hall 1993, §9.7 (successive shortest paths) and §9.8 (primal–dual algorithm); E. A. Dinic, "Algorithm
/// for solution of a problem of maximum flow in networks with power estimation", Soviet Math. Doklady 11 (1970).
///
/// The flow amount is free: `maximizeGain` keeps augmenting while a shortest source–sink path has negative cost,
/// so the result is a minimum-cost flow over all flow values (nobody is forced). `settle` starts instead from a
/// given flow and node potentials (a warm start) and only moves what that flow's imbalances ask for. Costs are
/// integers; the final potentials prove optimality (every residual arc has a non-negative reduced cost) and give
/// the duals.
///
/// Used for placement with quotas (township minimums and maximums, caps on groups of posts), where the
/// network has more than the two layers the auction handles. Phases ≈ distinct path lengths; each is
/// O(E log V), and a search stops at the sink's distance and level, resetting only the nodes it touched.
public struct MinCostFlow: Sendable {
    public let nodes: Int
    // The arcs as added, in pairs (id 2k forward, 2k + 1 its reverse): the builder's view.
    var arcTail: [Int32] = []
    var arcHead: [Int32] = []
    var arcCapacity: [Int64] = []
    var arcCost: [Int64] = []
    // The same arcs packed by tail for the searches (node u's arcs are the slots start[u] ..< start[u + 1], read in
    // order); `mate` is each slot's reverse arc, `slot` each arc id's slot. Flows live here while `packed`.
    var start: [Int] = []
    var head: [Int32] = []
    var capacity: [Int64] = []
    var cost: [Int64] = []
    var mate: [Int32] = []
    var slot: [Int32] = []
    var packed = false
    public private(set) var potential: [Int64]
    public private(set) var phases = 0

    public init(nodes: Int) {
        self.nodes = nodes
        potential = [Int64](repeating: 0, count: nodes)
    }

    /// Adds an arc and returns its id (for `flow(on:)`); `flow` starts it with that much flow (a warm start, see
    /// `settle`).
    @discardableResult
    public mutating func addArc(from u: Int, to v: Int, capacity c: Int64, cost w: Int64, flow f: Int64 = 0) -> Int {
        precondition(u >= 0 && u < nodes && v >= 0 && v < nodes, "arc end out of range")
        precondition(c >= 0, "negative capacity")
        precondition(f >= 0 && f <= c, "flow beyond the arc's capacity")
        if packed { unpack() }
        let id = arcHead.count
        arcHead.append(Int32(v)); arcTail.append(Int32(u)); arcCapacity.append(c - f); arcCost.append(w)
        arcHead.append(Int32(u)); arcTail.append(Int32(v)); arcCapacity.append(f); arcCost.append(-w)
        return id
    }

    /// Flow on an arc returned by `addArc` (the residual capacity of its reverse).
    public func flow(on arc: Int) -> Int64 { packed ? capacity[Int(slot[arc ^ 1])] : arcCapacity[arc ^ 1] }

    /// Packs the arcs by tail.
    mutating func pack() {
        if packed { unpack() }
        let arcs = arcHead.count
        var count = [Int](repeating: 0, count: nodes + 1)
        for a in 0..<arcs { count[Int(arcTail[a]) + 1] += 1 }
        for v in 0..<nodes { count[v + 1] += count[v] }
        start = count
        var fill = count
        slot = [Int32](repeating: 0, count: arcs)
        head = [Int32](repeating: 0, count: arcs)
        capacity = [Int64](repeating: 0, count: arcs)
        cost = [Int64](repeating: 0, count: arcs)
        for a in 0..<arcs {
            let u = Int(arcTail[a])
            let k = fill[u]
            fill[u] += 1
            slot[a] = Int32(k)
            head[k] = arcHead[a]
            capacity[k] = arcCapacity[a]
            cost[k] = arcCost[a]
        }
        mate = [Int32](repeating: 0, count: arcs)
        for a in 0..<arcs { mate[Int(slot[a])] = slot[a ^ 1] }
        packed = true
    }

    /// Brings the flows back to the builder's view (before arcs are added).
    mutating func unpack() {
        for a in 0..<arcCapacity.count { arcCapacity[a] = capacity[Int(slot[a])] }
        packed = false
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
            for k in start[u]..<start[u + 1] where capacity[k] > 0 {
                let v = Int(head[k])
                let bound = d[u] + cost[k]
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
        pack()
        guard initialPotentials(source: source) else { return false }
        var search = PathSearch(nodes: nodes)
        shortestPaths(source: source, sink: sink, onlyGain: true, &search)
        return true
    }

    /// Why a warm start could not be settled.
    public enum SettleFailure: Error, Equatable {
        /// Some residual arc has a negative reduced cost under the given potentials: the warm start is not optimal.
        case potentials(String)
        /// An excess found no path to a deficit (not expected for a flow that came from a circulation).
        case stranded(Int64)
    }

    /// Warm start. The arcs already carry a pseudo-flow (`addArc(…, flow:)`): capacities hold, but nodes may
    /// have an imbalance (inflow − outflow ≠ 0), and every residual arc must have a non-negative reduced cost
    /// under `potentials` (checked). Each excess is then sent to the deficits along shortest paths (successive
    /// shortest paths from a super source to a super sink, two nodes the caller reserved without arcs), so the
    /// result is a balanced flow of minimum cost (Ahuja, Magnanti, Orlin §9.7, with imbalances).
    public mutating func settle(potentials: [Int64], superSource: Int, superSink: Int) throws(SettleFailure) {
        precondition(potentials.count == nodes, "one potential per node")
        if packed { unpack() }
        var imbalance = [Int64](repeating: 0, count: nodes)
        for a in stride(from: 0, to: arcHead.count, by: 2) {
            let f = arcCapacity[a ^ 1]
            imbalance[Int(arcHead[a])] += f
            imbalance[Int(arcTail[a])] -= f
        }
        potential = potentials
        var top = Int64.min, bottom = Int64.max, excess: Int64 = 0
        var sources: [Int] = [], superArcs: [Int] = []
        for v in 0..<nodes where imbalance[v] != 0 {
            if imbalance[v] > 0 {
                sources.append(addArc(from: superSource, to: v, capacity: imbalance[v], cost: 0))
                superArcs.append(sources.last!)
                top = max(top, potential[v])
                excess += imbalance[v]
            } else {
                superArcs.append(addArc(from: v, to: superSink, capacity: -imbalance[v], cost: 0))
                bottom = min(bottom, potential[v])
            }
        }
        // The new arcs' reduced costs are non-negative: π(S) ≥ π(v) on every excess, π(T) ≤ π(v) on every deficit.
        potential[superSource] = top == .min ? 0 : top
        potential[superSink] = bottom == .max ? 0 : bottom
        pack()
        if let problem = verify() { throw .potentials(problem) }
        guard excess > 0 else { return }
        var search = PathSearch(nodes: nodes)
        shortestPaths(source: superSource, sink: superSink, onlyGain: false, &search)
        let left = sources.reduce(Int64(0)) { $0 + capacity[Int(slot[$1])] }
        if left > 0 { throw .stranded(left) }
        // The super arcs were bookkeeping (how much of each imbalance moved): the flow on the network's own arcs
        // is now balanced, so they leave the network.
        for a in superArcs { capacity[Int(slot[a])] = 0; capacity[Int(slot[a ^ 1])] = 0 }
    }

    /// Scratch space of the path searches, reset only where it was touched (a warm start's searches reach few nodes).
    struct PathSearch {
        var dist: [Int64]
        var reached: [Int32] = []
        var heap: BinaryHeap
        var level: [Int32]
        var leveled: [Int32] = []
        var cursor: [Int]
        var queue: RingQueue
        var path: [Int] = []
        /// The tail of each arc on `path`.
        var pathNodes: [Int32] = []

        init(nodes: Int) {
            dist = [Int64](repeating: MinCostFlow.infinity, count: nodes)
            heap = BinaryHeap(capacity: 16)
            level = [Int32](repeating: -1, count: nodes)
            cursor = [Int](repeating: 0, count: nodes)
            queue = RingQueue(capacity: nodes + 1)
        }
    }

    /// The primal–dual phases: Dijkstra on reduced costs (stopped once the sink is settled), potentials raised by
    /// min(distance, distance to the sink), then a blocking flow on the admissible arcs. With `onlyGain` it stops
    /// at the first path of non-negative cost (the flow amount is free); otherwise when the sink is unreachable.
    mutating func shortestPaths(source: Int, sink: Int, onlyGain: Bool, _ s: inout PathSearch) {
        while true {
            dijkstra(from: source, stoppingAt: sink, &s)
            let cap = s.dist[sink]
            guard cap < MinCostFlow.infinity else { break }
            if onlyGain {
                guard cap + potential[sink] - potential[source] < 0 else { break }
            }
            // π(v) += min(d(v), d(sink)), less the constant d(sink), which leaves every reduced cost as it is: only
            // the nodes closer than the sink move.
            for x in s.reached {
                let v = Int(x)
                if s.dist[v] < cap { potential[v] += s.dist[v] - cap }
            }
            phases += 1
            // Blocking flow on the admissible arcs (reduced cost 0).
            while bfs(source: source, sink: sink, &s) {
                while augment(source: source, sink: sink, &s) > 0 {}
            }
        }
    }

    /// Dijkstra on reduced costs over the arcs with residual capacity, from `source`, stopped once `sink` is
    /// settled (never, for −1): `s.dist` holds the distances of the nodes in `s.reached` (tentative beyond the sink).
    func dijkstra(from source: Int, stoppingAt sink: Int, _ s: inout PathSearch) {
        for v in s.reached { s.dist[Int(v)] = MinCostFlow.infinity }
        s.reached.removeAll(keepingCapacity: true)
        s.dist[source] = 0
        s.reached.append(Int32(source))
        s.heap.clear()
        s.heap.push(0, Int32(source))
        while let (du, x) = s.heap.pop() {
            let u = Int(x)
            if du > s.dist[u] { continue }
            // Settled the sink: nodes farther away keep tentative distances, capped below at dist(sink).
            if u == sink { break }
            let pu = potential[u]
            for k in start[u]..<start[u + 1] where capacity[k] > 0 {
                let v = Int(head[k])
                let nd = du + cost[k] + pu - potential[v]
                if nd < s.dist[v] {
                    if s.dist[v] == MinCostFlow.infinity { s.reached.append(Int32(v)) }
                    s.dist[v] = nd
                    s.heap.push(nd, Int32(v))
                }
            }
        }
    }

    /// The gain of one more unit of capacity on each arc u → v of `arcs` (all of cost 0), at the optimum: the
    /// best cycle through it, −(the cheapest residual path v → u), or 0 when there is none. One search per
    /// distinct head; call after `certify`, whose potentials make every residual reduced cost non-negative (and
    /// whose sink → source arc lets the cycle place one more).
    public func capacityGains(_ arcs: [Int]) -> [Int64] {
        precondition(packed, "capacityGains reads the packed arcs: call it after certify")
        var s = PathSearch(nodes: nodes)
        var byHead: [Int32: [Int]] = [:]
        for (x, a) in arcs.enumerated() { byHead[arcHead[a], default: []].append(x) }
        var out = [Int64](repeating: 0, count: arcs.count)
        for h in byHead.keys.sorted() {
            let v = Int(h)
            dijkstra(from: v, stoppingAt: -1, &s)
            for x in byHead[h]! {
                let u = Int(arcTail[arcs[x]])
                guard s.dist[u] < MinCostFlow.infinity else { continue }
                // Real cost of the path: reduced distance less the potentials' telescoped difference.
                out[x] = max(0, -(s.dist[u] - potential[v] + potential[u]))
            }
        }
        return out
    }

    /// Levels of the admissible graph from the source, up to the sink's level (Dinic); false when it is unreachable.
    func bfs(source: Int, sink: Int, _ s: inout PathSearch) -> Bool {
        for v in s.leveled { s.level[Int(v)] = -1 }
        s.leveled.removeAll(keepingCapacity: true)
        s.queue.clear()
        s.level[source] = 0
        s.cursor[source] = start[source]
        s.leveled.append(Int32(source))
        s.queue.push(Int32(source))
        while let x = s.queue.pop() {
            let u = Int(x)
            let next = s.level[u] + 1
            // Nodes at the sink's level or beyond lead nowhere shorter.
            if s.level[sink] >= 0 && next > s.level[sink] { break }
            let pu = potential[u]
            for k in start[u]..<start[u + 1] where capacity[k] > 0 {
                let v = Int(head[k])
                if s.level[v] < 0 && cost[k] + pu - potential[v] == 0 {
                    s.level[v] = next
                    s.cursor[v] = start[v]
                    s.leveled.append(Int32(v))
                    s.queue.push(Int32(v))
                }
            }
        }
        return s.level[sink] >= 0
    }

    /// One augmenting path in the level graph (iterative DFS with current-arc pointers); returns the amount pushed.
    mutating func augment(source: Int, sink: Int, _ s: inout PathSearch) -> Int64 {
        s.path.removeAll(keepingCapacity: true)
        s.pathNodes.removeAll(keepingCapacity: true)
        // The source itself is a dead end once its arcs are used up.
        guard s.level[source] >= 0 else { return 0 }
        var u = source
        while true {
            if u == sink {
                var amount = MinCostFlow.infinity
                for k in s.path { amount = min(amount, capacity[k]) }
                for k in s.path { capacity[k] -= amount; capacity[Int(mate[k])] += amount }
                return amount
            }
            var advanced = false
            let next = s.level[u] + 1, pu = potential[u]
            while s.cursor[u] < start[u + 1] {
                let k = s.cursor[u]
                let v = Int(head[k])
                if s.level[v] == next && capacity[k] > 0 && cost[k] + pu - potential[v] == 0 {
                    s.path.append(k)
                    s.pathNodes.append(Int32(u))
                    u = v
                    advanced = true
                    break
                }
                s.cursor[u] += 1
            }
            if !advanced {
                // Dead end: out of the level graph for the rest of this round (no arc leads to it again), and back
                // to the node before it.
                s.level[u] = -2
                guard s.path.popLast() != nil else { return 0 }
                u = Int(s.pathNodes.removeLast())
                s.cursor[u] += 1
            }
        }
    }

    /// Closes the flow into a circulation (an arc sink → source of cost 0 carrying the flow) and corrects the
    /// potentials by a label-correcting pass, so that every residual arc, including those two, has a
    /// non-negative reduced cost: the certificate that no change of paths *or of the flow amount* can gain.
    /// - Returns: false when a negative cycle remains (the flow is not optimal).
    public mutating func certify(source: Int, sink: Int) -> Bool {
        var total: Int64 = 0
        for a in stride(from: 0, to: arcHead.count, by: 2) {
            if Int(arcTail[a]) == source { total += flow(on: a) }
            if Int(arcHead[a]) == source { total -= flow(on: a) }
        }
        addArc(from: sink, to: source, capacity: MinCostFlow.infinity, cost: 0, flow: total)
        pack()
        // Potentials play the role of distances: every node is a seed, starting from the current potentials.
        guard labelCorrect(&potential, seeds: Array(0..<nodes)) else { return false }
        return verify() == nil
    }

    /// Checks the optimality certificate: every residual arc has a non-negative reduced cost under the
    /// potentials. Returns nil when it holds.
    public func verify() -> String? {
        precondition(packed, "verify reads the packed arcs: call it after pack")
        for u in 0..<nodes {
            for k in start[u]..<start[u + 1] where capacity[k] > 0 {
                let rc = cost[k] + potential[u] - potential[Int(head[k])]
                if rc < 0 { return "residual arc \(u) → \(head[k]) has reduced cost \(rc)" }
            }
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
