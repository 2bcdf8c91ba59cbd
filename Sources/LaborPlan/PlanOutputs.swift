import Dispatch
import Foundation
import LaborModel
import MatchCore

/// The plan's files: scenarios side by side, by township, by destination (with shadow prices), moves against the
/// baseline, the poor-share trade-off, buses, and each scenario's own assignments and summary.json.
public struct PlanOutputs {
    public let planner: Planner
    public let file: ScenarioFile
    public let solved: [Planner.Solved]
    public let sweep: [Planner.SweepPoint]

    public init(planner: Planner, file: ScenarioFile, solved: [Planner.Solved], sweep: [Planner.SweepPoint]) {
        self.planner = planner
        self.file = file
        self.solved = solved
        self.sweep = sweep
    }

    static func share(_ x: Double) -> String { String(format: "%.4f", x) }

    public func scenariosCSV(english en: Bool) -> CSVWriter {
        var out = CSVWriter(header: en
            ? ["scenario", "placed", "placed_poor", "poor_share", "objective", "score_total", "delta_placed", "delta_objective",
               "trained", "buses", "mean_riders", "unscheduled", "feasible", "problem", "seconds"]
            : ["情景", "安置人数", "贫困户安置", "贫困户比例", "目标值", "总匹配分", "安置差", "目标值差",
               "培训人数", "车辆", "平均每车人数", "未排车", "可行", "问题", "秒"])
        let base = solved.first?.report
        for s in solved {
            guard let r = s.report else {
                out.append([s.scenario.name, "", "", "", "", "", "", "", String(s.trained), "", "", "", en ? "no" : "否", s.problem ?? "",
                            String(format: "%.2f", s.seconds)])
                continue
            }
            let a = r.outcome.assignment
            let riders = s.buses.reduce(0) { $0 + $1.riders }
            out.append([s.scenario.name, String(a.placed), String(r.outcome.placedPoor), Self.share(r.outcome.poorShare), String(a.objective),
                        PlacementReport.units(r.outcome.baseWeight),
                        base.map { String(a.placed - $0.outcome.assignment.placed) } ?? "",
                        base.map { String(a.objective - $0.outcome.assignment.objective) } ?? "",
                        String(s.trained), file.transport == nil ? "" : String(s.buses.count),
                        s.buses.isEmpty ? "" : String(format: "%.1f", Double(riders) / Double(s.buses.count)),
                        file.transport == nil ? "" : String(s.unscheduled), en ? "yes" : "是", "", String(format: "%.2f", s.seconds)])
        }
        return out
    }

    public func byTownshipCSV(english en: Bool) -> CSVWriter {
        var out = CSVWriter(header: en ? ["scenario", "township", "workers", "placed", "placed_poor"] : ["情景", "乡镇", "劳动力", "安置人数", "贫困户安置"])
        let t = planner.inputs.rules.taxonomy
        for s in solved {
            guard let r = s.report else { continue }
            for c in r.townshipCounts() {
                out.append([s.scenario.name, t.townships[c.township].name, String(c.workers), String(c.placed), String(c.placedPoor)])
            }
        }
        return out
    }

    public func byDestinationCSV(english en: Bool) -> CSVWriter {
        var out = CSVWriter(header: en ? ["scenario", "destination", "openings", "placed", "shadow_price"] : ["情景", "工作地点", "空缺", "安置人数", "影子价格"])
        let t = planner.inputs.rules.taxonomy
        let capacity = planner.inputs.capacity
        for s in solved {
            guard let r = s.report else { continue }
            for d in r.destinations() {
                let open = r.posts.indices.filter { r.posts[$0].location == d.destination }.reduce(0) { $0 + capacity[$1] }
                out.append([s.scenario.name, t.destinations[d.destination].name, String(open), String(d.placed),
                            d.dual.map(PlacementReport.units) ?? ""])
            }
        }
        return out
    }

    public func movesCSV(_ pres: Matcher.Presentation) -> CSVWriter {
        let en = pres.english
        var out = CSVWriter(header: ["scenario"].map { en ? $0 : "情景" } + pres.personHeader + (en ? ["name", "from", "to"] : ["姓名", "基线岗位", "本情景岗位"]))
        guard let base = solved.first?.report else { return out }
        let none = en ? "(not placed)" : "(未安置)"
        func post(_ r: PlacementReport, _ i: Int) -> String {
            let j = r.outcome.assignment.postOf[i]
            return j < 0 ? none : r.posts[Int(j)].postID
        }
        for s in solved.dropFirst() {
            guard let r = s.report else { continue }
            for (i, w) in s.workers.enumerated() where r.outcome.assignment.postOf[i] != base.outcome.assignment.postOf[i] {
                out.append([s.scenario.name] + pres.person(w.workerID) + [w.name, post(base, i), post(r, i)])
            }
        }
        return out
    }

