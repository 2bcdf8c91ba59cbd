/// The match rules in plain loops: the scalar reference scorer (the test oracle of the GEMM path), the
/// hard-rule checks, and the plain-Chinese reasons shown to staff. `MatchEncoder` encodes exactly these rules.
public struct MatchRules: Sendable {
    public let taxonomy: Taxonomy
    public let weights: ScoringWeights
    public let asOf: CivilDate
    public let excludedEmployers: Set<String>

    public init(taxonomy: Taxonomy, weights: ScoringWeights, asOf: CivilDate, excludedEmployers: Set<String> = []) {
        self.taxonomy = taxonomy
        self.weights = weights
        self.asOf = asOf
        self.excludedEmployers = excludedEmployers
    }

    /// A broken hard rule: the pair is never listed.
    public enum Violation: Sendable, Hashable {
        case missingCertificate(Int)
        case ageOutside(age: Int, min: Int, max: Int)
        case educationBelow(minimum: Int)
        case excludedEmployer
    }

    /// Why the occupation part scored what it did.
    public enum OccupationMatch: Sendable, Equatable {
        case intention(rank: Int)
        case skill
        case relatedIntention(rank: Int, occupation: Int)
        case relatedSkill(occupation: Int)
        case none
    }

    public static let youngest = 16
    public static let oldest = 65
    /// The minimum working age (劳动法): younger workers are rejected at intake.
    public static let minimumWorkingAge = 16
    /// A post without an age range takes adults up to 60; a worker of 16–17 (未成年工) is matched only to a post
    /// whose 年龄下限 is set and at most 17.
    public static let defaultAgeRange = 18...60

    /// The ages a post takes: its own bounds, 18 and 60 where it sets none. (Intake refuses a post whose one
    /// bound crosses the other's default, so that lo ≤ hi; a pair is tested as `lo <= age && age <= hi` anyway.)
    public static func ageBounds(_ p: JobPost) -> (lo: Int, hi: Int) {
        (p.ageMin ?? defaultAgeRange.lowerBound, p.ageMax ?? defaultAgeRange.upperBound)
    }

    public func age(_ w: Worker) -> Int { w.idNumber.birthDate.age(on: asOf) }

    public func educationRank(_ level: Int?) -> Int { level.map { taxonomy.education[$0].rank } ?? 0 }

    /// The worker's value for an occupation (before the post's occupation weight) and where it came from.
    public func occupationValue(_ w: Worker, _ occ: Int) -> (value: Double, match: OccupationMatch) {
        var best = 0.0
        var why = OccupationMatch.none
        for (r, i) in w.intentions.enumerated() {
            let c = taxonomy.credit(i, occ)
            let v = weights.intentionWeight(rank: r) * c
            if v > best { best = v; why = i == occ ? .intention(rank: r) : .relatedIntention(rank: r, occupation: i) }
        }
        for s in w.skills {
            let c = taxonomy.credit(s, occ)
            let v = weights.skill * c
            if v > best { best = v; why = s == occ ? .skill : .relatedSkill(occupation: s) }
        }
        return (best, why)
    }

    public func wageValue(_ w: Worker, _ p: JobPost) -> Double {
        let edge = weights.bucketEdge(weights.wageBucket(w.expectedWage))
        if edge <= p.wageMin { return weights.wageMet }
        if edge <= p.wageMax { return weights.wageMaxMet }
        return 0
    }

    public func destinationMatches(_ w: Worker, _ p: JobPost) -> Bool {
        w.destinations.map { $0.contains(p.location) } ?? true
    }

    /// The score without hard rules.
    public func softScore(_ w: Worker, _ p: JobPost) -> Double {
        weights.occupation * occupationValue(w, p.occupation).value
            + (destinationMatches(w, p) ? weights.destination : 0)
            + wageValue(w, p)
            + (p.boardLodging ? weights.boardLodging : 0)
    }

