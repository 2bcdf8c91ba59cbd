import Dispatch
import MatchCore

/// Deciding who goes where: the candidate graph (the union of both directions' top-K lists, weight = quantised
/// score), the solver, the poor-household bonus (fixed, or tuned by bisection to reach a target share), and the
/// figures a planner reads.
public struct Placement: Sendable {
    public enum Solver: String, Sendable, CaseIterable {
        case exact, greedy
    }

    /// A (worker, post) pair by row.
    public struct Pair: Hashable, Sendable {
        public var worker: Int
        public var post: Int
        public init(worker: Int, post: Int) {
            self.worker = worker
            self.post = post
        }
    }

    public struct Options: Sendable {
        public var solver: Solver = .exact
        /// Added to every edge of a poor-household worker, in score units (a multiple of 1/1024).
        public var poorBonus: Double = 0
        /// When set, the bonus is tuned (bisection) to reach at least this share of poor-household placements.
        public var poorShare: Double?
        /// Check the optimality certificate (always done for exact solves in tests; `--verify` at run time).
        public var verify = false
        /// Dual prices and the greedy baseline for the solution (off only where a caller certifies it itself).
        public var certify = true
        public var quotas = Quotas()
        /// The graph's optimum without bonus or quotas, with its duals, when the caller already has it (the
        /// planner's scenarios share one graph): it is then not solved again, and it warm-starts the quota network.
        /// It must be the auction's own answer on the graph (`AuctionAssigner.solve`, then
        /// `DualCertificate.withDuals`), so that the results equal a run without it.
        public var plain: Assignment?
        public init() {}
    }

    /// The candidate graph: workers × posts edges with integer weights (score × 1024), without the pairs in
    /// `excluding` (worker, post): proposals a worker declined are never made again.
    /// `adding` puts in edges the lists do not hold (a repeated pair keeps the larger weight).
    public static func graph(_ r: ScoringResult, workers: Int, capacities: [Int],
                             excluding: Set<Pair> = [], adding: [(worker: Int, post: Int, weight: Int64)] = []) throws -> AssignmentProblem {
        var edges: [(worker: Int, post: Int, weight: Int64)] = []
        edges.reserveCapacity(r.byWorker.rows * r.byWorker.k * 2)
        for i in 0..<r.byWorker.rows {
            for c in r.byWorker.candidates(of: i) where !excluding.contains(Pair(worker: i, post: c.id)) { edges.append((i, c.id, Int64(c.score))) }
        }
        if let byPost = r.byPost {
            for j in 0..<byPost.rows {
                for c in byPost.candidates(of: j) where !excluding.contains(Pair(worker: c.id, post: j)) { edges.append((c.id, j, Int64(c.score))) }
            }
        }
        edges += adding
        return try AssignmentProblem(workers: workers, capacity: capacities, edges: edges)
    }

    /// The graph with `bonus` (in weight units) added to the edges of the workers flagged poor.
    public static func withBonus(_ g: AssignmentProblem, poor: [Bool], bonus: Int64) throws -> AssignmentProblem {
        guard bonus != 0 else { return g }
        var edges: [(worker: Int, post: Int, weight: Int64)] = []
        edges.reserveCapacity(g.edgeCount)
        for i in 0..<g.workers {
            for e in g.workerStart[i]..<g.workerStart[i + 1] {
                // Checked: an overflowing sum becomes Int64.max, which the problem refuses as beyond the safe range.
                let (w, overflow) = g.workerWeight[e].addingReportingOverflow(poor[i] ? bonus : 0)
                edges.append((i, Int(g.workerPost[e]), overflow ? .max : w))
            }
        }
        return try AssignmentProblem(workers: g.workers, capacity: g.capacity.map(Int.init), edges: edges)
    }

    public struct Outcome: Sendable {
        /// The problem as solved (bonus included).
        public var problem: AssignmentProblem
        public var assignment: Assignment
        /// The greedy baseline on the same graph; nil with quotas, which greedy does not honour.
        public var greedyObjective: Int64?
        /// Total weight of the placements without the bonus, and the optimum without any bonus.
        public var baseWeight: Int64
        public var unbonusedOptimum: Int64
        public var bonus: Int64
        public var placedPoor: Int
        public var verified: Bool?
        /// Dual prices of the cap groups (destination, employer, ...), when quotas were solved.
        public var groupPrice: [Int64]?
        public var bisectionSteps: Int
        /// False when a target share was asked and even full priority could not reach it.
        public var targetReached = true
        /// Seconds spent in the solver proper (all bisection steps), the greedy baseline and the certificate.
        public var solveSeconds: Double = 0
        public var greedySeconds: Double = 0
        public var certificateSeconds: Double = 0

