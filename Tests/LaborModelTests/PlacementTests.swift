import Foundation
import Testing
@testable import LaborModel
import MatchCore

@Suite struct PlacementTests {
    static let workers = MatchingTests.workers
    static let posts = MatchingTests.posts
    static let rules = MatchRules(taxonomy: Fixtures.taxonomy, weights: MatchingTests.weights, asOf: Fixtures.asOf)
    static let result = Matcher(rules: rules).candidates(workers: workers, posts: posts, k: 10)
    static let graph = try! Placement.graph(result, workers: workers.count, capacities: posts.map(\.openings))
    var poor: [Bool] { Self.workers.map(\.poorHousehold) }

    @Test func graphIsTheUnionOfBothListsWithQuantisedScores() {
        var union = Set<Int>()
        for i in Self.workers.indices { for c in Self.result.byWorker.candidates(of: i) { union.insert(i << 20 | c.id) } }
        for j in Self.posts.indices { for c in Self.result.byPost!.candidates(of: j) { union.insert(c.id << 20 | j) } }
        #expect(Self.graph.edgeCount == union.count)
        for i in stride(from: 0, to: Self.workers.count, by: 97) {
            for e in Self.graph.workerStart[i]..<Self.graph.workerStart[i + 1] {
                #expect(Self.graph.workerWeight[e] == Int64(Self.rules.quantizedScore(Self.workers[i], Self.posts[Int(Self.graph.workerPost[e])])))
            }
        }
    }

    @Test func exactIsProvenAndBeatsGreedy() throws {
        var o = Placement.Options()
        o.verify = true
        let exact = try Placement.solve(Self.graph, poor: poor, options: o, network: nil)
        #expect(exact.verified == true)
        #expect(exact.greedyObjective! <= exact.assignment.objective)
        o.solver = .greedy
        let greedy = try Placement.solve(Self.graph, poor: poor, options: o, network: nil)
        #expect(greedy.assignment.objective == exact.greedyObjective)
    }

    @Test func poorShareIsReachedByBisectionAndItsCostReported() throws {
        // Scarce places: one opening per post (300 for 2000 workers).
        let scarce = try Placement.graph(Self.result, workers: Self.workers.count, capacities: Self.posts.map { _ in 1 })
        let base = try Placement.solve(scarce, poor: poor, options: Placement.Options(), network: nil)
        var o = Placement.Options()
        o.poorShare = 0.35
        let tuned = try Placement.solve(scarce, poor: poor, options: o, network: nil)
        #expect(tuned.targetReached)
        #expect(base.poorShare < 0.35)
        #expect(tuned.poorShare >= 0.35)
        #expect(tuned.bonus > 0 && tuned.bisectionSteps > 1)
        #expect(tuned.priorityCost >= 0)
        #expect(tuned.unbonusedOptimum == base.assignment.objective)
        #expect(tuned.baseWeight == base.assignment.objective - tuned.priorityCost)
        // One unit less bonus would not reach the target (the bisection's answer is the smallest).
        var less = Placement.Options()
        less.poorBonus = Double(tuned.bonus - 1) / 1024
        #expect(try Placement.solve(scarce, poor: poor, options: less, network: nil).poorShare < 0.35)
        // With places for nearly everyone the share cannot pass the population's: reported, not faked.
        var high = Placement.Options()
        high.poorShare = 0.9
        let capped = try Placement.solve(Self.graph, poor: poor, options: high, network: nil)
        #expect(!capped.targetReached && capped.poorShare < 0.9)
    }

    func network(_ q: Quotas) throws -> QuotaNetwork {
        try QuotaSpec.network(q, workers: Self.workers, posts: Self.posts, taxonomy: Fixtures.taxonomy).network
    }

    func placedBy(_ a: Assignment, township t: Int) -> Int {
        Self.workers.indices.filter { a.postOf[$0] >= 0 && Self.workers[$0].township == t }.count
    }

    @Test func townshipQuotasAreHonoured() throws {
        let tax = Fixtures.taxonomy
        let jz = tax.township("金钟山乡")!, xz = tax.township("新州镇")!
        let free = try Placement.solve(Self.graph, poor: poor, options: Placement.Options(), network: nil)
        let jzFree = placedBy(free.assignment, township: jz)
        let available = Self.workers.filter { $0.township == jz }.count
        var q = Quotas()
        q.townshipMax[xz] = placedBy(free.assignment, township: xz) - 20
        q.townshipMin[jz] = min(available, jzFree + 3)
        let o = try Placement.solve(Self.graph, poor: poor, options: Placement.Options(), network: network(q))
        #expect(placedBy(o.assignment, township: xz) <= q.townshipMax[xz]!)
        #expect(placedBy(o.assignment, township: jz) >= q.townshipMin[jz]!)
        #expect(o.assignment.objective <= free.assignment.objective)
        // Without quotas the network gives the auction's optimum.
        let same = try Placement.solve(Self.graph, poor: poor, options: Placement.Options(), network: network(Quotas()))
        #expect(same.assignment.objective == free.assignment.objective)
    }

