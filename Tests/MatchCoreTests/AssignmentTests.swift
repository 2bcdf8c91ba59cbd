import Testing
@testable import MatchCore

/// Brute force: the best total weight over every feasible assignment (tiny instances only).
func bruteForce(_ p: AssignmentProblem) -> Int64 {
    var room = p.capacity.map(Int.init)
    var best: Int64 = 0
    func go(_ i: Int, _ total: Int64) {
        if i == p.workers { best = max(best, total); return }
        go(i + 1, total) // not placed
        for e in p.workerStart[i]..<p.workerStart[i + 1] {
            let j = Int(p.workerPost[e])
            if room[j] > 0 {
                room[j] -= 1
                go(i + 1, total + p.workerWeight[e])
                room[j] += 1
            }
        }
    }
    go(0, 0)
    return best
}

/// Why an assignment is not feasible (a worker on a post without an edge, a post over capacity, a wrong
/// objective), checked from the edge list itself; nil when it is feasible.
func infeasibility(_ p: AssignmentProblem, _ a: Assignment) -> String? {
    guard a.postOf.count == p.workers else { return "postOf has \(a.postOf.count) entries" }
    var load = [Int](repeating: 0, count: p.posts)
    var total: Int64 = 0
    for i in 0..<p.workers where a.postOf[i] >= 0 {
        let j = Int(a.postOf[i])
        let edges = (p.workerStart[i]..<p.workerStart[i + 1]).filter { Int(p.workerPost[$0]) == j }
        guard let e = edges.first else { return "worker \(i) on post \(j) without an edge" }
        load[j] += 1
        total += p.workerWeight[e]
    }
    for j in 0..<p.posts where load[j] > Int(p.capacity[j]) { return "post \(j) holds \(load[j]) of \(p.capacity[j])" }
    return total == a.objective ? nil : "objective \(a.objective), edges weigh \(total)"
}

func randomProblem(_ g: inout SplitMix64, workers: Int, posts: Int, density: Double, maxWeight: Int, maxCap: Int) -> AssignmentProblem {
    var edges: [(worker: Int, post: Int, weight: Int64)] = []
    for i in 0..<workers {
        for j in 0..<posts where g.chance(density) {
            edges.append((i, j, Int64(g.below(maxWeight + 1))))
        }
    }
    let caps = (0..<posts).map { _ in g.below(maxCap + 1) }
    return try! AssignmentProblem(workers: workers, capacity: caps, edges: edges)
}

