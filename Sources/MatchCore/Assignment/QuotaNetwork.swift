/// Placement with quotas as one flow network (see DESIGN.md §4):
///
///     source ─► township (min/max) ─► worker (1) ─► post (weight) ─► cap group … ─► sink
///
/// Township minimums are met first: the first `min` units into a township earn a bonus M larger than any
/// total weight, so a maximum-gain flow fills every minimum it can before it weighs anything else; a minimum
/// left short is reported with its shortfall. Caps on groups of posts (by destination, employer, or employer
/// within destination) must form a laminar family — each group inside at most one parent — so that the network
/// is a tree above the posts; crossing families are refused before this point.
public struct QuotaNetwork: Sendable {
    /// Township (or other worker group) of each worker, −1 for none.
    public var workerGroup: [Int32]
    public var groupMin: [Int: Int]
    public var groupMax: [Int: Int]
    /// The smallest capped group holding each post, −1 for none.
    public var postCapGroup: [Int32]
    /// The parent of each cap group (−1 = sink) and its limit.
    public var capParent: [Int32]
    public var capLimit: [Int]

    public init(workerGroup: [Int32], groupMin: [Int: Int], groupMax: [Int: Int], postCapGroup: [Int32],
                capParent: [Int32], capLimit: [Int]) {
        self.workerGroup = workerGroup
        self.groupMin = groupMin
        self.groupMax = groupMax
        self.postCapGroup = postCapGroup
        self.capParent = capParent
        self.capLimit = capLimit
    }

    public struct Result: Sendable {
        public var assignment: Assignment
        /// Dual price of each cap group: what one more place in it would add (in weight units).
        public var groupPrice: [Int64]
        public var phases: Int
        /// True when the flow started from the plain optimum (false: solved from zero).
        public var warmStarted: Bool
    }

    /// Solves from a warm start: the plain assignment's optimum (`warm`, with its duals; solved here by the
    /// auction when not given) is already a minimum-cost flow of the network without limits. Its flow is laid on
    /// the network, clipped where a limit is exceeded (and a township's minimum arc filled), and the duals become
    /// the node potentials; the few units clipped are then moved by shortest paths (`MinCostFlow.settle`), which
    /// touches only the part of the graph the limits change. When the warm start does not hold (duals missing or
    /// not tight) the flow is solved from zero instead; both give a certified optimum of the same network.
    /// - Throws: `AssignmentError.infeasibleMinimum` naming the first township whose minimum cannot be met,
    ///   `.notOptimal` if the certificate fails.
    public func solve(_ p: AssignmentProblem, warm: Assignment? = nil) throws -> Result {
        let n = p.workers, m = p.posts
        let quotaGroups = Set(groupMin.keys).union(groupMax.keys).sorted()
        var groupNode: [Int: Int] = [:]
        var next = 2  // nodes 0 and 1: the source and the sink
        for g in quotaGroups { groupNode[g] = next; next += 1 }
        let workerBase = next
        let postBase = workerBase + n
        let capBase = postBase + m
        let superSource = capBase + capLimit.count, superSink = superSource + 1
        var start = warm ?? AuctionAssigner.solve(p)
        let fits = start.postOf.count == n && start.postOf.allSatisfy { $0 < Int32(m) }
        if fits && (start.workerProfit == nil || start.postPrice == nil) { start = DualCertificate.withDuals(p, start) ?? start }
        // A start is used only when its certificate holds on this very problem (in range, within capacity, optimal).
        if fits, let profit = start.workerProfit, let price = start.postPrice, DualCertificate.verify(p, start) == nil {
            if let r = try build(p, from: start, profit: profit, price: price, quotaGroups: quotaGroups, groupNode: groupNode,
                                 layout: (workerBase, postBase, capBase, superSource, superSink)) {
                return r
            }
        }
        return try build(p, from: nil, profit: [], price: [], quotaGroups: quotaGroups, groupNode: groupNode,
                         layout: (workerBase, postBase, capBase, superSource, superSink))!
    }

