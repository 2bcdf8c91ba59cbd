import Foundation
import Testing
import LaborModel
import LaborReport
import GRDB
import TestSupport

/// The analytics report, built from real match, nightly and plan folders and opened in a real browser.
@Suite(.serialized) struct ReportCommandTests {
    static let folders: String = {
        let dir = CLI.tempDir()
        let sample = CLI.sample
        _ = try? CLI.run(["match", "--workers", sample + "/workers.csv", "--posts", sample + "/posts.csv", "--out", dir + "/m", "--as-of", "2026-01-15"])
        _ = try? CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs"], cwd: dir)
        _ = try? CLI.run(["plan", "--scenarios", CLI.root + "/Data/plan-example.toml", "--workers", sample + "/workers.csv", "--posts",
                          sample + "/posts.csv", "--as-of", "2026-01-15", "--out", dir + "/plan"])
        return dir
    }()

    func report(_ extra: [String] = []) throws -> (String, String) {
        let dir = Self.folders
        let out = dir + "/r-\(UUID().uuidString).html"
        let r = try CLI.run(["report", "--from", dir + "/m", "--from", dir + "/runs", "--from", dir + "/plan", "--db", dir + "/labormatch.sqlite",
                             "--out", out, "--as-of", "2026-01-15"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return (out, try String(contentsOfFile: out, encoding: .utf8))
    }

    @Test func oneSelfContainedPageWithEverySection() throws {
        let (_, html) = try report()
        for id in ["summary", "townships", "occupations", "destinations", "unmet", "scores", "summary-2", "nightly", "townships-2",
                   "scenarios", "townships-3", "tradeoff", "buses", "months", "unreported"] {
            #expect(html.contains("<section id=\"\(id)\">"), "\(id)")
        }
        // No script, no external resource of any kind (the SVG namespace is a name, not a fetch).
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("))
        #expect(html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").range(of: "http") == nil)
        // Findings are written from the data.
        #expect(html.contains("2000 名劳动力中安置 1999 名"))
        #expect(html.contains("个乡镇中最低"))
        #expect(html.contains("平均每车"))
        #expect(html.contains("第一意向") && html.contains("尚未报送"))
        // No full ID number or phone appears; people only in who tables of at most 20, names masked.
        #expect(html.range(of: "451031[0-9]{11}[0-9X]", options: .regularExpression) == nil)
        #expect(html.range(of: "1[3-9][0-9]{9}", options: .regularExpression) == nil)
        let whoTables = html.components(separatedBy: "<table class=\"who\">").dropFirst()
        #expect(whoTables.count >= 2)
        for table in whoTables {
            let body = table.components(separatedBy: "</table>")[0]
            let rows = body.components(separatedBy: "<tr>").count - 2   // minus the text before and the header row
            #expect(rows >= 1 && rows <= 20, "\(rows) rows")
            #expect(body.contains("451031********"))
        }
        // The backlog's who table leads with registry numbers and masks names: 谭军德 → 谭**.
        #expect(html.range(of: "<td>LL-[0-9]{6}</td><td>451031\\*{8}[0-9]{3}[0-9X]</td><td>\\p{Han}\\*+</td>", options: .regularExpression) != nil)
        let (_, en) = try report(["--lang", "en"])
        #expect(en.contains("workers placed") && en.contains("By destination") && en.contains("Supply and demand by occupation"))
    }

    /// `--unmask` shows the who tables' people in full (and only there: the aggregates are the same).
    @Test func unmaskShowsPeopleInFullInTheWhoTables() throws {
        let (path, html) = try report(["--unmask"])
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? 0
        #expect(mode & 0o077 == 0, "an unmasked page is owner-only, not \(String(mode, radix: 8))")
        #expect(html.range(of: "<td>451031[0-9]{11}[0-9X]</td>", options: .regularExpression) != nil)
        #expect(html.range(of: "<td>1[3-9][0-9]{9}</td>", options: .regularExpression) != nil)
    }

    /// Folders written with --format xlsx: a plan is refused with the way out, a match run's xlsx files are named.
    @Test func xlsxFoldersAreSaidNotSkipped() throws {
        let dir = CLI.tempDir()
        let sample = CLI.sample
        #expect(try CLI.run(["match", "--workers", sample + "/workers.csv", "--posts", sample + "/posts.csv", "--out", dir + "/mx",
                             "--as-of", "2026-01-15", "--format", "xlsx"]).status == 0)
        let r = try CLI.run(["report", "--from", dir + "/mx", "--out", dir + "/r.html"])
        #expect(r.status == 0 && r.stderr.contains("assignments.xlsx") && r.stderr.contains("--format csv"), "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        #expect(html.contains("<section id=\"summary\">") && html.contains("<section id=\"townships\">"))
        #expect(try CLI.run(["plan", "--scenarios", CLI.root + "/Data/plan-example.toml", "--workers", sample + "/workers.csv", "--posts",
                             sample + "/posts.csv", "--as-of", "2026-01-15", "--out", dir + "/px", "--format", "xlsx"]).status == 0)
        let p = try CLI.run(["report", "--from", dir + "/px", "--out", dir + "/r2.html"])
        #expect(p.status == 66 && p.stderr.contains("--format xlsx") && p.stderr.contains("--format csv"), "\(p.stderr)")
    }

    /// The chart module: stacked bars add up, a histogram counts every value once, and the palette stays apart in grey.
    @Test func chartsAreWhatTheySay() {
        let stacked = SVGChart.stacked(title: "t", labels: ["a", "b"], parts: [("x", [3, 1]), ("y", [1, 0])])
        #expect(stacked.components(separatedBy: "</title></rect>").count - 1 == 3)   // a zero part draws nothing
        #expect(stacked.contains(">4</text>") && stacked.contains(">1</text>"))
        let values: [Double] = [5, 5.2, 5.6, 6.1, 6.9, 7.0]
        let h = SVGChart.histogram(title: "h", values: values, binWidth: 0.5, xLabel: "x", yLabel: "y")
        let counts = h.matches(of: /: ([0-9]+)<\/title><\/rect>/).map { Int($0.1)! }
        #expect(counts.reduce(0, +) == values.count && counts == [2, 1, 1, 1, 1])
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16)!
            return 0.2126 * Double(v >> 16) + 0.7152 * Double((v >> 8) & 0xFF) + 0.0722 * Double(v & 0xFF)
        }
        let l = SVGChart.palette.prefix(4).map(luminance)
        for i in l.indices { for j in l.indices where i < j { #expect(abs(l[i] - l[j]) >= 40, "\(i) \(j)") } }
    }

    /// Chromium (headless) renders it: the DOM holds the findings, and it makes a screenshot and a PDF.
    @Test func aRealBrowserRendersAndPrintsIt() throws {
        let (out, _) = try report()
        let dir = URL(fileURLWithPath: out).deletingLastPathComponent().path
        func chromium(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] + args + ["file://" + out]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let (status, dom) = try chromium(["--dump-dom"])
        #expect(status == 0, "chromium did not run (install it with .ci/install-deps)")
        #expect(dom.contains("2000 名劳动力中安置 1999 名") && dom.contains("<svg"))
        // Every chart has its title and marks, each mark its own title.
        let charts = dom.components(separatedBy: "<svg").dropFirst()
        #expect(charts.count >= 14)
        for chart in charts {
            #expect(chart.hasPrefix(" xmlns") && chart.contains("<title>") && (chart.contains("<rect") || chart.contains("<circle")))
            #expect(chart.contains("</title></rect>") || chart.contains("</title></circle>"))
        }
        // The header's numbers, as the browser has them, are summary.json's.
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.folders + "/m/summary.json"))) as! [String: Any]
        let header = dom.components(separatedBy: "<section id=\"summary\">")[1].components(separatedBy: "</section>")[0]
        for (key, label) in [("workers", "劳动力"), ("posts", "岗位"), ("openings", "招聘人数"), ("placed", "安置人数"),
                             ("placed_poor", "贫困户安置"), ("objective", "目标值"), ("greedy_objective", "贪心目标值")] {
            #expect(header.contains("<td>\(label)</td><td>\((summary[key] as! NSNumber).int64Value)</td>"), "\(key)")
        }
        #expect(header.contains("<td>截至日期</td><td>\(summary["as_of"] as! String)</td>"))
        #expect(header.contains(String(format: "<td>贫困户比例</td><td>%.1f%%</td>", (summary["poor_share"] as! Double) * 100)))
        let nightly = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.folders + "/runs/latest/summary.json"))) as! [String: Any]
        let counts = nightly["counts"] as! [String: Any]
        let second = dom.components(separatedBy: "<section id=\"summary-2\">")[1].components(separatedBy: "</section>")[0]
        #expect(second.contains("<td>待安置人数</td><td>\(counts["pool"]!)</td>") && second.contains("<td>推荐数</td><td>\(counts["proposals"]!)</td>"))
        // Chinese renders with a CJK font: the CSS names Noto Sans CJK first, and fontconfig has it.
        #expect(dom.contains("font-family:\"Noto Sans CJK SC\""))
        let fc = Process()
        fc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        fc.arguments = ["fc-match", "-f", "%{family}", "Noto Sans CJK SC:lang=zh-cn"]
        let fcOut = Pipe()
        fc.standardOutput = fcOut
        try fc.run()
        let family = String(decoding: fcOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        fc.waitUntilExit()
        #expect(family.contains("Noto Sans CJK"), "no CJK font (fonts-noto-cjk): \(family)")
        _ = try chromium(["--screenshot=" + dir + "/shot.png", "--window-size=1100,2400"])
        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/shot.png"))
        #expect(png.count > 20_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        _ = try chromium(["--print-to-pdf=" + dir + "/r.pdf", "--no-pdf-header-footer"])
        let pdf = try Data(contentsOf: URL(fileURLWithPath: dir + "/r.pdf"))
        #expect(pdf.count > 20_000 && pdf.prefix(4) == Data("%PDF".utf8))
    }

    /// Text from the folders is escaped by the template (and in the SVG): a scenario named like markup stays text.
    @Test func textIsEscaped() throws {
        let dir = CLI.tempDir()
        try FileManager.default.copyItem(atPath: Self.folders + "/plan", toPath: dir + "/p")
        let path = dir + "/p/scenarios.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\n基线,", with: "\n<i>基线</i>,")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let r = try CLI.run(["report", "--from", dir + "/p", "--out", dir + "/r.html"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        #expect(html.contains("&lt;i&gt;基线&lt;/i&gt;") && !html.contains("<i>基线"))
    }

    @Test func aFolderWithNothingToReportExits66() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["report", "--from", dir, "--out", dir + "/r.html"])
        #expect(r.status == 66 && r.stderr.contains("holds no summary.json or scenarios.csv"))
        let none = try CLI.run(["report", "--from", dir + "/nope", "--out", dir + "/r.html"])
        #expect(none.status == 66 && none.stderr.contains("not a folder"))
        #expect(try CLI.run(["report", "--out", dir + "/r.html"]).status == 64)
        let noDB = try CLI.run(["report", "--db", dir + "/none.sqlite", "--out", dir + "/r.html"])
        #expect(noDB.status == 66 && noDB.stderr.contains("none.sqlite") && noDB.stderr.split(separator: "\n").count == 1)
        try "not a registry".write(toFile: dir + "/text.sqlite", atomically: false, encoding: .utf8)
        let notDB = try CLI.run(["report", "--db", dir + "/text.sqlite", "--out", dir + "/r.html"])
        #expect(notDB.status == 66 && notDB.stderr.contains("text.sqlite") && !notDB.stderr.contains("SQLite error"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/r.html"))
    }

    /// The registry's monthly table counts what a plain query over the placements counts.
    @Test func monthlyOutcomesMatchTheRegistry() throws {
        let (_, html) = try report()
        let db = try DatabaseQueue(path: Self.folders + "/labormatch.sqlite")
        let (month, started, poor) = try db.read { db -> (String, Int, Int) in
            let m = try String.fetchOne(db, sql: "SELECT MAX(substr(start_date, 1, 7)) FROM placement")!
            let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM placement WHERE start_date LIKE ? || '%'", arguments: [m])!
            let p = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM placement JOIN worker USING (id_number) WHERE poor = 1 AND start_date LIKE ? || '%'", arguments: [m])!
            return (m, n, p)
        }
        let months = html.components(separatedBy: "<section id=\"months\">")[1].components(separatedBy: "</section>")[0]
        #expect(months.contains("<tr><td>\(month)</td><td>\(started)</td><td>\(poor)</td>"), "\(month) \(started) \(poor)")
    }
}