@Suite struct AssignmentTests {
    @Test func exactEqualsBruteForceWithTiesZerosCapacityAndIsolatedNodes() {
        var g = SplitMix64(seed: 2024)
        for round in 0..<400 {
            let p = randomProblem(&g, workers: 1 + g.below(7), posts: 1 + g.below(5), density: [0.3, 0.6, 1.0][round % 3],
                                  maxWeight: [1, 3, 20][round % 3], maxCap: [1, 2, 4][(round / 3) % 3])
            let want = bruteForce(p)
            let exact = AuctionAssigner.solve(p)
            #expect(exact.objective == want, "round \(round)")
            let proven = DualCertificate.withDuals(p, exact)
            #expect(proven != nil, "round \(round): no duals")
            if let proven { #expect(DualCertificate.verify(p, proven) == nil, "round \(round): \(DualCertificate.verify(p, proven) ?? "")") }
            let greedy = GreedyAssigner.solve(p)
            #expect(greedy.objective <= want)
            #expect(infeasibility(p, greedy) == nil, "round \(round): greedy \(infeasibility(p, greedy) ?? "")")
            #expect(infeasibility(p, exact) == nil, "round \(round): exact \(infeasibility(p, exact) ?? "")")
        }
    }

    @Test func mediumInstancesAreProvenOptimal() {
        var g = SplitMix64(seed: 7)
        for round in 0..<20 {
            let p = randomProblem(&g, workers: 300, posts: 120, density: 0.05, maxWeight: [5, 1000][round % 2], maxCap: 4)
            let exact = AuctionAssigner.solve(p)
            guard let proven = DualCertificate.withDuals(p, exact) else {
                Issue.record("round \(round): not optimal")
                continue
            }
            #expect(DualCertificate.verify(p, proven) == nil)
            #expect(GreedyAssigner.solve(p).objective <= exact.objective)
        }
    }

    @Test func checkerRejectsASuboptimalAssignment() throws {
        // Worker 0 likes post 0 (5) and post 1 (4); worker 1 only post 0 (4). Optimum 8, greedy 5.
        let p = try AssignmentProblem(workers: 2, capacity: [1, 1], edges: [(0, 0, 5), (0, 1, 4), (1, 0, 4)])
        let greedy = GreedyAssigner.solve(p)
        #expect(greedy.objective == 5)
        #expect(DualCertificate.withDuals(p, greedy) == nil)
        let exact = AuctionAssigner.solve(p)
        #expect(exact.objective == 8)
        let proven = try #require(DualCertificate.withDuals(p, exact))
        #expect(DualCertificate.verify(p, proven) == nil)
        var forged = proven
        forged.postPrice![0] -= 1
        #expect(DualCertificate.verify(p, forged) != nil)
    }

    @Test func emptyAndDegenerateShapes() throws {
        let none = try AssignmentProblem(workers: 0, capacity: [], edges: [])
        #expect(AuctionAssigner.solve(none).objective == 0)
        let noCap = try AssignmentProblem(workers: 2, capacity: [0], edges: [(0, 0, 3), (1, 0, 2)])
        let a = AuctionAssigner.solve(noCap)
        #expect(a.objective == 0 && a.placed == 0)
        #expect(DualCertificate.verify(noCap, DualCertificate.withDuals(noCap, a)!) == nil)
        let zeros = try AssignmentProblem(workers: 2, capacity: [2], edges: [(0, 0, 0), (1, 0, 0)])
        #expect(AuctionAssigner.solve(zeros).objective == 0)
        #expect(throws: AssignmentError.self) { try AssignmentProblem(workers: 1, capacity: [1], edges: [(0, 1, 1)]) }
        #expect(throws: AssignmentError.self) { try AssignmentProblem(workers: 1, capacity: [1], edges: [(0, 0, -1)]) }
    }

    @Test func deterministicOnTies() throws {
        let p = try AssignmentProblem(workers: 3, capacity: [1, 1], edges: [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1), (2, 0, 1), (2, 1, 1)])
        let a = AuctionAssigner.solve(p), b = AuctionAssigner.solve(p)
        #expect(a == b && a.objective == 2)
        #expect(GreedyAssigner.solve(p).postOf == [0, 1, -1])
    }
}

/// Brute force with quotas: worker groups with [min, max] placements and one level of post-group caps.
func bruteForceQuotas(_ p: AssignmentProblem, _ q: QuotaNetwork) -> Int64? {
    var room = p.capacity.map(Int.init)
    var capRoom = q.capLimit
    var groupCount = [Int: Int]()
    var best: Int64? = nil
    func go(_ i: Int, _ total: Int64) {
        if i == p.workers {
            for (g, lo) in q.groupMin where (groupCount[g] ?? 0) < lo { return }
            best = max(best ?? Int64.min, total)
            return
        }
        go(i + 1, total)
        let g = Int(q.workerGroup[i])
        if let hi = q.groupMax[g], (groupCount[g] ?? 0) >= hi { return }
        for e in p.workerStart[i]..<p.workerStart[i + 1] {
            let j = Int(p.workerPost[e])
            // The post's cap group and every group above it.
            var chain: [Int] = []
            var c = Int(q.postCapGroup[j])
            while c >= 0 { chain.append(c); c = Int(q.capParent[c]) }
            guard room[j] > 0, chain.allSatisfy({ capRoom[$0] > 0 }) else { continue }
            room[j] -= 1
            for c in chain { capRoom[c] -= 1 }
            groupCount[g, default: 0] += 1
            go(i + 1, total + p.workerWeight[e])
            groupCount[g, default: 0] -= 1
            for c in chain { capRoom[c] += 1 }
            room[j] += 1
        }
    }
    go(0, 0)
    return best
}

@Suite struct QuotaNetworkTests {
    @Test func withoutQuotasItAgreesWithTheAuction() {
        var g = SplitMix64(seed: 11)
        for round in 0..<60 {
            let p = randomProblem(&g, workers: 40 + g.below(40), posts: 20, density: 0.15, maxWeight: [3, 100][round % 2], maxCap: 3)
            let q = QuotaNetwork(workerGroup: Array(repeating: -1, count: p.workers), groupMin: [:], groupMax: [:],
                                 postCapGroup: Array(repeating: -1, count: p.posts), capParent: [], capLimit: [])
            let r = try! q.solve(p)
            #expect(r.assignment.objective == AuctionAssigner.solve(p).objective, "round \(round)")
        }
    }