    /// The soft blocks a pair scores in, as `learn` sees them: for each key of `ScoringWeights.softKeys`, the
    /// pair's feature — the substitution credit (0–1) of the occupation source that scored (intention by rank, or
    /// skill), and 1/0 for destination, wage met, only the wage maximum met, board and lodging. Computed from the
    /// same helpers the encoder uses (`occupationValue`, `wageBucket`/`bucketEdge`, `destinationMatches`), so
    /// `zip(softBlocks, weights.softBlockWeights)` sums to `softScore` exactly.
    public func softBlocks(_ w: Worker, _ p: JobPost) -> [Double] {
        var f = [Double](repeating: 0, count: ScoringWeights.softKeys.count)
        let (value, match) = occupationValue(w, p.occupation)
        switch match {
        case .intention(let r), .relatedIntention(let r, _):
            f[min(r, 2)] = value / weights.intentionWeight(rank: r)
        case .skill, .relatedSkill:
            f[3] = value / weights.skill
        case .none:
            break
        }
        f[4] = destinationMatches(w, p) ? 1 : 0
        let edge = weights.bucketEdge(weights.wageBucket(w.expectedWage))
        f[5] = edge <= p.wageMin ? 1 : 0
        f[6] = edge > p.wageMin && edge <= p.wageMax ? 1 : 0
        f[7] = p.boardLodging ? 1 : 0
        return f
    }

    public func violations(_ w: Worker, _ p: JobPost) -> [Violation] {
        var v: [Violation] = []
        if !p.requiredCertificates.isEmpty {
            let held = Set(taxonomy.closure(ofCertificates: w.certificates))
            for c in p.requiredCertificates where !held.contains(c) { v.append(.missingCertificate(c)) }
        }
        let (lo, hi) = MatchRules.ageBounds(p), a = age(w)
        if a < lo || a > hi { v.append(.ageOutside(age: a, min: lo, max: hi)) }
        if let m = p.educationMin, educationRank(w.education) < taxonomy.education[m].rank {
            v.append(.educationBelow(minimum: m))
        }
        if excludedEmployers.contains(p.creditCode) { v.append(.excludedEmployer) }
        return v
    }

    /// The reference score: soft score − big × (number of broken hard rules).
    public func score(_ w: Worker, _ p: JobPost) -> Double {
        softScore(w, p) - weights.big * Double(violations(w, p).count)
    }

    /// The quantised score, as the engine ranks it.
    public func quantizedScore(_ w: Worker, _ p: JobPost) -> Int {
        Int((score(w, p) * Double(ScoringWeights.quantization)).rounded())
    }

    // MARK: - Reasons (plain Chinese)

    static let rankWords = ["第一意向", "第二意向", "第三意向", "第四意向", "第五意向"]
    static func rankWord(_ r: Int) -> String { r < rankWords.count ? rankWords[r] : "第\(r + 1)意向" }

