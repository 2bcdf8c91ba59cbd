import Foundation
import LaborModel
import LaborStore
import Mustache

/// The analytics report: one self-contained HTML page (inline CSS and SVG, no script, no external URL) built from
/// the folders the product writes: a `match` run, a nightly run (or its `latest`), a `plan` folder. Each section
/// appears when its data is there: a chart, a finding sentence written from the data, and the table behind it.
public struct Report {
    public var english = false
    /// Full ID numbers and phones in the "who" tables (`--unmask`); masked otherwise, names too.
    public var unmask = false
    /// One section: what the template lays out. `who` is a small table of people (at most `whoLimit` rows).
    struct Section {
        var id: String
        var title: String
        var finding: String
        var chart: String
        var table: [[String]]
        var whoTitle = ""
        var who: [[String]] = []
    }
    var sections: [Section] = []
    var sources: [String] = []
    /// What the report could not use (e.g. files written as .xlsx), for the command to print.
    public var warnings: [String] = []
    /// Individual rows appear only in "who" tables of at most this many people.
    public static let whoLimit = 20

    public init(english: Bool = false, unmask: Bool = false) {
        self.english = english
        self.unmask = unmask
    }

    /// A person's cells as the report shows them: masked unless `--unmask` (also when the folder holds them in full).
    func id(_ s: String) -> String { unmask || s.isEmpty ? s : Masking.idNumber(s) }
    func name(_ s: String) -> String { unmask ? s : Masking.name(s) }
    func phone(_ s: String) -> String { unmask || s.isEmpty ? s : Masking.phone(s) }

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
        // The report reads the CSV files; a folder written with --format xlsx is said so, not skipped in silence.
        let fm = FileManager.default
        let xlsxOnly = ["scenarios", "assignments", "unmet", "backlog"].filter {
            fm.fileExists(atPath: dir + "/\($0).xlsx") && !fm.fileExists(atPath: dir + "/\($0).csv")
        }
        if xlsxOnly.contains("scenarios") {
            throw Problem(message: "\(given): the plan was written with --format xlsx; the report reads its CSV files (rerun plan with --format csv) (报告需要 CSV 文件)")
        }
        if !xlsxOnly.isEmpty {
            warnings.append("\(given): \(xlsxOnly.map { $0 + ".xlsx" }.joined(separator: ", ")) left out: the report reads CSV files (rerun with --format csv for those sections)")
        }
        if fm.fileExists(atPath: dir + "/scenarios.csv") {
            sources.append(given)
            planSections(dir)
        } else if let summary = Report.json(dir + "/summary.json") {
            sources.append(given)
            headerSection(summary, dir: dir)
            if summary["run_id"] != nil { nightlySection(summary, dir: dir) }
            townshipSection(dir)
            occupationSection(dir)
            destinationSection(dir)
            unmetSection(dir)
            scoreSection(dir)
        } else {
            throw Problem(message: "\(given): holds no summary.json or scenarios.csv (没有可用的结果); give a folder that match, nightly or plan wrote")
        }
    }

    /// Adds a section; a second one of the same kind (two runs given) gets a numbered id.
    mutating func section(_ id: String, _ title: String, finding: String, chart: String, table: [[String]],
                          whoTitle: String = "", who: [[String]] = []) {
        let taken = sections.filter { $0.id == id || $0.id.hasPrefix(id + "-") }.count
        precondition(who.count <= Report.whoLimit + 1, "a who table holds at most \(Report.whoLimit) people")
        sections.append(Section(id: taken == 0 ? id : "\(id)-\(taken + 1)", title: title, finding: finding, chart: chart, table: table,
                                whoTitle: whoTitle, who: who))
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
            // Stages are top-level keys; "plan.score" and the like are parts of "plan", not added again.
            let total = secs.filter { !$0.key.contains(".") }.values.compactMap { ($0 as? NSNumber)?.doubleValue }.reduce(0, +)
            rows.append([t("运行时间 (秒)", "run time (s)"), String(format: "%.1f", total)])
        }
        if let inputs = s["inputs"] as? [String: Any] {
            for (k, v) in inputs.sorted(by: { $0.key < $1.key }) { rows.append([t("输入 ", "input ") + k, "\(v)".prefix(16) + "…"]) }
        }
        if let v = s["version"] as? String { rows.append([t("版本", "version"), v]) }
        let placed = n("placed"), workers = n("workers")
        let finding = placed.isEmpty ? t("夜间运行 \(s["run_id"] ?? ""): 待安置 \(n("pool")) 人, 推荐 \(n("proposals")) 个 (贫困户 \(n("placed_poor")))",
                                         "Nightly run \(s["run_id"] ?? ""): \(n("pool")) free workers, \(n("proposals")) proposals (\(n("placed_poor")) poor households)")
            : t("\(workers) 名劳动力中安置 \(placed) 名", "\(placed) of \(workers) workers placed")
                + ((s["poor_share"] as? Double).map { t(", 其中贫困户占 ", ", poor households ") + String(format: "%.1f%%", $0 * 100) } ?? "")
        section("summary", t("概况", "Summary"), finding: finding, chart: "", table: rows)
    }

    /// A row's cell, empty past its end (rows are not padded).
    static func cell(_ r: CSVRecord, _ k: Int) -> String { k < r.fields.count ? r.fields[k] : "" }

    /// Integer cells of `t`'s rows by column names (Chinese or English), nil when a column is missing.
    static func ints(_ t: CSVTable, _ names: [[String]]) -> [[Int]]? {
        let cols = names.compactMap { column(t, $0) }
        guard cols.count == names.count else { return nil }
        return t.records.map { r in cols.map { $0 < r.fields.count ? Int(r.fields[$0]) ?? 0 : 0 } }
    }

    mutating func townshipSection(_ dir: String) {
        guard let b = Report.table(dir + "/by_township.csv"), let nameCol = Report.column(b, ["乡镇", "township"]),
              let v = Report.ints(b, [["劳动力", "workers"], ["贫困户", "poor_households"], ["安置人数", "placed"], ["贫困户安置", "placed_poor"]])
        else { return }
        struct Town { var name: String; var workers: Int; var poor: Int; var placed: Int; var placedPoor: Int
            var rate: Double { Double(placed) / Double(max(workers, 1)) * 100 } }
        let towns = b.records.indices.map { Town(name: Report.cell(b.records[$0], nameCol), workers: v[$0][0], poor: v[$0][1], placed: v[$0][2], placedPoor: v[$0][3]) }
        let withWorkers = towns.filter { $0.workers > 0 }.sorted { ($0.rate, $0.name) < ($1.rate, $1.name) }
        guard let low = withWorkers.first, let high = withWorkers.last else { return }
        let pct = { (x: Double) in String(format: "%.0f%%", x) }
        let finding = t("\(low.name): \(low.workers) 名劳动力, 安置 \(pct(low.rate)), 在 \(withWorkers.count) 个乡镇中最低; 最高为 \(high.name) (\(pct(high.rate)))",
                        "\(low.name): \(low.workers) workers, \(pct(low.rate)) placed, lowest of \(withWorkers.count) townships; highest \(high.name) (\(pct(high.rate)))")
        let chart = SVGChart.stacked(title: t("各乡镇劳动力与安置 (按安置率排序)", "Workers and placements by township (by share placed)"),
                                     labels: withWorkers.map { "\($0.name) \(pct($0.rate))" },
                                     parts: [(t("贫困户安置", "poor households placed"), withWorkers.map { Double($0.placedPoor) }),
                                             (t("其他安置", "others placed"), withWorkers.map { Double($0.placed - $0.placedPoor) }),
                                             (t("未安置", "not placed"), withWorkers.map { Double($0.workers - $0.placed) })])
        var rows = [[t("乡镇", "township"), t("劳动力", "workers"), t("贫困户", "poor households"), t("安置人数", "placed"),
                     t("贫困户安置", "poor placed"), t("安置率", "share placed")]]
        for town in towns { rows.append([town.name, String(town.workers), String(town.poor), String(town.placed), String(town.placedPoor), pct(town.rate)]) }
        section("townships", t("按乡镇", "By township"), finding: finding, chart: chart, table: rows)
    }

    mutating func occupationSection(_ dir: String) {
        guard let b = Report.table(dir + "/by_occupation.csv"), let nameCol = Report.column(b, ["工种", "occupation"]),
              let v = Report.ints(b, [["第一意向人数", "first_intention"], ["意向人数", "any_intention"], ["招聘人数", "openings"], ["安置人数", "placed"]]),
              !b.records.isEmpty else { return }
        let names = b.records.map { Report.cell($0, nameCol) }
        let order = names.indices.sorted { (max(v[$0][1], v[$0][2]), names[$1]) > (max(v[$1][1], v[$1][2]), names[$0]) }
        let shown = Array(order.prefix(12))
        let short = names.indices.max { (v[$0][2] - v[$0][0], names[$1]) < (v[$1][2] - v[$1][0], names[$0]) }!
        let surplus = names.indices.max { (v[$0][0] - v[$0][2], names[$1]) < (v[$1][0] - v[$1][2], names[$0]) }!
        let finding = t("\(names[short]): \(v[short][2]) 个招聘名额, 只有 \(v[short][0]) 人以其为第一意向, 缺口最大; \(names[surplus]): \(v[surplus][0]) 人首选, 名额 \(v[surplus][2]) 个",
                        "\(names[short]): \(v[short][2]) openings, only \(v[short][0]) name it first, the widest gap; \(names[surplus]): \(v[surplus][0]) name it first, \(v[surplus][2]) openings")
        let chart = SVGChart.bars(title: t("各工种求职意向与招聘 (前 \(shown.count) 个)", "Intentions and openings by occupation (top \(shown.count))"),
                                  labels: shown.map { names[$0] },
                                  series: [(t("第一意向", "first intention"), shown.map { Double(v[$0][0]) }),
                                           (t("任一意向", "any intention"), shown.map { Double(v[$0][1]) }),
                                           (t("招聘人数", "openings"), shown.map { Double(v[$0][2]) }),
                                           (t("安置人数", "placed"), shown.map { Double(v[$0][3]) })])
        let rows = [[t("工种", "occupation"), t("第一意向人数", "first intention"), t("意向人数", "any intention"), t("招聘人数", "openings"), t("安置人数", "placed")]]
            + order.map { [names[$0]] + v[$0].map(String.init) }
        section("occupations", t("按工种: 供给与需求", "Supply and demand by occupation"), finding: finding, chart: chart, table: rows)
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
        // unmet.csv holds exactly the workers with no eligible post (candidates_by_worker's rows without a rank).
        guard let c = Report.table(dir + "/unmet.csv"), let why = Report.column(c, ["推荐理由", "reasons"]) else { return }
        let idCol = Report.column(c, ["身份证号", "worker_id"]), nameCol = Report.column(c, ["姓名", "name"])
        let numberCol = Report.column(c, ["人员编号", "number"])
        var main: [String: Int] = [:], certs: [String: Int] = [:]
        var unmet = 0
        var who: [[String]] = []
        for r in c.records where why < r.fields.count {
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
            if who.count < Report.whoLimit {
                func cell(_ k: Int?) -> String { k.map { $0 < r.fields.count ? r.fields[$0] : "" } ?? "" }
                who.append((numberCol == nil ? [] : [cell(numberCol)]) + [id(cell(idCol)), name(cell(nameCol)), parts.first ?? ""])
            }
        }
        // Posts no worker is eligible for (unmet_posts.csv), by the main reason.
        var postReasons: [String: Int] = [:]
        var unmetPosts = 0
        if let u = Report.table(dir + "/unmet_posts.csv"), let why = Report.column(u, ["推荐理由", "reasons"]) {
            for r in u.records {
                unmetPosts += 1
                let first = Report.cell(r, why).replacingOccurrences(of: "无符合条件的劳动力: ", with: "").components(separatedBy: " (")[0]
                postReasons[first, default: 0] += 1
            }
        }
        guard unmet > 0 || unmetPosts > 0 else { return }
        let reasons = main.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let topCerts = certs.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8)
        var rows = [[t("主要原因", "main reason"), t("人数", "workers")]] + reasons.map { [$0.key, String($0.value)] }
        rows += topCerts.map { [t("缺少 ", "lacks ") + $0.key, String($0.value)] }
        rows += postReasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { [t("岗位无人符合: ", "posts with no eligible worker: ") + $0.key, String($0.value)] }
        let finding = (unmet == 0 ? t("每名劳动力都有符合条件的岗位", "Every worker has an eligible post")
            : t("\(unmet) 名劳动力没有符合条件的岗位, 最常见的原因: \(reasons[0].key) (\(reasons[0].value) 人)",
                "\(unmet) workers have no eligible post; the most common reason: \(reasons[0].key) (\(reasons[0].value))"))
            + (topCerts.first.map { t("; 最缺的证书: \($0.key)", "; the certificate most lacked: \($0.key)") } ?? "")
            + t("; \(unmetPosts) 个岗位没有符合条件的劳动力", "; \(unmetPosts) posts have no eligible worker")
        let posts = postReasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let chart = reasons.isEmpty
            ? SVGChart.bars(title: t("岗位没有符合条件劳动力的原因", "Why posts have no eligible worker"), labels: posts.map(\.key),
                            series: [(t("岗位数", "posts"), posts.map { Double($0.value) })])
            : SVGChart.bars(title: t("没有合适岗位的原因", "Why workers have no eligible post"), labels: reasons.map(\.key),
                            series: [(t("人数", "workers"), reasons.map { Double($0.value) })])
        let whoHeader = (numberCol == nil ? [] : [t("人员编号", "number")]) + [t("身份证号", "ID number"), t("姓名", "name"), t("主要原因", "main reason")]
        section("unmet", t("未满足的需求", "Unmet"), finding: finding, chart: chart, table: rows,
                whoTitle: t("没有合适岗位的劳动力 (前 \(who.count) 名, 共 \(unmet) 名)", "Workers with no eligible post (first \(who.count) of \(unmet))"),
                who: [whoHeader] + who)
    }

    mutating func scoreSection(_ dir: String) {
        guard let a = Report.table(dir + "/assignments.csv"), let sc = Report.column(a, ["匹配分", "score"]), !a.records.isEmpty else { return }
        let why = Report.column(a, ["推荐理由", "reasons"])
        var scores: [Double] = []
        var first = 0
        for r in a.records where sc < r.fields.count {
            guard let v = Double(r.fields[sc]) else { continue }
            scores.append(v)
            if let why, why < r.fields.count, r.fields[why].hasPrefix("第一意向") || r.fields[why].hasPrefix("first intention") { first += 1 }
        }
        guard !scores.isEmpty else { return }
        // The table's bins are the chart's: half a point wide.
        var bins: [Int: Int] = [:]
        for v in scores { bins[Int((v * 2).rounded(.down)), default: 0] += 1 }
        let keys = bins.keys.sorted()
        let share = Double(first) / Double(a.records.count)
        let median = scores.sorted()[scores.count / 2]
        let rows = [[t("匹配分", "score"), t("人数", "placements")]]
            + keys.map { ["\(SVGChart.number(Double($0) / 2))–\(SVGChart.number(Double($0 + 1) / 2))", String(bins[$0]!)] }
        let finding = t("\(a.records.count) 个安置中 \(String(format: "%.1f%%", share * 100)) 是劳动力的第一意向; 匹配分中位数 \(SVGChart.number(median))",
                        "\(String(format: "%.1f%%", share * 100)) of \(a.records.count) placements are on the worker's first intention; median score \(SVGChart.number(median))")
        let chart = SVGChart.histogram(title: t("安置的匹配分分布", "Scores of placements"), values: scores, binWidth: 0.5,
                                       xLabel: t("匹配分", "score"), yLabel: t("人数", "placements"))
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
        // Who waits longest for a call (backlog.csv is sorted by the nightly: longest wait first).
        var who: [[String]] = []
        var whoTitle = ""
        if let b = Report.table(dir + "/backlog.csv"), !b.records.isEmpty {
            let cols = [["人员编号", "number"], ["身份证号", "worker_id"], ["姓名", "name"], ["乡镇", "township"], ["联系电话", "phone"],
                        ["贫困户", "poor_household"], ["等待天数", "days_waiting"]].map { Report.column(b, $0) }
            let waits = b.records.map { r in cols[6].flatMap { $0 < r.fields.count ? Int(r.fields[$0]) : nil } ?? 0 }
            let order = b.records.indices.sorted { (waits[$0], $1) > (waits[$1], $0) }
            who.append([t("人员编号", "number"), t("身份证号", "ID number"), t("姓名", "name"), t("乡镇", "township"), t("联系电话", "phone"),
                        t("贫困户", "poor household"), t("等待天数", "days waiting")])
            for i in order.prefix(Report.whoLimit) {
                let f = b.records[i].fields
                func cell(_ k: Int) -> String { cols[k].map { $0 < f.count ? f[$0] : "" } ?? "" }
                who.append([cell(0), id(cell(1)), name(cell(2)), cell(3), phone(cell(4)), cell(5), cell(6)])
            }
            whoTitle = t("等待最久的 \(who.count - 1) 人 (共 \(b.records.count) 人待联系)", "The \(who.count - 1) waiting longest (of \(b.records.count) waiting)")
        }
        section("nightly", t("夜间运行与回访", "Nightly run and calls"), finding: finding, chart: chart, table: rows, whoTitle: whoTitle, who: who)
    }

    /// Sections from the registry itself (`--db`): placements by month — started, job changes, suspected losses,
    /// closed as lost — with poor households apart, and the employers that have not reported the latest month.
    public mutating func add(registry: Registry, path: String) throws {
        sources.append(path)
        let months = try registry.monthlyOutcomes(months: 12)
        if !months.isEmpty {
            let labels = months.map(\.month)
            let chart = SVGChart.bars(title: t("每月安置变化", "Placements by month"), labels: labels,
                                      series: [(t("新安置", "started"), months.map { Double($0.started) }),
                                               (t("换岗", "job changes"), months.map { Double($0.jobChanges) }),
                                               (t("疑似失岗", "suspected losses"), months.map { Double($0.suspected) }),
                                               (t("确认失岗", "closed as lost"), months.map { Double($0.lost) })])
            var rows = [[t("月份", "month"), t("新安置", "started"), t("其中贫困户", "poor"), t("换岗", "job changes"), t("其中贫困户", "poor"),
                         t("疑似失岗", "suspected"), t("其中贫困户", "poor"), t("确认失岗", "lost"), t("其中贫困户", "poor"),
                         t("其他结束", "closed otherwise"), t("其中贫困户", "poor")]]
            for m in months {
                rows.append([m.month] + [m.started, m.startedPoor, m.jobChanges, m.jobChangesPoor, m.suspected, m.suspectedPoor,
                                         m.lost, m.lostPoor, m.closedOther, m.closedOtherPoor].map(String.init))
            }
            let last = months[months.count - 1]
            let finding = t("\(last.month): 新安置 \(last.started) 人 (贫困户 \(last.startedPoor)), 换岗 \(last.jobChanges), 疑似失岗 \(last.suspected) (贫困户 \(last.suspectedPoor)), 确认失岗 \(last.lost)",
                            "\(last.month): \(last.started) placements started (\(last.startedPoor) poor), \(last.jobChanges) job changes, \(last.suspected) suspected losses (\(last.suspectedPoor) poor), \(last.lost) closed as lost")
            section("months", t("按月: 安置、换岗与失岗", "By month: placements, job changes, losses"), finding: finding, chart: chart, table: rows)
        }
        let unreported = try registry.unreportedEmployers(limit: Report.whoLimit)
        if let month = unreported.month {
            let finding = unreported.total == 0
                ? t("所有有在岗人员的企业都已报送 \(month) 的社保", "Every employer with open placements reported \(month)")
                : t("\(unreported.total) 家有在岗人员的企业尚未报送 \(month) 的社保; 人数最多: \(unreported.top[0].name.isEmpty ? unreported.top[0].creditCode : unreported.top[0].name) (\(unreported.top[0].open) 人)",
                    "\(unreported.total) employers with open placements have not reported \(month); the largest: \(unreported.top[0].name.isEmpty ? unreported.top[0].creditCode : unreported.top[0].name) (\(unreported.top[0].open))")
            let rows = [[t("统一社会信用代码", "credit code"), t("企业名称", "employer"), t("在岗人数", "open placements")]]
                + unreported.top.map { [$0.creditCode, $0.name, String($0.open)] }
            let chart = unreported.top.isEmpty ? "" : SVGChart.bars(title: t("未报送社保的企业 (在岗人数)", "Employers not yet reported (open placements)"),
                                                                    labels: unreported.top.prefix(10).map { $0.name.isEmpty ? $0.creditCode : $0.name },
                                                                    series: [(t("在岗人数", "open placements"), unreported.top.prefix(10).map { Double($0.open) })])
            section("unreported", t("尚未报送社保的企业", "Employers not yet reported"), finding: finding, chart: chart, table: rows)
        }
    }

    mutating func planSections(_ dir: String) {
        guard let s = Report.table(dir + "/scenarios.csv") else { return }
        let rows = [s.header] + s.records.map(\.fields)
        let feasible = s.records.filter { $0.fields.count > 4 && !$0.fields[4].isEmpty }
        let base = feasible.first
        var finding = t("\(s.records.count) 个情景", "\(s.records.count) scenarios")
        if let base, let worst = feasible.min(by: { (Int($0.fields[1]) ?? 0) < (Int($1.fields[1]) ?? 0) }) {
            let share = (Double(worst.fields[3]) ?? 0) * 100
            finding += t(": 基线安置 \(base.fields[1]) 人; \(worst.fields[0]) 最少 (\(worst.fields[1]) 人, 其中贫困户 \(worst.fields[2]) 人, 占 \(String(format: "%.1f%%", share)))",
                         ": the baseline places \(base.fields[1]); \(worst.fields[0]) the fewest (\(worst.fields[1]), \(worst.fields[2]) poor households, \(String(format: "%.1f%%", share)))")
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
                 "header": s.table.first ?? [], "rows": s.table.dropFirst().map { ["cells": $0] },
                 "hasWho": s.who.count > 1, "whoTitle": s.whoTitle, "whoHeader": s.who.first ?? [],
                 "whoRows": s.who.dropFirst().map { ["cells": $0] }]
            },
        ]
        return page.render(context)
    }
}
