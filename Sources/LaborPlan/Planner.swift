import Dispatch
import Foundation
import Synchronization
import LaborModel
import MatchCore
import LaborStore

/// Labour-transfer scenarios side by side from one scoring pass: each scenario is solved on the same candidates
/// (quotas, poor-household targets and exclusions as `match` means them), training what-ifs re-score only the
/// trained workers, and the results are compared with the first scenario, the baseline.
public struct Planner {
    /// What the plan starts from: the workers to place, the posts with their capacity (openings, or the open
    /// capacity the nightly sees), the rules, and 人员编号 when the inputs come from the registry.
    public struct Inputs: Sendable {
        public var workers: [Worker]
        public var posts: [JobPost]
        public var capacity: [Int]
        public var rules: MatchRules
        public var numbers: [String: String]?
        public init(workers: [Worker], posts: [JobPost], capacity: [Int], rules: MatchRules, numbers: [String: String]? = nil) {
            self.workers = workers
            self.posts = posts
            self.capacity = capacity
            self.rules = rules
            self.numbers = numbers
        }
    }

    /// One scenario's result.
    public struct Solved: Sendable {
        public var scenario: ScenarioFile.Scenario
        /// nil when the scenario is infeasible (see `problem`).
        public var report: PlacementReport?
        public var problem: String?
        /// The workers as this scenario sees them (trained ones with their new certificate).
        public var workers: [Worker]
        public var trained: Int
        public var buses: [Bus]
        public var unscheduled: Int
        public var seconds: Double
    }

    public struct SweepPoint: Sendable {
        public var target: Double
        public var achieved: Double
        public var objective: Int64
        public var cost: Int64
        public var bonus: Double
        public var reached: Bool
    }

    public let inputs: Inputs
    public let topK: Int
    public var threads: Int?

    public init(inputs: Inputs, topK: Int, threads: Int? = nil) {
        self.inputs = inputs
        self.topK = topK
        self.threads = threads
    }

    /// The tie codes of the whole run, so that a subset re-scored orders ties exactly as the whole would.
    var codes: TieCodes { TieCodes(workerIDs: inputs.workers.map(\.workerID), postIDs: inputs.posts.map(\.postID)) }

    /// Solves every scenario (and the sweep on the baseline); `progress` hears each scenario's name.
    /// Where a run's time went: scoring (the baseline's and any scenario's own) and the solves (with the sweep).
    public struct Timings: Sendable {
        public var score = 0.0
        public var solve = 0.0
    }