    @Test func quotasEqualBruteForceOrAreReportedInfeasible() {
        var g = SplitMix64(seed: 12)
        var infeasible = 0, solved = 0
        for round in 0..<250 {
            let p = randomProblem(&g, workers: 2 + g.below(5), posts: 1 + g.below(4), density: 0.7, maxWeight: 9, maxCap: 2)
            let groups = (0..<p.workers).map { _ in Int32(g.below(2)) }
            var mins: [Int: Int] = [:], maxs: [Int: Int] = [:]
            if g.chance(0.6) { mins[0] = 1 + g.below(2) }
            if g.chance(0.5) { maxs[1] = g.below(2) }
            // Now and then a minimum above its own maximum (never reachable).
            if round % 25 == 7 { mins[0] = 2; maxs[0] = 1 }
            // Cap groups: 0 alone, or 0 nested in 1 (every third round).
            let nested = round % 3 == 0
            let caps = (0..<p.posts).map { _ in Int32(nested ? g.below(3) - 1 : (g.chance(0.5) ? 0 : -1)) }
            let q = QuotaNetwork(workerGroup: groups, groupMin: mins, groupMax: maxs, postCapGroup: caps,
                                 capParent: nested ? [1, -1] : [-1], capLimit: nested ? [g.below(3), 1 + g.below(3)] : [g.below(3)])
            let want = bruteForceQuotas(p, q)
            // A warm start that does not hold (nobody placed, all prices 0) is solved from zero instead.
            let none = Assignment(postOf: Array(repeating: -1, count: p.workers), objective: 0,
                                  workerProfit: Array(repeating: 0, count: p.workers), postPrice: Array(repeating: 0, count: p.posts))
            do {
                let r = try q.solve(p)
                #expect(r.assignment.objective == want, "round \(round)")
                #expect(r.warmStarted, "round \(round): the plain optimum's certificate holds, so the flow starts from it")
                let cold = try q.solve(p, warm: none)
                #expect(cold.assignment.objective == want, "round \(round): from zero")
                #expect(cold.warmStarted == !p.workerWeight.contains { $0 > 0 }, "round \(round): a start that does not hold is not used")
                solved += 1
            } catch AssignmentError.infeasibleMinimum(let group, let minimum, let reached) {
                #expect(want == nil, "round \(round): reported infeasible but \(String(describing: want)) is reachable")
                #expect(mins[group] == minimum && reached < minimum)
                #expect(throws: AssignmentError.infeasibleMinimum(group: group, minimum: minimum, reached: reached)) { try q.solve(p, warm: none) }
                infeasible += 1
            } catch {
                Issue.record("round \(round): \(error)")
            }
        }
        #expect(solved > 100 && infeasible > 10)
    }

    /// Shadow prices with caps: one more opening at a post, or one more place in a cap group, raises the optimum
    /// by exactly the reported price (checked by solving again).
    @Test func pricesAreWhatOneMoreOpeningOrPlaceAdds() throws {
        var g = SplitMix64(seed: 13)
        var positive = 0
        for round in 0..<80 {
            let p = randomProblem(&g, workers: 4 + g.below(8), posts: 2 + g.below(4), density: 0.6, maxWeight: 9, maxCap: 2)
            let groups = (0..<p.workers).map { _ in Int32(g.below(2)) }
            let maxs: [Int: Int] = g.chance(0.5) ? [1: g.below(3)] : [:]
            let mins: [Int: Int] = g.chance(0.4) ? [0: 1] : [:]
            // Two nested cap groups: group 0 inside group 1.
            let caps = (0..<p.posts).map { _ in Int32(g.below(3)) - 1 }
            let limits = [g.below(3), 1 + g.below(4)]
            let q = QuotaNetwork(workerGroup: groups, groupMin: mins, groupMax: maxs, postCapGroup: caps, capParent: [1, -1], capLimit: limits)
            guard let r = try? q.solve(p) else { continue }   // a minimum out of reach
            let prices = try #require(r.assignment.postPrice)
            for j in 0..<p.posts {
                var more = (0..<p.posts).map { Int(p.capacity[$0]) }
                more[j] += 1
                var edges: [(worker: Int, post: Int, weight: Int64)] = []
                for i in 0..<p.workers { for e in p.workerStart[i]..<p.workerStart[i + 1] { edges.append((i, Int(p.workerPost[e]), p.workerWeight[e])) } }
                let again = try q.solve(try AssignmentProblem(workers: p.workers, capacity: more, edges: edges))
                #expect(again.assignment.objective - r.assignment.objective == prices[j], "round \(round) post \(j)")
                if prices[j] > 0 { positive += 1 }
            }
            for c in 0..<limits.count {
                var wider = q
                wider.capLimit[c] += 1
                #expect(try wider.solve(p).assignment.objective - r.assignment.objective == r.groupPrice[c], "round \(round) group \(c)")
                if r.groupPrice[c] > 0 { positive += 1 }
            }
        }
        #expect(positive > 40)
    }

