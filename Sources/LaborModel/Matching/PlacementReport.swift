import Foundation
import MatchCore

/// The files of a placement run: assignments.csv, graph.csv and capacities.csv (the audit copy of exactly the
/// problem solved, ids unmasked), post_duals.csv and destination_duals.csv (the value of one more opening),
/// and summary.json.
public struct PlacementReport: Sendable {
    public let rules: MatchRules
    public let workers: [Worker]
    public let posts: [JobPost]
    public let outcome: Placement.Outcome
    public var capLabels: [String] = []
    public var capLimits: [Int] = []

    public init(rules: MatchRules, workers: [Worker], posts: [JobPost], outcome: Placement.Outcome) {
        self.rules = rules
        self.workers = workers
        self.posts = posts
        self.outcome = outcome
    }

    public static func units(_ w: Int64) -> String { Matcher.display(Float(w)) }

    /// assignments.csv: worker_id, name, post_id, employer, location, score, poor_household, reasons.
    public func assignmentsCSV(_ pres: Matcher.Presentation) -> CSVWriter {
        var out = CSVWriter(header: pres.personHeader + (pres.english
            ? ["name", "post_id", "employer", "location", "score", "poor_household", "reasons"]
            : ["姓名", "岗位编号", "企业名称", "工作地点", "匹配分", "贫困户", "推荐理由"]))
        let t = rules.taxonomy
        for (i, w) in workers.enumerated() where outcome.assignment.postOf[i] >= 0 {
            let p = posts[Int(outcome.assignment.postOf[i])]
            let score = outcome.problem.weight(worker: i, post: Int(outcome.assignment.postOf[i]))! - (w.poorHousehold ? outcome.bonus : 0)
            out.append(pres.person(w.workerID) + [w.name, p.postID, p.employer, t.destinations[p.location].name, Self.units(score),
                        w.poorHousehold ? (pres.english ? "yes" : "是") : (pres.english ? "no" : "否"), rules.reasons(w, p)])
        }
        return out
    }

    /// graph.csv: worker_id, post_id, weight (integer, score × 1024 plus any poor-household bonus).
    public func graphCSV(english: Bool) -> CSVWriter {
        var out = CSVWriter(header: english ? ["worker_id", "post_id", "weight"] : ["身份证号", "岗位编号", "权重"])
        let g = outcome.problem
        var text: [UInt8] = []
        text.reserveCapacity(g.edgeCount * 40)
        for i in 0..<g.workers {
            let id = workers[i].workerID
            for e in g.workerStart[i]..<g.workerStart[i + 1] {
                text.append(contentsOf: id.utf8); text.append(0x2C)
                CSVWriter.appendField(posts[Int(g.workerPost[e])].postID, to: &text)
                text.append(0x2C); CSVWriter.appendDecimal(Int(g.workerWeight[e]), to: &text); text.append(0x0D); text.append(0x0A)
            }
        }
        out.appendFormatted(text)
        return out
    }

    /// capacities.csv: post_id, openings.
    public func capacitiesCSV(english: Bool) -> CSVWriter {
        var out = CSVWriter(header: english ? ["post_id", "openings"] : ["岗位编号", "招聘人数"])
        for p in posts { out.append([p.postID, String(p.openings)]) }
        return out
    }

    var loads: [Int] {
        var load = [Int](repeating: 0, count: posts.count)
        for j in outcome.assignment.postOf where j >= 0 { load[Int(j)] += 1 }
        return load
    }

    /// post_duals.csv: post_id, employer, location, openings, placed, dual (score units: what one more opening
    /// at this post would add to the optimum, at most).
    public func postDualsCSV(english: Bool) -> CSVWriter? {
        guard let price = outcome.assignment.postPrice else { return nil }
        var out = CSVWriter(header: english ? ["post_id", "employer", "location", "openings", "placed", "dual"]
                                            : ["岗位编号", "企业名称", "工作地点", "招聘人数", "已安排", "影子价格"])
        let load = loads
        for (j, p) in posts.enumerated() {
            out.append([p.postID, p.employer, rules.taxonomy.destinations[p.location].name, String(p.openings), String(load[j]),
                        Self.units(price[j])])
        }
        return out
    }

    /// destination_duals.csv: location, openings, placed, cap, dual. The dual is the cap's price when the
    /// destination is capped, else the best post price there (one more opening at its most valuable post).
    public func destinationDualsCSV(english: Bool) -> CSVWriter? {
        guard outcome.assignment.postPrice != nil else { return nil }
        var out = CSVWriter(header: english ? ["location", "openings", "placed", "cap", "dual"]
                                            : ["工作地点", "招聘人数", "已安排", "上限", "影子价格"])
        for d in destinations() {
            out.append([rules.taxonomy.destinations[d.destination].name, String(d.openings), String(d.placed),
                        d.cap.map(String.init) ?? "", d.dual.map(Self.units) ?? ""])
        }
        return out
    }