    public func run(_ file: ScenarioFile, progress: (String) -> Void = { _ in }) throws -> (scenarios: [Solved], sweep: [SweepPoint], seconds: Timings) {
        var timings = Timings()
        let scoring = Date()
        let codes = self.codes
        let base = Matcher(rules: inputs.rules).candidates(workers: inputs.workers, posts: inputs.posts, k: topK, threads: threads, codes: codes)
        var rescored: [[String]: ScoringResult] = [:]
        // 1. Each scenario's candidates (scoring again only where exclusions or training ask for it), in order.
        struct Prepared: @unchecked Sendable {
            var scenario: ScenarioFile.Scenario
            var rules: MatchRules
            var workers: [Worker]
            var trained: Int
            var result: ScoringResult
            /// True when the scenario's candidates are the baseline's (no exclusion, nobody trained).
            var sharesBase: Bool
            var seconds: Double
        }
        var prepared: [Prepared] = []
        for s in file.scenarios {
            progress(s.name)
            let t0 = Date()
            var rules = inputs.rules
            if !s.excludeEmployers.isEmpty {
                rules = MatchRules(taxonomy: rules.taxonomy, weights: rules.weights, asOf: rules.asOf,
                                   excludedEmployers: rules.excludedEmployers.union(s.excludeEmployers))
            }
            let (workers, changed) = Planner.train(inputs.workers, s.train, taxonomy: rules.taxonomy)
            let result: ScoringResult
            var sharesBase = false
            if !s.excludeEmployers.isEmpty {
                // Excluding employers changes which candidates fill the lists: scored again, like `match` would.
                let key = s.excludeEmployers.sorted() + changed.map { workers[$0].workerID + "+" }
                if let r = rescored[key] { result = r } else {
                    result = Matcher(rules: rules).candidates(workers: workers, posts: inputs.posts, k: topK, threads: threads, codes: codes)
                    rescored[key] = result
                }
            } else if !changed.isEmpty {
                result = rescore(base, changed: changed, workers: workers, rules: rules, codes: codes)
            } else {
                result = base
                sharesBase = true
            }
            prepared.append(Prepared(scenario: s, rules: rules, workers: workers, trained: changed.count, result: result,
                                     sharesBase: sharesBase, seconds: Date().timeIntervalSince(t0)))
        }
        timings.score = Date().timeIntervalSince(scoring)
        let solving = Date()
        // 2. The solves, independent of each other, in one pool of `threads` cores (each solve is single-threaded);
        // the results do not depend on the order they finish in. The scenarios on the baseline's candidates share
        // its graph and its plain optimum (solved once, by whichever needs it first, and certified; each quota
        // network starts from it). Order of the tasks: the scenarios with candidates of their own (they need no
        // shared optimum), then the others by kind, slowest kinds first (quota networks, poor-share searches,
        // bonuses, the rest; file order within each), then the sweep's targets.
        let baseGraph = try? Placement.graph(base, workers: inputs.workers.count, capacities: inputs.capacity)
        let inputs = self.inputs, ready = prepared, transport = file.transport, targets = file.sweep
        enum Task { case scenario(Int), sweep(Int) }
        func kind(_ s: ScenarioFile.Scenario) -> Int { !s.quotas.isEmpty ? 3 : s.poorShare != nil ? 2 : s.poorBonus != nil ? 1 : 0 }
        let sharing = ready.indices.filter { ready[$0].sharesBase }
        let tasks: [Task] = ready.indices.filter { !ready[$0].sharesBase }.map { .scenario($0) }
            + sharing.sorted { (kind(ready[$1].scenario), $0) < (kind(ready[$0].scenario), $1) }.map { .scenario($0) }
            + targets.indices.map { .sweep($0) }
        let plain = SharedPlain(baseGraph)
        let baselineQuotas = file.scenarios.first?.quotas ?? Quotas()
        var solvedSlots = [Solved?](repeating: nil, count: ready.count)
        var sweepSlots = [Result<PlacementReport, Error>?](repeating: nil, count: targets.count)
        solvedSlots.withUnsafeMutableBufferPointer { solvedBuffer in
            sweepSlots.withUnsafeMutableBufferPointer { sweepBuffer in
                // Each task writes only its own slot.
                nonisolated(unsafe) let solvedOut = solvedBuffer, sweepOut = sweepBuffer
                Planner.pool(tasks.count, threads: threads ?? ScoringConfiguration.availableCores) { t in
                    switch tasks[t] {
                    case .scenario(let k):
                        let p = ready[k]
                        let shared = p.sharesBase ? baseGraph.map { Shared(graph: $0, plain: plain.value()) } : nil
                        solvedOut[k] = Planner.solve(p.scenario, rules: p.rules, workers: p.workers, trained: p.trained, result: p.result,
                                                     shared: shared, inputs: inputs, transport: transport, scoringSeconds: p.seconds)
                    case .sweep(let x):
                        var o = Placement.Options()
                        o.poorShare = targets[x]
                        o.plain = plain.value()
                        sweepOut[x] = Result {
                            try PlacementReport.solve(baseGraph ?? Placement.graph(base, workers: inputs.workers.count, capacities: inputs.capacity),
                                                      rules: inputs.rules, workers: inputs.workers, posts: inputs.posts,
                                                      quotas: baselineQuotas, options: o)
                        }
                    }
                }
            }
        }
        let out = solvedSlots.map { $0! }
        var sweep: [SweepPoint] = []
        // The curve is drawn against a feasible baseline only.
        if let baseReport = out.first?.report {
            for (x, target) in targets.enumerated() {
                let r = try sweepSlots[x]!.get()
                sweep.append(SweepPoint(target: target, achieved: r.outcome.poorShare, objective: r.outcome.assignment.objective,
                                        cost: baseReport.outcome.baseWeight - r.outcome.baseWeight,
                                        bonus: Double(r.outcome.bonus) / Double(ScoringWeights.quantization), reached: r.outcome.targetReached))
            }
        }
        timings.solve = Date().timeIntervalSince(solving)
        return (out, sweep, timings)
    }

    /// The baseline's candidate graph and its plain optimum, shared by the scenarios that keep its candidates.
    struct Shared: @unchecked Sendable {
        var graph: AssignmentProblem
        var plain: Assignment?
    }

    /// The plain optimum of the baseline's graph (the auction's, with its duals), solved by the first task that
    /// asks; the others wait for it.
    final class SharedPlain: Sendable {
        let graph: AssignmentProblem?
        let state = Mutex<(solved: Bool, plain: Assignment?)>((false, nil))
        init(_ graph: AssignmentProblem?) { self.graph = graph }
        func value() -> Assignment? {
            state.withLock { s in
                if !s.solved, let g = graph { s.plain = DualCertificate.withDuals(g, AuctionAssigner.solve(g)) }
                s.solved = true
                return s.plain
            }
        }
    }