    @Test func infeasibleMinimumNamesTheShortfall() throws {
        let jz = Fixtures.taxonomy.township("金钟山乡")!
        let available = Self.workers.filter { $0.township == jz }.count
        var q = Quotas()
        q.townshipMin[jz] = available + 5
        #expect {
            try Placement.solve(Self.graph, poor: poor, options: Placement.Options(), network: network(q))
        } throws: { e in
            guard case AssignmentError.infeasibleMinimum(let g, let minimum, let reached) = e else { return false }
            return g == jz && minimum == available + 5 && reached <= available
        }
    }

    @Test func destinationCapsHoldAndCrossingFamiliesAreRefused() throws {
        let tax = Fixtures.taxonomy
        let lg = tax.destination("龙岗区")!
        var q = Quotas()
        q.destinationMax[lg] = 10
        let o = try Placement.solve(Self.graph, poor: poor, options: Placement.Options(), network: network(q))
        let inLG = o.assignment.postOf.filter { $0 >= 0 && Self.posts[Int($0)].location == lg }.count
        #expect(inLG <= 10)
        #expect(o.groupPrice?.count == 1)
        // An employer whose posts span Longgang and elsewhere crosses the Longgang cap.
        let spanning = Dictionary(grouping: Self.posts, by: \.creditCode).first { _, ps in
            ps.contains { $0.location == lg } && ps.contains { $0.location != lg }
        }!.key
        q.employerMax[spanning] = 3
        #expect {
            _ = try network(q)
        } throws: { e in
            guard case AssignmentError.crossingCapFamilies(let a, let b) = e else { return false }
            return a.contains("龙岗区") && b.contains(spanning)
        }
        // Nested caps (employer within destination) are a tree and are accepted.
        var nested = Quotas()
        nested.destinationMax[lg] = 10
        nested.employerDestinationMax[spanning + "@龙岗区"] = 1
        let n = try Placement.solve(Self.graph, poor: poor, options: Placement.Options(), network: network(nested))
        let placedLG = n.assignment.postOf.filter { $0 >= 0 && Self.posts[Int($0)].location == lg }
        #expect(placedLG.count <= 10)
        #expect(placedLG.filter { Self.posts[Int($0)].creditCode == spanning }.count <= 1)
        #expect(n.groupPrice?.count == 2)
        #expect(n.assignment.objective <= o.assignment.objective)
        // Without the inner cap that employer does place more than one in Longgang, so the cap did bind.
        #expect(o.assignment.postOf.filter { $0 >= 0 && Self.posts[Int($0)].location == lg && Self.posts[Int($0)].creditCode == spanning }.count > 1
                || n.assignment.objective == o.assignment.objective)
    }
}

@Suite struct PlacementIntegerSafetyTests {
    /// The poor-share bisection's strict-priority bonus on weights near the limit: refused, never a trap.
    @Test func bisectionNearTheLimitIsRefusedWithAClearError() throws {
        let top = AssignmentProblem.maxWeight
        let g = try AssignmentProblem(workers: 3, capacity: [1, 1], edges: [(0, 0, top), (1, 0, top - 1), (1, 1, top - 1), (2, 1, top)])
        var o = Placement.Options()
        o.poorShare = 1
        #expect {
            try Placement.solve(g, poor: [false, true, false], options: o, network: nil)
        } throws: { e in
            guard case AssignmentError.beyondSafeRange = e else { return false }
            return true
        }
        // Weights well inside the range take the same path and reach the share.
        let small = try AssignmentProblem(workers: 3, capacity: [1, 1], edges: [(0, 0, 9), (1, 0, 8), (1, 1, 8), (2, 1, 9)])
        let r = try Placement.solve(small, poor: [false, true, false], options: o, network: nil)
        #expect(r.placedPoor == 1 && !r.targetReached && r.poorShare == 0.5)
    }
}

@Suite struct KeepingProposalsTests {
    /// Among equally good assignments the kept pairs win; a kept pair that costs real score does not.
    @Test func keptPairsWinTiesAndOnlyTies() throws {
        let g = try AssignmentProblem(workers: 3, capacity: [1, 1, 1], edges: [
            (0, 0, 5), (0, 1, 5), (1, 0, 5), (1, 1, 5), (2, 2, 4), (2, 1, 4),
        ])
        var o = Placement.Options()
        o.verify = true
        for keep in [[(0, 1), (1, 0)], [(0, 0), (1, 1)]] {
            let (r, kept) = try Placement.solve(g, poor: [false, false, false], options: o, keeping: keep.map { (worker: $0.0, post: $0.1) })
            #expect(r.assignment.objective == 14 && kept == 2)
            for (i, j) in keep { #expect(r.assignment.postOf[i] == Int32(j)) }
            #expect(r.verified == true && DualCertificate.verify(g, r.assignment) == nil)
        }
        // Keeping (2, 1) would push a 5-edge out: the optimum (14) wins over the kept pair.
        let (r, kept) = try Placement.solve(g, poor: [false, false, false], options: o, keeping: [(worker: 2, post: 1)])
        #expect(r.assignment.objective == 14 && kept == 0 && r.assignment.postOf[2] == 2)
    }

    /// The sample solved twice: the second time, keeping the first's pairs, nothing moves; with a different
    /// first solution to keep (another optimum), that one is kept.
    @Test func aSecondSolveKeepsEveryPair() throws {
        let poor = PlacementTests.workers.map(\.poorHousehold)
        var o = Placement.Options()
        o.verify = true
        let first = try Placement.solve(PlacementTests.graph, poor: poor, options: o, network: nil)
        let pairs = first.assignment.postOf.enumerated().filter { $0.element >= 0 }.map { (worker: $0.offset, post: Int($0.element)) }
        let (second, kept) = try Placement.solve(PlacementTests.graph, poor: poor, options: o, keeping: pairs)
        #expect(kept == pairs.count)
        #expect(second.assignment.postOf == first.assignment.postOf)
        #expect(second.assignment.objective == first.assignment.objective)
    }
}