    /// Per destination with posts: openings, placed, its cap, and its dual price — the optimum's gain from one
    /// more opening there (its cap's price when capped, else its best post's price; nil without duals).
    public func destinations() -> [(destination: Int, openings: Int, placed: Int, cap: Int?, dual: Int64?)] {
        let t = rules.taxonomy
        let load = loads
        var out: [(destination: Int, openings: Int, placed: Int, cap: Int?, dual: Int64?)] = []
        for d in t.destinations.indices {
            let js = posts.indices.filter { posts[$0].location == d }
            if js.isEmpty { continue }
            var cap: Int?
            var dual = outcome.assignment.postPrice.map { price in js.map { price[$0] }.max() ?? 0 }
            if let g = capLabels.firstIndex(of: "地点 \(t.destinations[d].name)"), let gp = outcome.groupPrice {
                cap = capLimits[g]
                dual = gp[g]
            }
            out.append((d, js.reduce(0) { $0 + posts[$1].openings }, js.reduce(0) { $0 + load[$1] }, cap, dual))
        }
        return out
    }
}

extension PlacementReport {
    /// Per township (taxonomy order): workers, poor-household workers, placed, poor households placed. The one
    /// count behind by_township.csv of match, nightly and plan, and the report's township chart.
    public func townshipCounts() -> [(township: Int, workers: Int, poor: Int, placed: Int, placedPoor: Int)] {
        let n = rules.taxonomy.townships.count
        var workers = [Int](repeating: 0, count: n), poor = workers, placed = workers, placedPoor = workers
        for (i, w) in self.workers.enumerated() {
            workers[w.township] += 1
            if w.poorHousehold { poor[w.township] += 1 }
            if outcome.assignment.postOf[i] >= 0 {
                placed[w.township] += 1
                if w.poorHousehold { placedPoor[w.township] += 1 }
            }
        }
        return (0..<n).map { ($0, workers[$0], poor[$0], placed[$0], placedPoor[$0]) }
    }

    /// by_township.csv: township, workers, poor_households, placed, placed_poor (all 16 townships, by code).
    public func byTownshipCSV(english en: Bool) -> CSVWriter {
        var out = CSVWriter(header: en ? ["township", "workers", "poor_households", "placed", "placed_poor"]
                                       : ["乡镇", "劳动力", "贫困户", "安置人数", "贫困户安置"])
        for c in townshipCounts() {
            out.append([rules.taxonomy.townships[c.township].name, String(c.workers), String(c.poor), String(c.placed), String(c.placedPoor)])
        }
        return out
    }

    /// by_occupation.csv, supply against demand: per occupation with any worker or post, the workers naming it
    /// first, naming it at all, the openings, and the placements on it (taxonomy order).
    public func byOccupationCSV(english en: Bool) -> CSVWriter {
        let t = rules.taxonomy
        let n = t.occupations.count
        var first = [Int](repeating: 0, count: n), any = first, openings = first, placed = first
        for w in workers {
            if let f = w.intentions.first { first[f] += 1 }
            for o in Set(w.intentions) { any[o] += 1 }
        }
        for p in posts { openings[p.occupation] += p.openings }
        for j in outcome.assignment.postOf where j >= 0 { placed[posts[Int(j)].occupation] += 1 }
        var out = CSVWriter(header: en ? ["occupation", "first_intention", "any_intention", "openings", "placed"]
                                       : ["工种", "第一意向人数", "意向人数", "招聘人数", "安置人数"])
        for o in 0..<n where any[o] > 0 || openings[o] > 0 {
            out.append([t.occupations[o].name, String(first[o]), String(any[o]), String(openings[o]), String(placed[o])])
        }
        return out
    }
}

extension PlacementReport {
    /// Solves the placement of `workers` on `posts` from `graph` with `quotas` and `options`, as `match` does,
    /// and returns the report of it (the cap groups labelled). Throws `AssignmentError` (crossing caps, an
    /// unreachable minimum, beyond the safe range) and `QuotaSpec.Problem` (a cap naming no post).
    public static func solve(_ graph: AssignmentProblem, rules: MatchRules, workers: [Worker], posts: [JobPost],
                             quotas: Quotas, options: Placement.Options) throws -> PlacementReport {
        var network: QuotaNetwork?
        var labels = QuotaSpec.Labels()
        if !quotas.isEmpty {
            (network, labels) = try QuotaSpec.network(quotas, workers: workers, posts: posts, taxonomy: rules.taxonomy)
        }
        let outcome = try Placement.solve(graph, poor: workers.map(\.poorHousehold), options: options, network: network)
        var r = PlacementReport(rules: rules, workers: workers, posts: posts, outcome: outcome)
        r.capLabels = labels.capGroups
        r.capLimits = network?.capLimit ?? []
        return r
    }