        public var poorShare: Double { assignment.placed == 0 ? 0 : Double(placedPoor) / Double(assignment.placed) }
        /// What the poor-household priority cost in total weight.
        public var priorityCost: Int64 { unbonusedOptimum - baseWeight }
    }

    /// Solves the placement problem on graph `g` for workers flagged `poor`.
    public static func solve(_ g: AssignmentProblem, poor: [Bool], options: Options, network: QuotaNetwork?) throws -> Outcome {
        var solveSeconds = 0.0
        // A given plain optimum is used only when its certificate holds on this graph.
        let given = options.plain.flatMap { a in
            a.postOf.count == g.workers && a.postOf.allSatisfy { $0 < Int32(g.posts) } && DualCertificate.verify(g, a) == nil ? a : nil
        }
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        func run(_ bonus: Int64) throws -> (AssignmentProblem, Assignment, [Int64]?) {
            let p = try withBonus(g, poor: poor, bonus: bonus)
            let t0 = now()
            defer { solveSeconds += now() - t0 }
            let plain = bonus == 0 && options.solver == .exact ? given : nil
            if let network {
                let r = try network.solve(p, warm: plain)
                return (p, r.assignment, r.groupPrice)
            }
            switch options.solver {
            case .exact: return (p, plain ?? AuctionAssigner.solve(p), nil)
            case .greedy: return (p, GreedyAssigner.solve(p), nil)
            }
        }
        func weightWithoutBonus(_ a: Assignment) -> Int64 {
            var t: Int64 = 0
            for i in 0..<g.workers where a.postOf[i] >= 0 { t += g.weight(worker: i, post: Int(a.postOf[i]))! }
            return t
        }
        func poorPlaced(_ a: Assignment) -> Int { (0..<g.workers).filter { a.postOf[$0] >= 0 && poor[$0] }.count }
        func share(_ a: Assignment) -> Double { a.placed == 0 ? 0 : Double(poorPlaced(a)) / Double(a.placed) }

        let base = try run(0)
        var bonus = Int64((options.poorBonus * Double(ScoringWeights.quantization)).rounded())
        var chosen = bonus == 0 ? base : try run(bonus)
        var steps = 0
        var reached = true
        if let target = options.poorShare, share(base.1) < target {
            // Bisection on the bonus: the smallest bonus (in weight units) whose solution reaches the target share.
            // A bonus above n × the largest weight gives poor households strict priority: if that cannot reach
            // the target, nothing can, and that solution is kept and reported.
            var lo: Int64 = 0
            // Safe: the problem's range check keeps (largest weight) × (workers + 1) ≤ 2^60.
            let (strict, overflow) = Int64(max(1, g.workers)).multipliedReportingOverflow(by: max(1, g.workerWeight.max() ?? 1))
            var hi: Int64 = overflow ? AssignmentProblem.safeLimit : strict + 1
            var hiRun = try run(hi)
            steps += 1
            if share(hiRun.1) < target {
                reached = false
            } else {
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2
                    let r = try run(mid)
                    steps += 1
                    if share(r.1) >= target { hi = mid; hiRun = r } else { lo = mid }
                }
            }
            bonus = hi
            chosen = hiRun
        }
        var assignment = chosen.1
        var verified: Bool?
        let t1 = now()
        if options.solver == .exact && network == nil && options.certify {
            if let proven = DualCertificate.withDuals(chosen.0, assignment) {
                assignment = proven
                verified = options.verify ? DualCertificate.verify(chosen.0, proven) == nil : nil
            } else {
                verified = false
            }
        } else if network != nil {
            // QuotaNetwork.solve certifies its flow (non-negative reduced costs on every residual arc) or throws.
            verified = options.verify ? true : nil
        }
        if verified == false { throw AssignmentError.notOptimal("the dual certificate does not hold") }
        let t2 = now()
        let greedy: Int64? = options.solver == .greedy ? assignment.objective
            : network == nil && options.certify ? GreedyAssigner.solve(chosen.0).objective : nil
        let t3 = now()
        var outcome = Outcome(problem: chosen.0, assignment: assignment, greedyObjective: greedy,
                       baseWeight: weightWithoutBonus(assignment),
                       unbonusedOptimum: options.solver == .exact ? base.1.objective : weightWithoutBonus(base.1),
                       bonus: bonus, placedPoor: poorPlaced(assignment), verified: verified,
                       groupPrice: chosen.2, bisectionSteps: steps)
        outcome.solveSeconds = solveSeconds
        outcome.targetReached = reached
        outcome.certificateSeconds = t2 - t1
        outcome.greedySeconds = t3 - t2
        return outcome
    }
}

