import Foundation
import Testing
import LaborModel
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
        let r = try CLI.run(["report", "--from", dir + "/m", "--from", dir + "/runs", "--from", dir + "/plan", "--out", out, "--as-of", "2026-01-15"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return (out, try String(contentsOfFile: out, encoding: .utf8))
    }

    @Test func oneSelfContainedPageWithEverySection() throws {
        let (_, html) = try report()
        for id in ["summary", "destinations", "unmet", "scores", "nightly", "scenarios", "townships", "tradeoff", "buses"] {
            #expect(html.contains("<section id=\"\(id)\">"), "\(id)")
        }
        // No script, no external resource of any kind (the SVG namespace is a name, not a fetch).
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("))
        #expect(html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").range(of: "http") == nil)
        // Findings are written from the data.
        #expect(html.contains("2000 名劳动力中安置 1999 名"))
        #expect(html.contains("个乡镇中最低"))
        #expect(html.contains("平均每车"))
        // No ID number appears: the report is aggregates.
        #expect(html.range(of: "451031[0-9]{11}[0-9X]", options: .regularExpression) == nil)
        let (_, en) = try report(["--lang", "en"])
        #expect(en.contains("workers placed") && en.contains("By destination"))
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
        #expect(dom.components(separatedBy: "<svg").count - 1 >= 8)
        #expect(dom.contains("<rect") && dom.contains("</title></rect>") && dom.contains("<circle"))
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
    }
}
