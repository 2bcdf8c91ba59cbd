import Foundation
import LaborModel
import MatchCore

/// The files of one nightly run: assignments (the proposals), candidates_by_worker and candidates_by_post, and
/// the contact lists calls, backlog and visits (phone numbers in full, owner-only), each .csv or .xlsx; summary.json.
public struct NightlyOutputs {
    public let plan: Nightly.Plan
    /// SHA-256 of the weights file the scores came from (summary.json's `weights`).
    public var weightsDigest: String?

    public init(plan: Nightly.Plan, weightsDigest: String? = nil) {
        self.plan = plan
        self.weightsDigest = weightsDigest
    }

    /// Writes the files that depend only on the scores into `dir`: candidates_by_worker, candidates_by_post, unmet
    /// and unmet_posts. The service calls it from `Nightly.plan`'s `scored` hook, so that these files (most of a
    /// night's file work) are built and written while the plan solves.
    public static func writeCandidateLists(_ s: Nightly.Scored, to dir: String, pres: Matcher.Presentation) throws {
        var pres = pres
        pres.numbers = s.numbers
        let matcher = Matcher(rules: s.rules)
        let en = pres.english
        try matcher.byWorkerCSV(s.result, workers: s.pool, posts: s.posts, as: pres)
            .write(staffFile: dir + "/candidates_by_worker", format: pres.format, sheetName: en ? "posts for each worker" : "推荐岗位", ownerOnly: pres.unmask)
        try matcher.unmetCSV(s.result, workers: s.pool, posts: s.posts, as: pres)
            .write(staffFile: dir + "/unmet", format: pres.format, sheetName: en ? "no eligible post" : "无合适岗位", ownerOnly: pres.unmask)
        try matcher.unmetPostsCSV(s.result, workers: s.pool, posts: s.posts, english: en).write(to: dir + "/unmet_posts.csv")
        try matcher.byPostCSV(s.result, workers: s.pool, posts: s.posts, as: pres)
            .write(staffFile: dir + "/candidates_by_post", format: pres.format, sheetName: en ? "workers for each post" : "推荐人才", ownerOnly: pres.unmask)
    }

    /// Writes the run's files into `dir`. `candidateListsWritten`: `writeCandidateLists` already wrote those
    /// files there, from this plan's scores with the same presentation.
    public func write(to dir: String, pres: Matcher.Presentation, seconds: [String: Double] = [:], candidateListsWritten: Bool = false) throws {
        var pres = pres
        pres.numbers = plan.numbers
        let report = PlacementReport(rules: plan.rules, workers: plan.pool, posts: plan.posts, outcome: plan.outcome)
        let en = pres.english
        if !candidateListsWritten {
            try NightlyOutputs.writeCandidateLists(.init(pool: plan.pool, posts: plan.posts, result: plan.result, rules: plan.rules,
                                                         numbers: plan.numbers), to: dir, pres: pres)
        }
        try report.assignmentsCSV(pres).write(staffFile: dir + "/assignments", format: pres.format, sheetName: en ? "proposals" : "推荐方案", ownerOnly: pres.unmask)
        try report.byTownshipCSV(english: en).write(to: dir + "/by_township.csv")
        try report.byOccupationCSV(english: en).write(to: dir + "/by_occupation.csv")
        try contactsCSV(plan.contacts.calls, english: en).write(staffFile: dir + "/calls", format: pres.format,
                                                                sheetName: en ? "calls" : "今日电话", ownerOnly: true)
        try contactsCSV(plan.contacts.backlog, english: en, waiting: true).write(staffFile: dir + "/backlog", format: pres.format,
                                                                                  sheetName: en ? "backlog" : "待联系", ownerOnly: true)
        try contactsCSV(plan.contacts.visits, english: en, waiting: true).write(staffFile: dir + "/visits", format: pres.format,
                                                                                 sheetName: en ? "home visits" : "上门走访", ownerOnly: true)
        try AtomicFile.write(try summary(seconds: seconds).json(), to: dir + "/summary.json")
    }

    /// calls, backlog and visits: 人员编号, 身份证号, 姓名, 乡镇, 村, 联系电话, 原因, (贫困户, 等待天数, 起始日期,) and
    /// the proposal to tell about: 岗位编号, 企业名称, 工种, 工作地点, 月薪, 包吃住. For dialling: values in full.
    public func contactsCSV(_ list: [Nightly.Call], english: Bool, waiting: Bool = false) -> CSVWriter {
        var header = english ? ["number", "worker_id", "name", "township", "village", "phone", "reason"]
            : ["人员编号", "身份证号", "姓名", "乡镇", "村", "联系电话", "原因"]
        if waiting { header += english ? ["poor_household", "days_waiting", "since"] : ["贫困户", "等待天数", "起始日期"] }
        header += english ? ["post_id", "employer", "occupation", "location", "wage", "board_lodging"]
            : ["岗位编号", "企业名称", "工种", "工作地点", "月薪", "包吃住"]
        var out = CSVWriter(header: header)
        for c in list {
            var row = [c.number, c.workerID, c.name, c.township, c.village, c.phone, c.reason]
            if waiting { row += [c.poor ? "是" : "否", String(c.daysWaiting), c.since?.description ?? ""] }
            if let p = c.proposal {
                row += [p.postID, p.employer, p.occupation, p.location, p.wage, p.boardLodging ? "是" : "否"]
            } else {
                row += ["", "", "", "", "", ""]
            }
            out.append(row)
        }
        return out
    }

    public struct Summary: Codable, Sendable {
        public var runID: String
        public var asOf: String
        public var reconciledMonth: String?
        public var notes: [String]
        public var counts: Nightly.Counts
        /// What changed since the previous run, for the people who act on it.
        public var changes: Changes
        public var objective: Int64
        public var greedyObjective: Int64?
        public var placedPoor: Int
        public var verified: Bool?
        public var seconds: [String: Double]
        public var weights: String?

        enum CodingKeys: String, CodingKey {
            case notes, counts, changes, objective, verified, seconds, weights
            case runID = "run_id", asOf = "as_of", reconciledMonth = "reconciled_month"
            case greedyObjective = "greedy_objective", placedPoor = "placed_poor"
        }

        public func json() throws -> Data { try JSONOutput.encode(self) }
    }

    public struct Changes: Codable, Sendable, Equatable {
        public var new: Int
        public var changed: Int
        public var kept: Int
        public var withdrawn: Int
        public var confirmed: Int
        public var jobChanges: Int
        public var suspectedLosses: Int

        enum CodingKeys: String, CodingKey {
            case new, changed, kept, withdrawn, confirmed
            case jobChanges = "job_changes", suspectedLosses = "suspected_losses"
        }
    }

    public func summary(seconds: [String: Double]) -> Summary {
        let c = plan.counts
        let changes = Changes(new: c.newProposals, changed: c.changedProposals, kept: c.keptProposals, withdrawn: c.withdrawnProposals,
                              confirmed: c.confirmed, jobChanges: c.jobChanges, suspectedLosses: c.suspected)
        return Summary(runID: plan.runID, asOf: plan.options.asOf.description, reconciledMonth: plan.reconciledMonth?.description,
                notes: plan.notes, counts: plan.counts, changes: changes, objective: plan.outcome.assignment.objective,
                greedyObjective: plan.outcome.greedyObjective, placedPoor: plan.outcome.placedPoor,
                verified: plan.outcome.verified, seconds: seconds, weights: weightsDigest)
    }
}