    public func reasons(_ w: Worker, _ p: JobPost) -> String {
        var text: [UInt8] = []
        appendReasons(w, p, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the reasons for a pair as UTF-8, e.g. "第一意向: 木工; 地点: 罗湖区 (期望); 月薪 6500–7500 ≥ 期望 5000; 包吃住".
    public func appendReasons(_ w: Worker, _ p: JobPost, to text: inout [UInt8]) {
        appendReasons(occupation: occupationValue(w, p.occupation).match, PostTerms(p),
                      destination: w.destinations == nil ? .any : destinationMatches(w, p) ? .wanted : .other,
                      expectedWage: w.expectedWage ?? 0, to: &text)
    }

    /// What the reasons read of a post: plain values (a `JobPost` copy retains each of its strings and arrays).
    public struct PostTerms: Sendable {
        var occupation: Int, location: Int, wageMin: Int, wageMax: Int, boardLodging: Bool
        init(_ p: JobPost) {
            occupation = p.occupation; location = p.location; wageMin = p.wageMin; wageMax = p.wageMax; boardLodging = p.boardLodging
        }
    }

    /// Whether a post's place is one the worker asked for.
    enum DestinationFit: UInt8, Sendable { case any, wanted, other }

    /// What the reasons read of every worker and post of a candidate list, worked out once: each worker's
    /// occupation match for every occupation and fit for every place, and expected wage; each post's terms. A row
    /// of the lists then reads plain values: copying a `Worker` or `JobPost` per row (retaining its strings and
    /// arrays) was the largest cost of writing the lists.
    public final class ReasonTable: Sendable {
        let occupations: Int, places: Int
        let occupation: [OccupationMatch]
        let destination: [DestinationFit]
        let expectedWage: [Int]
        let posts: [PostTerms]

        public init(rules: MatchRules, workers: [Worker], posts: [JobPost]) {
            let t = rules.taxonomy
            occupations = t.occupations.count
            places = t.destinations.count
            var occupation: [OccupationMatch] = [], destination: [DestinationFit] = []
            occupation.reserveCapacity(workers.count * occupations)
            destination.reserveCapacity(workers.count * places)
            for w in workers {
                for o in 0..<occupations { occupation.append(rules.occupationValue(w, o).match) }
                for d in 0..<places { destination.append(w.destinations.map { $0.contains(d) ? .wanted : .other } ?? .any) }
            }
            self.occupation = occupation
            self.destination = destination
            expectedWage = workers.map { $0.expectedWage ?? 0 }
            self.posts = posts.map(PostTerms.init)
        }
    }

    /// The reasons for worker `i` and post `j` of `table`.
    public func appendReasons(_ table: ReasonTable, worker i: Int, post j: Int, to text: inout [UInt8]) {
        let p = table.posts[j]
        appendReasons(occupation: table.occupation[i * table.occupations + p.occupation], p,
                      destination: table.destination[i * table.places + p.location], expectedWage: table.expectedWage[i], to: &text)
    }

    /// The text of the reasons, from what the pair's scoring found.
    func appendReasons(occupation: OccupationMatch, _ p: PostTerms, destination: DestinationFit, expectedWage e: Int,
                       to text: inout [UInt8]) {
        func put(_ s: String) { text.append(contentsOf: s.utf8) }
        let occName = taxonomy.occupations[p.occupation].name
        switch occupation {
        case .intention(let r): put(MatchRules.rankWord(r)); put(": "); put(occName)
        case .skill: put("技能: "); put(occName)
        case .relatedIntention(let r, let o):
            put("相近工种: "); put(occName); put(" ≈ "); put(MatchRules.rankWord(r)); put(" ")
            put(taxonomy.occupations[o].name)
        case .relatedSkill(let o): put("相近工种: "); put(occName); put(" ≈ 技能 "); put(taxonomy.occupations[o].name)
        case .none: put("工种: "); put(occName); put(" (非意向)")
        }
        put("; 地点: ")
        put(taxonomy.destinations[p.location].name)
        switch destination {
        case .any: put(" (不限)")
        case .wanted: put(" (期望)")
        case .other: put(" (非期望)")
        }
        put("; ")
        func range() {
            CSVWriter.appendDecimal(p.wageMin, to: &text)
            if p.wageMin != p.wageMax { put("–"); CSVWriter.appendDecimal(p.wageMax, to: &text) }
        }
        if e > 0 {
            // The text compares the real amounts (always true as written); the score counts the expectation's bucket.
            if e <= p.wageMin {
                put("月薪 "); range(); put(" ≥ 期望 ")
            } else if e <= p.wageMax {
                put("月薪上限 "); CSVWriter.appendDecimal(p.wageMax, to: &text); put(" ≥ 期望 ")
            } else {
                put("月薪 "); range(); put(" < 期望 ")
            }
            CSVWriter.appendDecimal(e, to: &text)
        } else {
            put("月薪 "); range()
        }
        if p.boardLodging { put("; 包吃住") }
    }

    public func describe(_ v: Violation) -> String {
        switch v {
        case .missingCertificate(let c): return "缺少 \(taxonomy.certificates[c].name)"
        case .ageOutside(let a, let lo, let hi): return "年龄 \(a) 不在 \(lo)–\(hi) 岁"
        case .educationBelow(let m): return "学历低于 \(taxonomy.education[m].name)"
        case .excludedEmployer: return "企业在维权跟进名单"
        }
    }

    /// The other side's rows grouped by what the hard rules read of them (a post: its required certificates, age
    /// range, minimum education and whether its employer is excluded; a worker: certificates, age, education),
    /// one representative per group with the group's size. `whyNoPost` and `whyNoWorker` then check each group
    /// once instead of every row: a province's 200,000 posts fall into a few hundred groups, and the reasons of
    /// every unlisted worker were costing a pass over all posts.
    public struct RuleGroups<Row: Sendable>: Sendable {
        public let groups: [(row: Row, count: Int)]
        public var isEmpty: Bool { groups.isEmpty }
    }

    public func groups(ofPosts posts: [JobPost]) -> RuleGroups<JobPost> {
        struct Key: Hashable { var certificates: [Int], lo: Int, hi: Int, education: Int?, excluded: Bool }
        return Self.grouped(posts) { p in
            let (lo, hi) = MatchRules.ageBounds(p)
            return Key(certificates: p.requiredCertificates, lo: lo, hi: hi, education: p.educationMin,
                       excluded: excludedEmployers.contains(p.creditCode))
        }
    }

    public func groups(ofWorkers workers: [Worker]) -> RuleGroups<Worker> {
        struct Key: Hashable { var certificates: [Int], age: Int, education: Int }
        return Self.grouped(workers) { w in
            Key(certificates: Array(Set(w.certificates)).sorted(), age: age(w), education: educationRank(w.education))
        }
    }

    /// Groups in order of first appearance (deterministic for the same rows).
    static func grouped<Row: Sendable, Key: Hashable>(_ rows: [Row], key: (Row) -> Key) -> RuleGroups<Row> {
        var index: [Key: Int] = [:], groups: [(row: Row, count: Int)] = []
        for r in rows {
            let k = key(r)
            if let g = index[k] { groups[g].count += 1 } else { index[k] = groups.count; groups.append((r, 1)) }
        }
        return RuleGroups(groups: groups)
    }

    /// Why a worker has no eligible post: the hard rules that block most posts, with counts.
    public func whyNoPost(_ w: Worker, posts: RuleGroups<JobPost>) -> String {
        guard !posts.isEmpty else { return "无符合条件的岗位: 没有岗位" }
        // Ages grouped by the worker's age only, so "年龄 62 超出" counts posts once.
        let key: (Violation) -> String = { v in
            if case .ageOutside(let a, _, _) = v { return "年龄 \(a) 超出岗位年龄限制" }
            return self.describe(v)
        }
        return "无符合条件的岗位: " + mostCommon(posts.groups.map { (violations(w, $0.row), $0.count) }, unit: "个岗位", key: key)
    }

    /// Why a post has no eligible worker: the hard rules that block most workers, with counts.
    public func whyNoWorker(_ p: JobPost, workers: RuleGroups<Worker>) -> String {
        guard !workers.isEmpty else { return "无符合条件的劳动力: 没有劳动力" }
        // Ages grouped by the post's range only.
        let key: (Violation) -> String = { v in
            if case .ageOutside(_, let lo, let hi) = v { return "年龄不在 \(lo)–\(hi) 岁" }
            return self.describe(v)
        }
        return "无符合条件的劳动力: " + mostCommon(workers.groups.map { (violations($0.row, p), $0.count) }, unit: "人", key: key)
    }

    /// The three most common reasons over the other side's rows ("缺少 电工证 (120 人)"), each row counted once.
    func mostCommon(_ rows: [(violations: [Violation], count: Int)], unit: String, key: (Violation) -> String) -> String {
        var counts: [String: Int] = [:]
        for (vs, n) in rows {
            var seen = Set<String>()
            for v in vs {
                let k = key(v)
                if seen.insert(k).inserted { counts[k, default: 0] += n }
            }
        }
        let top: [(key: String, value: Int)] = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(3).map { ($0.key, $0.value) }
        return top.map { "\($0.key) (\($0.value) \(unit))" }.joined(separator: "; ")
    }
}
