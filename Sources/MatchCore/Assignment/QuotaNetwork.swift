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
    }

    /// - Throws: `AssignmentError.infeasibleMinimum` naming the first township whose minimum cannot be met,
    ///   `.notOptimal` if the certificate fails.
    public func solve(_ p: AssignmentProblem) throws -> Result {
        let n = p.workers, m = p.posts
        let quotaGroups = Set(groupMin.keys).union(groupMax.keys).sorted()
        var groupNode: [Int: Int] = [:]
        let source = 0, sink = 1
        var next = 2
        for g in quotaGroups { groupNode[g] = next; next += 1 }
        let workerBase = next
        let postBase = workerBase + n
        let capBase = postBase + m
        var net = MinCostFlow(nodes: capBase + capLimit.count)
        var bigM: Int64 = 1
        for i in 0..<n {
            var best: Int64 = 0
            for e in p.workerStart[i]..<p.workerStart[i + 1] { best = max(best, p.workerWeight[e]) }
            bigM += best
        }
        var minArc: [Int: Int] = [:], restArc: [Int: Int] = [:]
        for g in quotaGroups {
            let lo = groupMin[g] ?? 0
            let hi = groupMax[g] ?? n
            if lo > 0 { minArc[g] = net.addArc(from: source, to: groupNode[g]!, capacity: Int64(min(lo, hi)), cost: -bigM) }
            restArc[g] = net.addArc(from: source, to: groupNode[g]!, capacity: Int64(max(0, hi - lo)), cost: 0)
        }
        for i in 0..<n {
            let g = Int(workerGroup[i])
            let from = groupNode[g] ?? source
            net.addArc(from: from, to: workerBase + i, capacity: 1, cost: 0)
        }
        var edgeArc = [Int](repeating: 0, count: p.edgeCount)
        for i in 0..<n {
            for e in p.workerStart[i]..<p.workerStart[i + 1] {
                edgeArc[e] = net.addArc(from: workerBase + i, to: postBase + Int(p.workerPost[e]), capacity: 1, cost: -p.workerWeight[e])
            }
        }
        for j in 0..<m {
            let g = Int(postCapGroup[j])
            net.addArc(from: postBase + j, to: g >= 0 ? capBase + g : sink, capacity: Int64(p.capacity[j]), cost: 0)
        }
        for g in 0..<capLimit.count {
            let parent = Int(capParent[g])
            net.addArc(from: capBase + g, to: parent >= 0 ? capBase + parent : sink, capacity: Int64(capLimit[g]), cost: 0)
        }
        guard net.maximizeGain(source: source, sink: sink) else { throw AssignmentError.notOptimal("negative cycle in the network") }
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
        let phi = net.potential
        // Dual of a capacity arc u → v of cost 0: max(0, φ(v) − φ(u)), the gain of one more unit on it.
        func dual(_ u: Int, _ v: Int) -> Int64 { max(0, phi[v] - phi[u]) }
        let postPrice = (0..<m).map { j -> Int64 in
            let g = Int(postCapGroup[j])
            return dual(postBase + j, g >= 0 ? capBase + g : sink)
        }
        let groupPrice = (0..<capLimit.count).map { g -> Int64 in
            let parent = Int(capParent[g])
            return dual(capBase + g, parent >= 0 ? capBase + parent : sink)
        }
        // The certificate here is the network's own (`certify`); worker profits are not reported.
        return Result(assignment: Assignment(postOf: postOf, objective: objective, workerProfit: nil, postPrice: postPrice),
                      groupPrice: groupPrice, phases: net.phases)
    }
}
