import Foundation
import LaborModel
import Mustache

/// The analytics report: one self-contained HTML page (inline CSS and SVG, no script, no external URL) built from
/// the folders the product writes: a `match` run, a nightly run (or its `latest`), a `plan` folder. Each section
/// appears when its data is there: a chart, a finding sentence written from the data, and the table behind it.
public struct Report {
    public var english = false
    /// One section: what the template lays out.
    struct Section {
        var id: String
        var title: String
        var finding: String
        var chart: String
        var table: [[String]]
    }
    var sections: [Section] = []
    var sources: [String] = []

    public init(english: Bool = false) { self.english = english }

    public struct Problem: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    func t(_ zh: String, _ en: String) -> String { english ? en : zh }
    static func esc(_ s: String) -> String { SVGChart.esc(s) }

    // MARK: - Reading folders

    static func table(_ path: String) -> CSVTable? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? CSVTable.read(path: path)
    }

    static func json(_ path: String) -> [String: Any]? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    /// The first column named any of `names` (Chinese or English headers).
    static func column(_ t: CSVTable, _ names: [String]) -> Int? { t.header.firstIndex { names.contains(Normalize.cell($0)) } }

    /// Adds the sections one folder has data for. A nightly output folder (with `latest`) reads its latest run.
    public mutating func add(folder given: String) throws {
        var dir = given
        if FileManager.default.fileExists(atPath: dir + "/latest/summary.json") { dir += "/latest" }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw Problem(message: "\(given): not a folder (不是文件夹); give a folder that match, nightly or plan wrote")
        }
        if FileManager.default.fileExists(atPath: dir + "/scenarios.csv") {
            sources.append(given)
            planSections(dir)
        } else if let summary = Report.json(dir + "/summary.json") {
            sources.append(given)
            headerSection(summary, dir: dir)
            if summary["run_id"] != nil { nightlySection(summary, dir: dir) }
            destinationSection(dir)
            unmetSection(dir)
            scoreSection(dir)
        } else {
            throw Problem(message: "\(given): holds no summary.json or scenarios.csv (没有可用的结果); give a folder that match, nightly or plan wrote")
        }
    }

    mutating func section(_ id: String, _ title: String, finding: String, chart: String, table: [[String]]) {
        sections.append(Section(id: id, title: title, finding: finding, chart: chart, table: table))
    }

    // MARK: - Sections

    mutating func headerSection(_ s: [String: Any], dir: String) {
        func n(_ k: String) -> String { (s[k] as? NSNumber).map { "\($0)" } ?? (s["counts"] as? [String: Any])?[k].map { "\($0)" } ?? "" }
        var rows: [[String]] = [[t("项目", "Item"), t("数值", "Value")]]
        rows.append([t("截至日期", "As of"), (s["as_of"] as? String) ?? ""])
        for (k, zh, en) in [("workers", "劳动力", "workers"), ("posts", "岗位", "posts"), ("openings", "招聘人数", "openings"),
                            ("placed", "安置人数", "placed"), ("placed_poor", "贫困户安置", "poor households placed"),
                            ("objective", "目标值", "objective"), ("greedy_objective", "贪心目标值", "greedy objective"),
                            ("pool", "待安置人数", "free workers"), ("proposals", "推荐数", "proposals")] where !n(k).isEmpty {
            rows.append([t(zh, en), n(k)])
        }
        if let share = s["poor_share"] as? Double { rows.append([t("贫困户比例", "poor-household share"), String(format: "%.1f%%", share * 100)]) }
        if let g = s["greedy_share_of_optimum"] as? Double { rows.append([t("贪心/最优", "greedy / optimum"), String(format: "%.3f", g)]) }
        if let secs = s["seconds"] as? [String: Any] {
            let total = secs.values.compactMap { ($0 as? NSNumber)?.doubleValue }.filter { _ in true }.reduce(0, +)
            rows.append([t("运行时间 (秒)", "run time (s)"), String(format: "%.1f", total)])
        }
        if let inputs = s["inputs"] as? [String: Any] {
            for (k, v) in inputs.sorted(by: { $0.key < $1.key }) { rows.append([t("输入 ", "input ") + k, "\(v)".prefix(16) + "…"]) }
        }
        if let v = s["version"] as? String { rows.append([t("版本", "version"), v]) }
        let placed = n("placed"), workers = n("workers")
        let finding = placed.isEmpty ? t("夜间运行 \(s["run_id"] ?? "")", "Nightly run \(s["run_id"] ?? "")")
            : t("\(workers) 名劳动力中安置 \(placed) 名", "\(placed) of \(workers) workers placed")
                + ((s["poor_share"] as? Double).map { t(", 其中贫困户占 ", ", poor households ") + String(format: "%.1f%%", $0 * 100) } ?? "")
        section("summary", t("概况", "Summary"), finding: finding, chart: "", table: rows)
    }

    mutating func destinationSection(_ dir: String) {
        guard let a = Report.table(dir + "/assignments.csv"), let loc = Report.column(a, ["工作地点", "location"]) else { return }
        var placed: [String: Int] = [:]
        for r in a.records where loc < r.fields.count { placed[r.fields[loc], default: 0] += 1 }
        var openings: [String: Int] = [:], dual: [String: String] = [:]
        if let d = Report.table(dir + "/destination_duals.csv") {
            for r in d.records where r.fields.count >= 5 {
                openings[r.fields[0]] = Int(r.fields[1]) ?? 0
                dual[r.fields[0]] = r.fields[4]
            }
        }
        let names = Set(placed.keys).union(openings.keys).sorted { (placed[$0] ?? 0, $1) > (placed[$1] ?? 0, $0) }
        guard !names.isEmpty else { return }
        var rows = [[t("工作地点", "destination"), t("招聘人数", "openings"), t("安置人数", "placed"), t("空缺", "unfilled"), t("影子价格", "shadow price")]]
        for d in names {
            let o = openings[d].map(String.init) ?? ""
            rows.append([d, o, String(placed[d] ?? 0), openings[d].map { String(max(0, $0 - (placed[d] ?? 0))) } ?? "", dual[d] ?? ""])
        }
        let mostUnfilled = names.max { (openings[$0] ?? 0) - (placed[$0] ?? 0) < (openings[$1] ?? 0) - (placed[$1] ?? 0) }!
        let finding = openings.isEmpty ? t("安置最多的地点: \(names[0]) (\(placed[names[0]] ?? 0) 人)", "Most placed in \(names[0]) (\(placed[names[0]] ?? 0))")
            : t("\(names[0]) 安置最多 (\(placed[names[0]] ?? 0) 人); \(mostUnfilled) 空缺最多 (\((openings[mostUnfilled] ?? 0) - (placed[mostUnfilled] ?? 0)) 个)",
                "\(names[0]) placed most (\(placed[names[0]] ?? 0)); \(mostUnfilled) has most unfilled (\((openings[mostUnfilled] ?? 0) - (placed[mostUnfilled] ?? 0)))")
        let chart = SVGChart.bars(title: t("各地点招聘与安置", "Openings and placements by destination"), labels: names,
                                  series: [(t("招聘人数", "openings"), names.map { Double(openings[$0] ?? 0) }),
                                           (t("安置人数", "placed"), names.map { Double(placed[$0] ?? 0) })])
        section("destinations", t("按工作地点", "By destination"), finding: finding, chart: chart, table: rows)
    }

    mutating func unmetSection(_ dir: String) {
        guard let c = Report.table(dir + "/candidates_by_worker.csv"), let rank = Report.column(c, ["排名", "rank"]),
              let why = Report.column(c, ["推荐理由", "reasons"]) else { return }
        var main: [String: Int] = [:], certs: [String: Int] = [:]
        var unmet = 0
        for r in c.records where rank < r.fields.count && r.fields[rank].isEmpty && why < r.fields.count {
            unmet += 1
            let text = r.fields[why].replacingOccurrences(of: "无符合条件的岗位: ", with: "")
            let parts = text.components(separatedBy: "; ")
            func kind(_ p: String) -> String {
                if p.hasPrefix("缺少") { return t("缺少证书", "missing certificate") }
                if p.hasPrefix("年龄") { return t("年龄", "age") }
                if p.hasPrefix("学历") { return t("学历", "education") }
                if p.contains("维权") { return t("企业在维权名单", "excluded employer") }
                return t("其他", "other")
            }
            main[kind(parts.first ?? ""), default: 0] += 1
            for p in parts where p.hasPrefix("缺少 ") {
                let name = String(p.dropFirst(3).prefix { $0 != " " })
                certs[name, default: 0] += 1
            }
        }
        guard unmet > 0 else { return }
        let reasons = main.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let topCerts = certs.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8)
        var rows = [[t("主要原因", "main reason"), t("人数", "workers")]] + reasons.map { [$0.key, String($0.value)] }
        rows += topCerts.map { [t("缺少 ", "lacks ") + $0.key, String($0.value)] }
        let finding = t("\(unmet) 名劳动力没有符合条件的岗位, 最常见的原因: \(reasons[0].key) (\(reasons[0].value) 人)",
                        "\(unmet) workers have no eligible post; the most common reason: \(reasons[0].key) (\(reasons[0].value))")
            + (topCerts.first.map { t("; 最缺的证书: \($0.key)", "; the certificate most lacked: \($0.key)") } ?? "")
        let chart = SVGChart.bars(title: t("没有合适岗位的原因", "Why workers have no eligible post"), labels: reasons.map(\.key),
                                  series: [(t("人数", "workers"), reasons.map { Double($0.value) })])
        section("unmet", t("未满足的需求", "Unmet"), finding: finding, chart: chart, table: rows)
    }

    mutating func scoreSection(_ dir: String) {
        guard let a = Report.table(dir + "/assignments.csv"), let sc = Report.column(a, ["匹配分", "score"]) else { return }
        let why = Report.column(a, ["推荐理由", "reasons"])
        var bins: [Int: Int] = [:]
        var first = 0
        for r in a.records where sc < r.fields.count {
            bins[Int((Double(r.fields[sc]) ?? 0).rounded(.down)), default: 0] += 1
            if let why, why < r.fields.count, r.fields[why].hasPrefix("第一意向") { first += 1 }
        }
        guard !a.records.isEmpty else { return }
        let keys = bins.keys.sorted()
        let share = Double(first) / Double(a.records.count)
        let rows = [[t("匹配分", "score"), t("人数", "placements")]] + keys.map { ["\($0)–\($0 + 1)", String(bins[$0]!)] }
        let finding = t("\(a.records.count) 个安置中 \(String(format: "%.1f%%", share * 100)) 是劳动力的第一意向",
                        "\(String(format: "%.1f%%", share * 100)) of \(a.records.count) placements are on the worker's first intention")
        let chart = SVGChart.bars(title: t("安置的匹配分分布", "Scores of placements"), labels: keys.map { "\($0)–\($0 + 1)" },
                                  series: [(t("人数", "placements"), keys.map { Double(bins[$0]!) })])
        section("scores", t("匹配分分布", "Score distribution"), finding: finding, chart: chart, table: rows)
    }

    mutating func nightlySection(_ s: [String: Any], dir: String) {
        let c = s["counts"] as? [String: Any] ?? [:]
        func n(_ k: String) -> Int { (c[k] as? NSNumber)?.intValue ?? 0 }
        let items: [(String, Int)] = [(t("社保确认", "confirmed"), n("confirmed")), (t("换岗", "job changes"), n("job_changes")),
                                      (t("疑似失岗", "suspected losses"), n("suspected")), (t("确认失岗", "closed as lost"), n("lost")),
                                      (t("今日电话", "calls today"), n("calls")), (t("待联系", "waiting"), n("waiting")),
                                      (t("上门走访", "home visits"), n("visits"))]
        var rows = [[t("项目", "Item"), t("人数", "Count")]] + items.map { [$0.0, String($0.1)] }
        rows.append([t("最长等待 (天)", "oldest wait (days)"), String(n("oldest_wait_days"))])
        if let ch = s["changes"] as? [String: Any] {
            for (k, v) in ch.sorted(by: { $0.key < $1.key }) { rows.append([t("变化 ", "changes ") + k, "\(v)"]) }
        }
        for note in s["notes"] as? [String] ?? [] { rows.append([t("说明", "note"), note]) }
        let finding = t("今晚确认 \(n("confirmed")) 个在岗, \(n("suspected")) 个疑似失岗; 今日电话 \(n("calls")) 个, 另有 \(n("waiting")) 人待联系 (最长 \(n("oldest_wait_days")) 天)",
                        "Tonight \(n("confirmed")) confirmed at work, \(n("suspected")) suspected losses; \(n("calls")) calls today, \(n("waiting")) more waiting (oldest \(n("oldest_wait_days")) days)")
        let chart = SVGChart.bars(title: t("夜间运行", "The nightly run"), labels: items.map(\.0), series: [(t("人数", "count"), items.map { Double($0.1) })])
        section("nightly", t("夜间运行与回访", "Nightly run and calls"), finding: finding, chart: chart, table: rows)
    }

    mutating func planSections(_ dir: String) {
        guard let s = Report.table(dir + "/scenarios.csv") else { return }
        let rows = [s.header] + s.records.map(\.fields)
        let feasible = s.records.filter { $0.fields.count > 4 && !$0.fields[4].isEmpty }
        let base = feasible.first
        var finding = t("\(s.records.count) 个情景", "\(s.records.count) scenarios")
        if let base, let worst = feasible.min(by: { (Int($0.fields[1]) ?? 0) < (Int($1.fields[1]) ?? 0) }) {
            finding += t(": 基线安置 \(base.fields[1]) 人; \(worst.fields[0]) 最少 (\(worst.fields[1]) 人, 贫困户 \(worst.fields[3]))",
                         ": the baseline places \(base.fields[1]); \(worst.fields[0]) the fewest (\(worst.fields[1]), poor share \(worst.fields[3]))")
        }
        let chart = SVGChart.bars(title: t("各情景安置人数与贫困户安置", "Placed and poor households placed by scenario"), labels: feasible.map { $0.fields[0] },
                                  series: [(t("安置人数", "placed"), feasible.map { Double($0.fields[1]) ?? 0 }),
                                           (t("贫困户安置", "poor placed"), feasible.map { Double($0.fields[2]) ?? 0 })])
        section("scenarios", t("情景对比", "Scenarios side by side"), finding: finding, chart: chart, table: rows)
        if let b = Report.table(dir + "/by_township.csv"), let first = b.records.first?.fields.first {
            struct Town { var name: String; var workers: Int; var placed: Int; var poor: Int
                var rate: Double { Double(placed) / Double(max(workers, 1)) * 100 } }
            var share: [Town] = []
            for r in b.records where r.fields.first == first && r.fields.count >= 5 {
                share.append(Town(name: r.fields[1], workers: Int(r.fields[2]) ?? 0, placed: Int(r.fields[3]) ?? 0, poor: Int(r.fields[4]) ?? 0))
            }
            share.sort { $0.rate < $1.rate }
            if let low = share.first {
                let pct = String(format: "%.0f%%", low.rate)
                let zh = "\(low.name): \(low.workers) 名劳动力, 安置 \(pct), 在 \(share.count) 个乡镇中最低 (情景 \(first))"
                let en = "\(low.name): \(low.workers) workers, \(pct) placed, lowest of \(share.count) townships (scenario \(first))"
                let finding = t(zh, en)
                let rates: [Double] = share.map(\.rate)
                let chart = SVGChart.bars(title: t("各乡镇安置率 (%)", "Share placed by township (%)"), labels: share.map(\.name),
                                          series: [(t("安置率", "placed"), rates)], unit: "%")
                var rows: [[String]] = [[t("乡镇", "township"), t("劳动力", "workers"), t("安置", "placed"), t("贫困户安置", "poor placed")]]
                for town in share { rows.append([town.name, String(town.workers), String(town.placed), String(town.poor)]) }
                section("townships", t("按乡镇", "By township"), finding: finding, chart: chart, table: rows)
            }
        }
        if let tr = Report.table(dir + "/tradeoff.csv"), !tr.records.isEmpty {
            let pts = tr.records.compactMap { r -> (x: Double, y: Double)? in
                guard r.fields.count >= 4, let x = Double(r.fields[1]), let y = Double(r.fields[3]) else { return nil }
                return (x * 100, y)
            }
            section("tradeoff", t("贫困户比例与总匹配", "Poor-household share against total fit"),
                    finding: t("比例越高, 总匹配分的代价越大 (代价以匹配分计)", "The higher the share, the more total score it costs"),
                    chart: SVGChart.line(title: t("实际比例 (%) 与代价", "Achieved share (%) and its cost"), xLabel: t("贫困户比例 %", "poor share %"),
                                         yLabel: t("代价", "cost"), points: pts),
                    table: [tr.header] + tr.records.map(\.fields))
        }
        if let b = Report.table(dir + "/buses.csv"), let first = b.records.first?.fields.first {
            let mine = b.records.filter { $0.fields.first == first && $0.fields.count >= 8 }
            var perDay: [String: (buses: Int, riders: Int)] = [:]
            for r in mine { perDay[r.fields[1], default: (0, 0)].buses += 1; perDay[r.fields[1], default: (0, 0)].riders += Int(r.fields[5]) ?? 0 }
            let days = perDay.keys.sorted()
            let buses = mine.count, riders = mine.reduce(0) { $0 + (Int($1.fields[5]) ?? 0) }
            let mean = buses > 0 ? Double(riders) / Double(buses) : 0
            let finding = t("情景 \(first): \(buses) 辆车, 平均每车 \(String(format: "%.1f", mean)) 人 (示范中心为 25.8)",
                            "Scenario \(first): \(buses) buses, \(String(format: "%.1f", mean)) riders a bus (the seed centre's: 25.8)")
            let chart = SVGChart.bars(title: t("各发车日车辆", "Buses per departure"), labels: days,
                                      series: [(t("车辆", "buses"), days.map { Double(perDay[$0]!.buses) })])
            let rows = [[t("发车日期", "departure"), t("车辆", "buses"), t("人数", "riders")]] + days.map { [$0, String(perDay[$0]!.buses), String(perDay[$0]!.riders)] }
            section("buses", t("点对点包车", "Point-to-point buses"), finding: finding, chart: chart, table: rows)
        }
    }

    // MARK: - The page

    /// The page, laid out by `template` (Mustache; `Data/report/report.mustache`, so the wording and layout change
    /// without touching Swift): inline CSS (screen and A4 print), no script, no external resource. Text is
    /// escaped by the template; only the SVG charts, written by `SVGChart` with their text escaped, go in raw.
    public func html(asOf: String, template: String) throws -> String {
        let page = try MustacheTemplate(string: template)
        let context: [String: Any] = [
            "english": english, "asOf": asOf, "sources": sources.joined(separator: ", "),
            "sections": sections.map { s -> [String: Any] in
                ["id": s.id, "title": s.title, "finding": s.finding, "chart": s.chart, "hasTable": s.table.count > 1,
                 "header": s.table.first ?? [], "rows": s.table.dropFirst().map { ["cells": $0] }]
            },
        ]
        return page.render(context)
    }
}
