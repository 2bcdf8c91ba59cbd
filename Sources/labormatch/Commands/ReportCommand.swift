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

            With --db the registry adds placements by month (started, job changes, suspected losses, closed; poor \
            households apart) and the employers that have not reported the latest contribution month.

            People appear only in small "who" tables (at most 20 rows: registry number, masked ID number, masked name); \
            --unmask shows ID numbers, names and phones in full there — keep such a page as you would the registry.

            Examples:
              labormatch report --from out --out 报告.html
              labormatch report --from out --from plan --db labormatch.sqlite --out 报告.html
            """
        )

        @Option(name: .customLong("from"), help: ArgumentHelp("A folder the product wrote (repeatable).", valueName: "dir"))
        var from: [String] = []

        @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file"))
        var out: String

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The date shown, YYYY-MM-DD (default: today).", valueName: "date"))
        var asOf: AsOfDate?

        @Option(help: ArgumentHelp("A registry to add monthly outcomes and unreported employers from (SQLite file).", valueName: "path"))
        var db: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !from.isEmpty || db != nil else { throw ValidationError("Give at least one --from DIR (a match, nightly or plan folder) or --db FILE.") }
        }

        func run() throws {
            try runMapped {
                var report = Report(english: global.english, unmask: global.unmask)
                for dir in from {
                    do { try report.add(folder: dir) } catch let e as Report.Problem {
                        Console.err("labormatch: error: \(e)")
                        throw Exit.noInput
                    }
                }
                if let db {
                    let options = RegistryOptions.at(db)
                    try options.checkFile()
                    try report.add(registry: try options.open(create: false), path: db)
                }
                let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
                try OutputFolder.prepare(parent)
                let templatePath = global.dataDirectory() + "/report/report.mustache"
                guard let template = FileManager.default.contents(atPath: templatePath) else {
                    Console.err("labormatch: error: \(templatePath): the report template is missing (缺少报告模板); check --data-dir")
                    throw Exit.noInput
                }
                let html = try report.html(asOf: (asOf?.date ?? CivilDate.today()).description, template: String(decoding: template, as: UTF8.self))
                for w in report.warnings { Console.err("labormatch: warning: \(w)") }
                // With --unmask the page holds personal data: owner-only, as every unmasked file.
                try AtomicFile.write(Data(html.utf8), to: out, ownerOnly: global.unmask)
                Console.out("wrote \(out)")
            }
        }
    }
}