    /// The quotas as summary.json names them ("township_min 金钟山乡" → 120).
    public static func quotaLabels(_ q: Quotas, taxonomy t: Taxonomy) -> [String: Int] {
        var out: [String: Int] = [:]
        for (k, v) in q.townshipMin { out["township_min " + t.townships[k].name] = v }
        for (k, v) in q.townshipMax { out["township_max " + t.townships[k].name] = v }
        for (k, v) in q.destinationMax { out["max_destination " + t.destinations[k].name] = v }
        for (k, v) in q.destinationGroupMax { out["max_destination " + k] = v }
        for (k, v) in q.employerMax { out["max_employer " + k] = v }
        for (k, v) in q.employerDestinationMax { out["max_employer_destination " + k] = v }
        return out
    }

    /// summary.json of this placement.
    public func summary(version: String, asOf: String?, quotas: Quotas, solver: Placement.Solver, topK: Int?,
                        seconds: [String: Double], inputs: [String: String]) -> RunSummary {
        let a = outcome.assignment
        let q = PlacementReport.quotaLabels(quotas, taxonomy: rules.taxonomy)
        return RunSummary(
            version: version, asOf: asOf, workers: workers.count, posts: posts.count,
            openings: posts.reduce(0) { $0 + $1.openings }, candidates: outcome.problem.edgeCount, placed: a.placed,
            placedPoor: outcome.placedPoor, poorShare: outcome.poorShare,
            poorBonus: Double(outcome.bonus) / Double(ScoringWeights.quantization), priorityCost: outcome.priorityCost,
            objective: a.objective, greedyObjective: outcome.greedyObjective,
            greedyShareOfOptimum: a.objective > 0 ? outcome.greedyObjective.map { Double($0) / Double(a.objective) } : nil,
            solver: solver.rawValue + (quotas.isEmpty ? (solver == .exact ? " (auction)" : "") : " (min-cost flow with quotas)"),
            verified: outcome.verified, topK: topK, seconds: seconds, inputs: inputs, quotas: q.isEmpty ? nil : q)
    }
}

/// summary.json of a matching or assignment run.
public struct RunSummary: Codable, Sendable {
    public var version: String
    public var asOf: String?
    public var workers: Int
    public var posts: Int
    public var openings: Int
    public var candidates: Int
    public var placed: Int
    public var placedPoor: Int
    public var poorShare: Double
    public var poorBonus: Double
    public var priorityCost: Int64
    public var objective: Int64
    /// The greedy baseline on the same graph; nil when quotas were set (greedy does not honour them).
    public var greedyObjective: Int64?
    public var greedyShareOfOptimum: Double?
    public var solver: String
    public var verified: Bool?
    public var topK: Int?
    public var seconds: [String: Double]
    public var inputs: [String: String]
    public var quotas: [String: Int]?

    public init(version: String, asOf: String?, workers: Int, posts: Int, openings: Int, candidates: Int, placed: Int,
                placedPoor: Int, poorShare: Double, poorBonus: Double, priorityCost: Int64, objective: Int64,
                greedyObjective: Int64?, greedyShareOfOptimum: Double?, solver: String, verified: Bool?, topK: Int?,
                seconds: [String: Double], inputs: [String: String], quotas: [String: Int]?) {
        self.version = version; self.asOf = asOf; self.workers = workers; self.posts = posts; self.openings = openings
        self.candidates = candidates; self.placed = placed; self.placedPoor = placedPoor; self.poorShare = poorShare
        self.poorBonus = poorBonus; self.priorityCost = priorityCost; self.objective = objective
        self.greedyObjective = greedyObjective; self.greedyShareOfOptimum = greedyShareOfOptimum; self.solver = solver
        self.verified = verified; self.topK = topK; self.seconds = seconds; self.inputs = inputs; self.quotas = quotas
    }

    enum CodingKeys: String, CodingKey {
        case version, workers, posts, openings, candidates, placed, objective, solver, verified, seconds, inputs, quotas
        case asOf = "as_of", placedPoor = "placed_poor", poorShare = "poor_share", poorBonus = "poor_bonus"
        case priorityCost = "priority_cost", greedyObjective = "greedy_objective"
        case greedyShareOfOptimum = "greedy_share_of_optimum", topK = "top_k"
    }

    public func json() throws -> Data { try JSONOutput.encode(self) }
}

/// JSON files of the tool: pretty, keys sorted (so that the same run writes the same bytes), a final newline.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try e.encode(value)
        d.append(0x0A)
        return d
    }
}