    /// Builds the network (with the warm start's flow when `from` is given) and solves it; nil when the warm start
    /// does not hold.
    private func build(_ p: AssignmentProblem, from warm: Assignment?, profit: [Int64], price: [Int64], quotaGroups: [Int],
                       groupNode: [Int: Int], layout: (workers: Int, posts: Int, caps: Int, superSource: Int, superSink: Int)) throws -> Result? {
        let n = p.workers, m = p.posts
        let source = 0, sink = 1
        let (workerBase, postBase, capBase) = (layout.workers, layout.posts, layout.caps)
        var net = MinCostFlow(nodes: layout.superSink + 1)
        var bigM: Int64 = 1
        for i in 0..<n {
            var best: Int64 = 0
            for e in p.workerStart[i]..<p.workerStart[i + 1] { best = max(best, p.workerWeight[e]) }
            bigM += best
        }
        // The warm start's flow through each node: workers per township, load per post, intake per cap group.
        var placedIn: [Int: Int64] = [:], load = [Int64](repeating: 0, count: m), capIn = [Int64](repeating: 0, count: capLimit.count)
        var placed: Int64 = 0
        if let warm {
            for i in 0..<n where warm.postOf[i] >= 0 {
                placedIn[Int(workerGroup[i]), default: 0] += 1
                load[Int(warm.postOf[i])] += 1
                placed += 1
            }
            for j in 0..<m where postCapGroup[j] >= 0 { capIn[Int(postCapGroup[j])] += load[j] }
            // Laminar caps: each group passes what it lets through up to its parent, the deepest groups first.
            var order = Array(0..<capLimit.count)
            order.sort { depth($0) > depth($1) }
            for g in order where capParent[g] >= 0 { capIn[Int(capParent[g])] += min(capIn[g], Int64(capLimit[g])) }
        }
        var minArc: [Int: Int] = [:], restArc: [Int: Int] = [:]
        for g in quotaGroups {
            let lo = groupMin[g] ?? 0
            let hi = groupMax[g] ?? n
            let minCap = Int64(min(lo, hi)), restCap = Int64(max(0, hi - lo))
            // Warm: the minimum arc is filled (its cost is negative), the rest arc carries what is left up to its limit.
            let f = placedIn[g] ?? 0
            if lo > 0 { minArc[g] = net.addArc(from: source, to: groupNode[g]!, capacity: minCap, cost: -bigM, flow: warm == nil ? 0 : minCap) }
            let rest = warm == nil ? 0 : min(restCap, max(0, f - (lo > 0 ? minCap : 0)))
            restArc[g] = net.addArc(from: source, to: groupNode[g]!, capacity: restCap, cost: 0, flow: rest)
        }
        for i in 0..<n {
            let g = Int(workerGroup[i])
            let from = groupNode[g] ?? source
            net.addArc(from: from, to: workerBase + i, capacity: 1, cost: 0, flow: warm.map { $0.postOf[i] >= 0 ? 1 : 0 } ?? 0)
        }
        var edgeArc = [Int](repeating: 0, count: p.edgeCount)
        for i in 0..<n {
            for e in p.workerStart[i]..<p.workerStart[i + 1] {
                let used: Int64 = warm.map { $0.postOf[i] == p.workerPost[e] ? 1 : 0 } ?? 0
                edgeArc[e] = net.addArc(from: workerBase + i, to: postBase + Int(p.workerPost[e]), capacity: 1, cost: -p.workerWeight[e], flow: used)
            }
        }
        var limitArcs: [Int] = []
        limitArcs.reserveCapacity(m + capLimit.count)
        for j in 0..<m {
            let g = Int(postCapGroup[j])
            limitArcs.append(net.addArc(from: postBase + j, to: g >= 0 ? capBase + g : sink, capacity: Int64(p.capacity[j]), cost: 0,
                                        flow: load[j]))
        }
        for g in 0..<capLimit.count {
            let parent = Int(capParent[g])
            limitArcs.append(net.addArc(from: capBase + g, to: parent >= 0 ? capBase + parent : sink, capacity: Int64(capLimit[g]),
                                        cost: 0, flow: min(capIn[g], Int64(capLimit[g]))))
        }
        if warm != nil {
            // The flow returns from the sink to the source: a circulation, so that clipped units may also leave.
            net.addArc(from: sink, to: source, capacity: Int64(n), cost: 0, flow: placed)
            // Potentials from the duals (cost = −weight): a worker at its profit, a post at minus its price, every
            // other node at 0. Residual arcs then have reduced costs profit + price − weight ≥ 0 (the dual
            // feasibility the certificate proved), and 0 on the flow's arcs.
            var phi = [Int64](repeating: 0, count: net.nodes)
            for i in 0..<n { phi[workerBase + i] = profit[i] }
            for j in 0..<m { phi[postBase + j] = -price[j] }
            do {
                try net.settle(potentials: phi, superSource: layout.superSource, superSink: layout.superSink)
            } catch {
                return nil
            }
        } else {
            guard net.maximizeGain(source: source, sink: sink) else { throw AssignmentError.notOptimal("negative cycle in the network") }
        }
        for g in quotaGroups {
            let lo = groupMin[g] ?? 0
            guard lo > 0, let a = minArc[g] else { continue }
            let reached = net.flow(on: a) + (restArc[g].map { net.flow(on: $0) } ?? 0)
            if net.flow(on: a) < Int64(min(lo, groupMax[g] ?? n)) || lo > (groupMax[g] ?? n) {
                throw AssignmentError.infeasibleMinimum(group: g, minimum: lo, reached: Int(reached))
            }
        }
        guard net.certify(source: source, sink: sink) else { throw AssignmentError.notOptimal("the flow's potentials do not certify it") }
        var postOf = [Int32](repeating: -1, count: n)
        var objective: Int64 = 0
        for i in 0..<n {
            for e in p.workerStart[i]..<p.workerStart[i + 1] where net.flow(on: edgeArc[e]) > 0 {
                postOf[i] = p.workerPost[e]
                objective += p.workerWeight[e]
            }
        }
        // Shadow prices: what one more opening at a post, or one more place in a cap group, adds to the optimum
        // (exactly: the best cycle through that arc, not just a dual bound).
        let gains = net.capacityGains(limitArcs)
        let postPrice = Array(gains[0..<m])
        let groupPrice = Array(gains[m...])
        // The certificate here is the network's own (`certify`); worker profits are not reported.
        return Result(assignment: Assignment(postOf: postOf, objective: objective, workerProfit: nil, postPrice: postPrice),
                      groupPrice: groupPrice, phases: net.phases, warmStarted: warm != nil)
    }

    /// How many cap groups lie above group g.
    private func depth(_ g: Int) -> Int {
        var d = 0, x = Int(capParent[g])
        while x >= 0 { d += 1; x = Int(capParent[x]) }
        return d
    }
}