    public func tradeoffCSV(english en: Bool) -> CSVWriter {
        var out = CSVWriter(header: en ? ["target_share", "achieved_share", "objective", "cost", "bonus", "reached"]
                                       : ["目标比例", "实际比例", "目标值", "代价", "加分", "是否达到"])
        for p in sweep {
            out.append([Self.share(p.target), Self.share(p.achieved), String(p.objective), PlacementReport.units(p.cost),
                        String(p.bonus), p.reached ? (en ? "yes" : "是") : (en ? "no" : "否")])
        }
        return out
    }

    public func busesCSV(english en: Bool) -> CSVWriter {
        var out = CSVWriter(header: en ? ["scenario", "departure", "township", "destination", "bus", "riders", "riders_poor", "seats"]
                                       : ["情景", "发车日期", "乡镇", "工作地点", "车次", "人数", "贫困户人数", "座位"])
        let t = planner.inputs.rules.taxonomy
        for s in solved {
            for b in s.buses {
                out.append([s.scenario.name, b.departure.description, t.townships[b.township].name, t.destinations[b.destination].name,
                            String(b.number), String(b.riders), String(b.ridersPoor), String(b.seats)])
            }
        }
        return out
    }

    /// A scenario's folder name: its name with path separators replaced.
    static func folder(_ name: String) -> String {
        String(name.map { "/\\\\:*?\"<>|".contains($0) || $0.isNewline ? "_" : $0 })
    }

    /// Writes every file into `dir` (created), the staff files in `pres.format`.
    public func write(to dir: String, pres: Matcher.Presentation, version: String, inputs: [String: String]) throws {
        let en = pres.english
        try OutputFolder.prepare(dir)
        try scenariosCSV(english: en).write(staffFile: dir + "/scenarios", format: pres.format, sheetName: en ? "scenarios" : "情景对比")
        try byTownshipCSV(english: en).write(staffFile: dir + "/by_township", format: pres.format, sheetName: en ? "by township" : "分乡镇")
        try byDestinationCSV(english: en).write(staffFile: dir + "/by_destination", format: pres.format, sheetName: en ? "by destination" : "分地点")
        try movesCSV(pres).write(staffFile: dir + "/moves", format: pres.format, sheetName: en ? "moves" : "变动", ownerOnly: pres.unmask)
        if !sweep.isEmpty { try tradeoffCSV(english: en).write(staffFile: dir + "/tradeoff", format: pres.format, sheetName: en ? "trade-off" : "比例与匹配") }
        if file.transport != nil { try busesCSV(english: en).write(staffFile: dir + "/buses", format: pres.format, sheetName: en ? "buses" : "车辆") }
        // Each scenario's folder on its own (names that would share one are refused when the file is read): written
        // on the planner's cores at once, the first failure in file order reported.
        try OutputFolder.prepare(dir + "/scenarios")
        let solved = self.solved, asOf = planner.inputs.rules.asOf.description, topK = planner.topK
        var failures = [Error?](repeating: nil, count: solved.count)
        failures.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let failed = buffer
            Planner.pool(solved.count, threads: planner.threads ?? ScoringConfiguration.availableCores) { k in
                let s = solved[k]
                guard let r = s.report else { return }
                do {
                    let sub = dir + "/scenarios/" + Self.folder(s.scenario.name)
                    try OutputFolder.prepare(sub)
                    try r.assignmentsCSV(pres).write(staffFile: sub + "/assignments", format: pres.format, sheetName: en ? "assignments" : "安置方案",
                                                     ownerOnly: pres.unmask)
                    let summary = r.summary(version: version, asOf: asOf, quotas: s.scenario.quotas, solver: .exact, topK: topK,
                                            seconds: ["solve": s.seconds], inputs: inputs)
                    try AtomicFile.write(try summary.json(), to: sub + "/summary.json")
                } catch {
                    failed[k] = error
                }
            }
        }
        if let first = failures.compactMap({ $0 }).first { throw first }
    }
}