extension Placement {
    /// Solves on `g` choosing, among its optimal assignments, one that keeps as many of the `keep` pairs as
    /// possible (last night's proposals): weights become w·(K + 1) + [kept pair], K = number of kept pairs, so the
    /// bonus (at most K in total) can never outweigh one unit of real score, and a proposal changes only when it is
    /// no longer feasible or another choice is strictly better in total. The result is then proved optimal for
    /// `g` itself by its dual certificate (throws `notOptimal` otherwise). No quotas, no poor-household bonus.
    public static func solve(_ g: AssignmentProblem, poor: [Bool], options: Options,
                             keeping keep: [(worker: Int, post: Int)]) throws -> (outcome: Outcome, kept: Int) {
        var keepSet = Set<Int>()
        for k in keep where g.weight(worker: k.worker, post: k.post) != nil { keepSet.insert(k.worker << 31 | k.post) }
        guard !keepSet.isEmpty, options.solver == .exact, options.poorBonus == 0, options.poorShare == nil else {
            return (try solve(g, poor: poor, options: options, network: nil), 0)
        }
        let scale = Int64(keepSet.count) + 1
        var edges: [(worker: Int, post: Int, weight: Int64)] = []
        edges.reserveCapacity(g.edgeCount)
        for i in 0..<g.workers {
            for e in g.workerStart[i]..<g.workerStart[i + 1] {
                let j = Int(g.workerPost[e])
                // Checked: beyond Int64 the problem refuses the instance as beyond its safe range.
                let (w, overflow) = g.workerWeight[e].multipliedReportingOverflow(by: scale)
                edges.append((i, j, overflow ? .max : w + (keepSet.contains(i << 31 | j) ? 1 : 0)))
            }
        }
        let preferring = try AssignmentProblem(workers: g.workers, capacity: g.capacity.map(Int.init), edges: edges)
        // Certified below, on the real weights, not on the preferring ones.
        var inner = options
        inner.certify = false
        var o = try solve(preferring, poor: poor, options: inner, network: nil)
        var a = o.assignment
        var objective: Int64 = 0, kept = 0
        for i in 0..<g.workers where a.postOf[i] >= 0 {
            objective += g.weight(worker: i, post: Int(a.postOf[i]))!
            if keepSet.contains(i << 31 | Int(a.postOf[i])) { kept += 1 }
        }
        a.objective = objective
        guard let proven = DualCertificate.withDuals(g, a), DualCertificate.verify(g, proven) == nil else {
            throw AssignmentError.notOptimal("keeping last night's proposals lost optimality")
        }
        o.problem = g
        o.assignment = proven
        o.greedyObjective = GreedyAssigner.solve(g).objective
        o.baseWeight = objective
        o.unbonusedOptimum = objective
        o.verified = true
        return (o, kept)
    }
}

/// Planners' limits: per-township minimum and maximum placements, and maximum intake per group of posts.
public struct Quotas: Sendable {
    public var townshipMin: [Int: Int] = [:]
    public var townshipMax: [Int: Int] = [:]
    /// Caps by destination index, employer credit code, and (credit code, destination).
    public var destinationMax: [Int: Int] = [:]
    public var employerMax: [String: Int] = [:]
    public var employerDestinationMax: [String: Int] = [:]
    /// Caps on a group of destinations by its name (深圳市: all Shenzhen districts together).
    public var destinationGroupMax: [String: Int] = [:]

    public init() {}

    public var isEmpty: Bool {
        townshipMin.isEmpty && townshipMax.isEmpty && destinationMax.isEmpty && employerMax.isEmpty
            && employerDestinationMax.isEmpty && destinationGroupMax.isEmpty
    }
}
