import Foundation
import Testing
@testable import LaborModel
import MatchCore

@Suite struct MatchingTests {
    static let workers = try! WorkerIntake.read(path: Fixtures.sample + "/workers.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf).accepted
    static let posts = try! PostIntake.read(path: Fixtures.sample + "/posts.csv", taxonomy: Fixtures.taxonomy).accepted
    static let weights = try! ScoringWeights.load(path: Fixtures.data + "/weights.csv")

    var rules: MatchRules { MatchRules(taxonomy: Fixtures.taxonomy, weights: Self.weights, asOf: Fixtures.asOf) }

    @Test func defaultWeightsFileMatchesTheDocumentedDefaults() {
        #expect(Self.weights == ScoringWeights())
        #expect(Self.weights.maxSoftScore < Self.weights.big / 2)
    }

    var reference: RuleBook { RuleBook(taxonomy: Fixtures.taxonomy, weights: Self.weights, asOf: Fixtures.asOf) }

    @Test func gemmScoresEqualTheIndependentReferenceOnEveryPair() {
        gemmEqualsReference(weights: Self.weights)
    }

    /// Learned weights, rounded to the grid by `withSoftBlocks` (any coefficients, a kept block), stay exact.
    @Test func learnedWeightsStayExactOnTheGEMMGrid() {
        let learned = Self.weights.withSoftBlocks([1.1634, 0.4844, 0, 0.9383, 1.0395, 1.4184, 0.3916, 0.7640], keeping: [2])
        #expect(learned.wageMet == 4 && learned.intention[0] == 0.8125 && learned.intention[2] == Self.weights.intention[2])
        #expect(learned.softBlockWeights.max() == Self.weights.softBlockWeights.max())
        gemmEqualsReference(weights: learned)
        let odd = Self.weights.withSoftBlocks([0.3333, -0.2, 0.1111, 0.7777, 0.05, 0.0123, 0.9, 0.4444])
        #expect(odd.intention[1] == 0)
        gemmEqualsReference(weights: odd)
    }

    /// The soft blocks `learn` fits are the score: Σ block weight × block feature = the soft score, every pair.
    @Test func softBlocksAddUpToTheSoftScore() {
        let r = rules
        for w in Self.workers.prefix(120) {
            for p in Self.posts {
                let f = r.softBlocks(w, p)
                #expect(zip(Self.weights.softBlockWeights, f).reduce(0) { $0 + $1.0 * $1.1 } == r.softScore(w, p))
                #expect(f.allSatisfy { $0 >= 0 && $0 <= 1 } && f[5] * f[6] == 0)
            }
        }
    }

    /// A post nobody is eligible for says why, counting each worker once per reason.
    @Test func aPostWithNoEligibleWorkerSaysWhy() {
        var p = Self.posts[0]
        p.ageMin = 16
        p.ageMax = 17
        let r = rules
        let outside = Self.workers.filter { !(16...17).contains(r.age($0)) }.count
        let why = r.whyNoWorker(p, workers: r.groups(ofWorkers: Self.workers))
        #expect(why.hasPrefix("无符合条件的劳动力: 年龄不在 16–17 岁 (\(outside) 人)"), "\(why)")
        #expect(r.whyNoWorker(p, workers: r.groups(ofWorkers: [])) == "无符合条件的劳动力: 没有劳动力")
        // Grouping workers by what the rules read counts every worker: the counts equal a pass over every row.
        let groups = r.groups(ofWorkers: Self.workers)
        #expect(groups.groups.count < Self.workers.count && groups.groups.map(\.count).reduce(0, +) == Self.workers.count)
        var q = Self.posts[1]
        q.ageMin = 30; q.ageMax = 40
        var naive: [String: Int] = [:]
        for w in Self.workers where !r.violations(w, q).isEmpty {
            let a = r.age(w)
            if !(30...40).contains(a) { naive["年龄不在 30–40 岁", default: 0] += 1 }
            for v in r.violations(w, q) where v != .ageOutside(age: a, min: 30, max: 40) { naive[r.describe(v), default: 0] += 1 }
        }
        let expected = naive.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(3).map { "\($0.key) (\($0.value) 人)" }
        #expect(r.whyNoWorker(q, workers: groups) == "无符合条件的劳动力: " + expected.joined(separator: "; "))
    }

    @Test func retentionIsDecidedByTheThirdCompleteMonth() {
        #expect(Retention.decidingMonth(start: CivilDate(year: 2025, month: 3, day: 1)!).description == "2025-05")
        #expect(Retention.decidingMonth(start: CivilDate(year: 2025, month: 3, day: 10)!).description == "2025-06")
        #expect(Retention.decidingMonth(start: CivilDate(year: 2025, month: 11, day: 30)!).description == "2026-02")
    }

    func gemmEqualsReference(weights: ScoringWeights) {
        let ws = Array(Self.workers.prefix(150)), ps = Self.posts
        // Some employers excluded, so that every hard rule is exercised.
        let excluded = Set(ps.prefix(30).map(\.creditCode))
        let rules = MatchRules(taxonomy: Fixtures.taxonomy, weights: weights, asOf: Fixtures.asOf, excludedEmployers: excluded)
        var reference = RuleBook(taxonomy: Fixtures.taxonomy, weights: weights, asOf: Fixtures.asOf)
        reference.excluded = excluded
        let enc = MatchEncoder(rules: rules)
        let w = enc.encode(workers: ws)
        let (p, bias) = enc.encode(posts: ps)
        var cfg = ScoringConfiguration(k: ps.count, threads: 2)
        cfg.quantization = ScoringWeights.quantization
        cfg.chunkRows = 64
        let r = ScoreBlocks.topK(workers: w, posts: p, bias: bias, configuration: cfg)
        var checked = 0
        for i in 0..<ws.count {
            let list = r.byWorker.candidates(of: i)
            #expect(list.count == ps.count)
            for c in list {
                let want = reference.quantized(ws[i], ps[c.id])
                if Int(c.score) != want { Issue.record("worker \(i) post \(c.id): GEMM \(c.score) reference \(want)") }
                if rules.quantizedScore(ws[i], ps[c.id]) != want { Issue.record("worker \(i) post \(c.id): MatchRules disagrees") }
                checked += 1
            }
        }
        #expect(checked == 150 * ps.count)
    }

    @Test func topKEqualsBruteForceBothWays() {
        let ws = Array(Self.workers.prefix(400)), ps = Array(Self.posts.prefix(250))
        let k = 12
        let got = Matcher(rules: rules).candidates(workers: ws, posts: ps, k: k, threads: 2, chunkRows: 37)
        let floor = Int(Self.weights.floor * Double(ScoringWeights.quantization))
        var score = [[Int]](repeating: [], count: ws.count)
        for i in ws.indices { score[i] = ps.map { reference.quantized(ws[i], $0) } }
        // Ties by identity: the tie codes of the ids.
        let codes = TieCodes(workerIDs: ws.map(\.workerID), postIDs: ps.map(\.postID))
        for i in ws.indices {
            let want = ps.indices.filter { score[i][$0] > floor }
                .sorted { TieOrder.before(owner: codes.workers[i], Float(score[i][$0]), codes.posts[$0], Float(score[i][$1]), codes.posts[$1]) }.prefix(k)
            #expect(got.byWorker.candidates(of: i).map(\.id) == Array(want), "worker \(i)")
        }
        for j in ps.indices {
            let want = ws.indices.filter { score[$0][j] > floor }
                .sorted { TieOrder.before(owner: codes.posts[j], Float(score[$0][j]), codes.workers[$0], Float(score[$1][j]), codes.workers[$1]) }.prefix(k)
            #expect(got.byPost!.candidates(of: j).map(\.id) == Array(want), "post \(j)")
        }
    }

    @Test func noListedPairBreaksAHardRule() {
        let excluded = Set(Self.posts.prefix(40).map(\.creditCode))
        let r = MatchRules(taxonomy: Fixtures.taxonomy, weights: Self.weights, asOf: Fixtures.asOf, excludedEmployers: excluded)
        let res = Matcher(rules: r).candidates(workers: Self.workers, posts: Self.posts, k: 20)
        var listed = 0
        for i in Self.workers.indices {
            for c in res.byWorker.candidates(of: i) {
                #expect(r.violations(Self.workers[i], Self.posts[c.id]).isEmpty)
                #expect(!excluded.contains(Self.posts[c.id].creditCode))
                listed += 1
            }
        }
        for j in Self.posts.indices {
            for c in res.byPost!.candidates(of: j) { #expect(r.violations(Self.workers[c.id], Self.posts[j]).isEmpty) }
        }
        #expect(listed > 30_000)
        // The sample does hold pairs that break each kind of rule, so the check above is not vacuous.
        var kinds = Set<String>()
        for w in Self.workers.prefix(300) {
            for p in Self.posts {
                for v in r.violations(w, p) {
                    switch v {
                    case .missingCertificate: kinds.insert("cert")
                    case .ageOutside: kinds.insert("age")
                    case .educationBelow: kinds.insert("edu")
                    case .excludedEmployer: kinds.insert("excluded")
                    }
                }
            }
        }
        #expect(kinds == ["cert", "age", "edu", "excluded"])
    }

    @Test func firstChoiceRanksAboveAnyUnrelatedPost() {
        var compared = 0
        for w in Self.workers.prefix(500) {
            guard let first = w.intentions.first else { continue }
            let eligible = Self.posts.filter { rules.violations(w, $0).isEmpty }
            let firstChoice = eligible.filter { $0.occupation == first }.map { rules.score(w, $0) }
            let unrelated = eligible.filter { rules.occupationValue(w, $0.occupation).value == 0 }.map { rules.score(w, $0) }
            if let lo = firstChoice.min(), let hi = unrelated.max() {
                #expect(lo > hi)
                compared += 1
            }
        }
        #expect(compared > 100)
    }

    @Test func resultsDoNotDependOnThreadsOrChunks() {
        let m = Matcher(rules: rules)
        let a = m.candidates(workers: Self.workers, posts: Self.posts, k: 20, threads: 1, chunkRows: 512)
        let b = m.candidates(workers: Self.workers, posts: Self.posts, k: 20, threads: 2, chunkRows: 7)
        #expect(a.byWorker == b.byWorker && a.byPost == b.byPost)
    }

    @Test func reasonsInPlainChinese() throws {
        let tax = Fixtures.taxonomy
        let t = try CSVTable.parse(data: Fixtures.csv("""
            身份证号,姓名,乡镇,学历,证书,求职意向,期望地区,期望月薪
            11010519891231108X,罗国刚,金钟山乡,初中,C1驾驶证,木工或者司机,罗湖,5000
            """), file: "w.csv")
        let w = try WorkerIntake.validate(table: t, file: "w.csv", taxonomy: tax, asOf: CivilDate(year: 2030, month: 1, day: 1)!).accepted[0]
        let pt = try CSVTable.parse(data: Fixtures.csv("""
            岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限,所需证书,包吃住,年龄上限
            P1,深圳市罗湖木业有限公司,91350100M000100Y43,木工,罗湖区,3,6500,7500,,是,
            P2,深圳市某物流有限公司,91350100M000100Y43,司机,宝安区,2,6500,8000,B2驾驶证,否,
            P3,深圳市某装饰有限公司,91350100M000100Y43,装修工,福田区,2,4000,5500,,否,
            P4,深圳市某保洁有限公司,91350100M000100Y43,保洁,罗湖区,2,3000,3500,,否,35
            """), file: "p.csv")
        let ps = try PostIntake.validate(table: pt, file: "p.csv", taxonomy: tax).accepted
        let r = MatchRules(taxonomy: tax, weights: Self.weights, asOf: CivilDate(year: 2030, month: 1, day: 1)!)
        #expect(r.reasons(w, ps[0]) == "第一意向: 木工; 地点: 罗湖区 (期望); 月薪 6500–7500 ≥ 期望 5000; 包吃住")
        #expect(r.score(w, ps[0]) == 6.5)
        #expect(r.violations(w, ps[1]) == [.missingCertificate(tax.certificate("B2")!)])
        #expect(r.reasons(w, ps[2]) == "相近工种: 装修工 ≈ 第一意向 木工; 地点: 福田区 (非期望); 月薪上限 5500 ≥ 期望 5000")
        #expect(r.score(w, ps[2]) == 4 * 0.5 + 0.5)
        #expect(r.reasons(w, ps[3]).hasPrefix("工种: 保洁 (非意向)"))
        // Aged 40 on the as-of date: P4 takes at most 35 (and, setting no minimum, at least 18).
        #expect(r.violations(w, ps[3]) == [.ageOutside(age: 40, min: 18, max: 35)])
        let why = r.whyNoPost(w, posts: r.groups(ofPosts: [ps[1], ps[3]]))
        #expect(why == "无符合条件的岗位: 年龄 40 超出岗位年龄限制 (1 个岗位); 缺少 B2驾驶证 (1 个岗位)")
    }

    @Test func editedWeightsChangeScoresAndBadWeightsAreNamed() throws {
        let dir = Fixtures.tempDir()
        var text = try String(contentsOfFile: Fixtures.data + "/weights.csv", encoding: .utf8)
        text = text.replacingOccurrences(of: "occupation,4,", with: "occupation,8,")
        try text.write(toFile: dir + "/weights.csv", atomically: true, encoding: .utf8)
        let heavy = try ScoringWeights.load(path: dir + "/weights.csv")
        #expect(heavy.occupation == 8)
        let w = Self.workers[0], p = Self.posts.first { $0.occupation == Self.workers[0].intentions.first }!
        let r2 = MatchRules(taxonomy: Fixtures.taxonomy, weights: heavy, asOf: Fixtures.asOf)
        #expect(r2.softScore(w, p) == rules.softScore(w, p) + 4)
        try text.replacingOccurrences(of: "occupation,8,", with: "occupation,0.3,").write(toFile: dir + "/weights.csv", atomically: true, encoding: .utf8)
        #expect(throws: TaxonomyError.self) { try ScoringWeights.load(path: dir + "/weights.csv") }
        do { _ = try ScoringWeights.load(path: dir + "/weights.csv") } catch let e as TaxonomyError {
            #expect(e.line == 2 && e.message.contains("occupation"))
        }
        try "key,value\nbig,64\noccupation,32\n".write(toFile: dir + "/weights.csv", atomically: true, encoding: .utf8)
        #expect(throws: TaxonomyError.self) { try ScoringWeights.load(path: dir + "/weights.csv") }
    }

    @Test func exclusionListReadsCodesAndRejectsBadLines() throws {
        let dir = Fixtures.tempDir()
        try "统一社会信用代码\n91350100M000100Y43\n91350100M000100Y44\n\n".write(toFile: dir + "/x.csv", atomically: true, encoding: .utf8)
        let x = try ExclusionList.read(path: dir + "/x.csv")
        #expect(x.codes == ["91350100M000100Y43"])
        #expect(x.rejections.map(\.line) == [3])
        #expect(x.countsLine == "read 2, accepted 1, rejected 1")
        try "91350100M000100Y43\n".write(toFile: dir + "/y.csv", atomically: true, encoding: .utf8)
        #expect(try ExclusionList.read(path: dir + "/y.csv").codes.count == 1)
    }
}