    /// Runs tasks 0 ..< count on `threads` cores, each core taking the next task in order when it is free.
    static func pool(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        let next = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
            while true {
                let t = next.withLock { n in defer { n += 1 }; return n }
                guard t < count else { return }
                body(t)
            }
        }
    }

    /// One scenario's placement on its candidates, exactly as `match` would make it; an infeasible one says why.
    static func solve(_ s: ScenarioFile.Scenario, rules: MatchRules, workers: [Worker], trained: Int, result: ScoringResult,
                      shared: Shared?, inputs: Inputs, transport: ScenarioFile.Transport?, scoringSeconds: Double) -> Solved {
        let t0 = Date()
        var o = Placement.Options()
        o.poorBonus = s.poorBonus ?? 0
        o.poorShare = s.poorShare
        o.verify = true
        o.plain = shared?.plain
        var solved = Solved(scenario: s, report: nil, problem: nil, workers: workers, trained: trained, buses: [], unscheduled: 0, seconds: 0)
        do {
            let graph = try shared?.graph ?? Placement.graph(result, workers: workers.count, capacities: inputs.capacity)
            let report = try PlacementReport.solve(graph, rules: rules, workers: workers, posts: inputs.posts, quotas: s.quotas, options: o)
            if report.outcome.verified == false { throw AssignmentError.notOptimal("the certificate does not hold") }
            solved.report = report
            if let transport { (solved.buses, solved.unscheduled) = Buses.schedule(report, transport: transport) }
        } catch AssignmentError.infeasibleMinimum(let g, let minimum, let reached) {
            solved.problem = "township_min \(rules.taxonomy.townships[g].name)=\(minimum) cannot be met: at most \(reached) (最低名额无法满足)"
        } catch let e as AssignmentError {
            solved.problem = "\(e)"
        } catch let e as QuotaSpec.Problem {
            solved.problem = e.message
        } catch {
            solved.problem = "\(error)"
        }
        solved.seconds = scoringSeconds + Date().timeIntervalSince(t0)
        return solved
    }

    /// Gives each training's certificate to up to `count` workers of its township who name its occupation (as an
    /// intention or a skill) and do not hold it yet, in the fixed order of their ids' hash. Returns the workers and
    /// the rows that changed.
    public static func train(_ workers: [Worker], _ trainings: [ScenarioFile.Training], taxonomy t: Taxonomy) -> ([Worker], [Int]) {
        var out = workers
        var changed = Set<Int>()
        for tr in trainings {
            let eligible = out.indices.filter { i in
                let w = out[i]
                return w.township == tr.township && (w.intentions.contains(tr.occupation) || w.skills.contains(tr.occupation))
                    && !t.closure(ofCertificates: w.certificates).contains(tr.certificate)
            }.sorted { (TieCodes.code(of: out[$0].workerID), out[$0].workerID) < (TieCodes.code(of: out[$1].workerID), out[$1].workerID) }
            for i in eligible.prefix(tr.count) {
                out[i].certificates.append(tr.certificate)
                changed.insert(i)
            }
        }
        return (out, changed.sorted())
    }

    /// The lists after some workers gained a certificate, without scoring everyone again: a certificate can only
    /// raise a worker's scores, so each post's new list is the best K of its old list and the changed workers'
    /// new scores, in the same tie order (the run's tie codes) as a full scoring gives.
    func rescore(_ base: ScoringResult, changed: [Int], workers: [Worker], rules: MatchRules, codes: TieCodes) -> ScoringResult {
        let sub = changed.map { workers[$0] }
        let subCodes = TieCodes(workerCodes: changed.map { codes.workers[$0] }, postCodes: codes.posts)
        let r = Matcher(rules: rules).candidates(workers: sub, posts: inputs.posts, k: topK, threads: threads, codes: subCodes)
        var byWorker = base.byWorker
        let k = byWorker.k
        for (s, i) in changed.enumerated() {
            for slot in 0..<k {
                byWorker.scores[i * k + slot] = r.byWorker.scores[s * r.byWorker.k + slot]
                byWorker.ids[i * k + slot] = r.byWorker.ids[s * r.byWorker.k + slot]
            }
        }
        guard var byPost = base.byPost, let newPost = r.byPost else { return ScoringResult(byWorker: byWorker, byPost: base.byPost) }
        let isChanged = Set(changed)
        let pk = byPost.k
        for j in 0..<byPost.rows {
            var list = byPost.candidates(of: j).filter { !isChanged.contains($0.id) }.map { (id: $0.id, score: $0.score) }
            for c in newPost.candidates(of: j) { list.append((id: changed[c.id], score: c.score)) }
            let owner = codes.posts[j]
            list.sort { TieOrder.before(owner: owner, $0.score, codes.workers[$0.id], $1.score, codes.workers[$1.id]) }
            for slot in 0..<pk {
                byPost.scores[j * pk + slot] = slot < list.count ? list[slot].score : -.infinity
                byPost.ids[j * pk + slot] = slot < list.count ? Int32(list[slot].id) : -1
            }
        }
        return ScoringResult(byWorker: byWorker, byPost: byPost)
    }
}

extension Planner.Inputs {
    /// The registry as the nightly sees it: the free pool (free workers and suspected losses) against the open
    /// capacity (openings minus open placements), with 人员编号.
    public static func fromRegistry(_ registry: Registry, taxonomy: Taxonomy, weights: ScoringWeights, asOf: CivilDate,
                                    topK: Int) throws -> Planner.Inputs {
        var options = Nightly.Options(asOf: asOf)
        options.topK = topK
        options.calls = 0
        let plan = try Nightly.plan(registry: registry, taxonomy: taxonomy, weights: weights, options: options, runID: "plan")
        return Planner.Inputs(workers: plan.pool, posts: plan.posts, capacity: plan.outcome.problem.capacity.map(Int.init),
                              rules: plan.rules, numbers: plan.numbers)
    }
}
