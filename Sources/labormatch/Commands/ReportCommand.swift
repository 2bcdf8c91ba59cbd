import ArgumentParser
import Foundation
import LaborModel
import LaborReport

extension LaborMatch {
    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "One self-contained HTML page (报告) of what a match, nightly or plan run found: charts, findings, tables.",
            discussion: """
            DIR is any folder the product writes: a match run, a nightly run, a nightly output folder (its latest run \
            is read) or a plan folder; give several with --from. The page has inline CSS and SVG charts, no script \
            and no external URL: it opens from a USB stick with no network, and prints.

            Example:
              labormatch report --from out --from plan --out 报告.html
            """
        )

        @Option(name: .customLong("from"), help: ArgumentHelp("A folder the product wrote (repeatable).", valueName: "dir"))
        var from: [String] = []

        @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file"))
        var out: String

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The date shown, YYYY-MM-DD (default: today).", valueName: "date"))
        var asOf: AsOfDate?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !from.isEmpty else { throw ValidationError("Give at least one --from DIR (a match, nightly or plan folder).") }
        }

        func run() throws {
            try runMapped {
                var report = Report(english: global.english)
                for dir in from {
                    do { try report.add(folder: dir) } catch let e as Report.Problem {
                        Console.err("labormatch: error: \(e)")
                        throw Exit.noInput
                    }
                }
                let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
                try OutputFolder.prepare(parent)
                let templatePath = global.dataDirectory() + "/report/report.mustache"
                guard let template = FileManager.default.contents(atPath: templatePath) else {
                    Console.err("labormatch: error: \(templatePath): the report template is missing (缺少报告模板); check --data-dir")
                    throw Exit.noInput
                }
                let html = try report.html(asOf: (asOf?.date ?? CivilDate.today()).description, template: String(decoding: template, as: UTF8.self))
                try AtomicFile.write(Data(html.utf8), to: out)
                Console.out("wrote \(out)")
            }
        }
    }
}