    @Test func aWarmStartIsCheckedBeforeItIsUsed() {
        // s → t at cost −5 with no flow: under potentials 0 that residual arc has a negative reduced cost.
        var net = MinCostFlow(nodes: 4)
        net.addArc(from: 0, to: 1, capacity: 1, cost: -5)
        #expect(throws: MinCostFlow.SettleFailure.potentials("residual arc 0 → 1 has reduced cost -5")) {
            try net.settle(potentials: [0, 0, 0, 0], superSource: 2, superSink: 3)
        }
        // A unit of excess at s with the arc's potentials right (π(t) = π(s) + cost) is sent along it.
        var warm = MinCostFlow(nodes: 4)
        let a = warm.addArc(from: 0, to: 1, capacity: 2, cost: -5)
        warm.addArc(from: 1, to: 0, capacity: 1, cost: 0, flow: 1)
        #expect(throws: Never.self) { try warm.settle(potentials: [0, -5, 0, 0], superSource: 2, superSink: 3) }
        #expect(warm.flow(on: a) == 1)
    }
}

/// Weights near the limit are solved and certified exactly; beyond it the instance is refused, never a trap.
@Suite struct IntegerSafetyTests {
    let top = AssignmentProblem.maxWeight

    @Test func weightsAtTheLimitSolveExactlyWithACertificate() throws {
        var g = SplitMix64(seed: 99)
        for round in 0..<50 {
            var edges: [(worker: Int, post: Int, weight: Int64)] = []
            for i in 0..<5 { for j in 0..<3 where g.chance(0.7) { edges.append((i, j, top - Int64(g.below(4)))) } }
            let p = try AssignmentProblem(workers: 5, capacity: [1, 2, 1], edges: edges)
            let exact = AuctionAssigner.solve(p)
            #expect(exact.objective == bruteForce(p), "round \(round)")
            let proven = try #require(DualCertificate.withDuals(p, exact))
            #expect(DualCertificate.verify(p, proven) == nil)
        }
    }

    @Test func beyondTheSafeRangeIsRefusedWithAClearError() throws {
        #expect(throws: AssignmentError.beyondSafeRange(largest: top + 1, total: top + 1, workers: 1)) {
            try AssignmentProblem(workers: 1, capacity: [1], edges: [(0, 0, top + 1)])
        }
        // The auction scales weights by workers + 1: 2^40 × (2^21 + 1) is past 2^60.
        let many = 1 << 21
        #expect(throws: AssignmentError.beyondSafeRange(largest: top, total: top, workers: many)) {
            try AssignmentProblem(workers: many, capacity: [1], edges: [(0, 0, top)])
        }
        do {
            _ = try AssignmentProblem(workers: 1, capacity: [1], edges: [(0, 0, top + 1)])
        } catch {
            #expect("\(error)".contains("safe range") && "\(error)".contains("权重超出安全范围"))
        }
        // Just inside: 2^40 × (2^20 − 1 + 1) = 2^60.
        _ = try AssignmentProblem(workers: (1 << 20) - 1, capacity: [1], edges: [(0, 0, top)])
    }

    @Test func aForgedHugeDualIsRejectedNotTrapped() throws {
        let p = try AssignmentProblem(workers: 2, capacity: [Int(Int32.max), 1], edges: [(0, 0, top), (1, 1, top)])
        var a = try #require(DualCertificate.withDuals(p, AuctionAssigner.solve(p)))
        #expect(DualCertificate.verify(p, a) == nil)
        a.postPrice![1] = Int64.max / 2
        a.workerProfit![0] = Int64.max / 2
        #expect(DualCertificate.verify(p, a) != nil)
        a.postPrice![0] = Int64.max // capacity 2^31 − 1 × Int64.max: 128-bit sums
        #expect(DualCertificate.verify(p, a) != nil)
    }
}
