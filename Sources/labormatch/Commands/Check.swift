import ArgumentParser
import Foundation
import LaborModel

extension LaborMatch {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a workers or posts CSV file and write its rejected rows (校验).",
            discussion: """
            Prints 'read N, accepted A, rejected R'. Rejected rows go to FILE.rejects.csv (line number, the fields \
            as read, every reason). Exit 0 when nothing is rejected, 65 when any row is, 66 when the file cannot be read.
            """
        )

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case workers, posts
        }

        @Argument(help: "What the file holds: workers or posts.")
        var kind: Kind

        @Argument(help: ArgumentHelp("The CSV file (UTF-8 with or without BOM, or GB18030/GBK).", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("Where to write the rejected rows (default: FILE.rejects.csv).", valueName: "path"))
        var rejects: String?

        @Option(help: "Text encoding of the file.")
        var encoding: TextEncoding = .auto

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Date for the birth-date check, YYYY-MM-DD.", valueName: "date"))
        var asOf: AsOfDate?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try runMapped {
                let taxonomy = try global.taxonomy()
                let date = asOf?.date ?? CivilDate.today()
                switch kind {
                case .workers:
                    try report(WorkerIntake.read(path: file, taxonomy: taxonomy, asOf: date, encoding: encoding))
                case .posts:
                    try report(PostIntake.read(path: file, taxonomy: taxonomy, encoding: encoding))
                }
            }
        }

        func report<R>(_ result: IntakeResult<R>) throws {
            try IntakeReporting.report(result, rejectsPath: rejects ?? file + ".rejects.csv", global: global)
            Console.out(result.countsLine)
            if !result.rejections.isEmpty { throw Exit.dataError }
        }
    }
}

/// How every command that reads input reports what it rejected: masked messages on stderr (at most 50,
/// then a count), the full rows in a rejects file.
enum IntakeReporting {
    static let shownRejections = 50

    static func report<R>(_ result: IntakeResult<R>, rejectsPath: String, global: GlobalOptions) throws {
        for w in result.warnings { Console.err("labormatch: warning: \(w)") }
        let messages = result.rejectionMessages(unmask: global.unmask)
        for m in messages.prefix(shownRejections) { Console.err(m) }
        if messages.count > shownRejections {
            Console.err("... and \(messages.count - shownRejections) more rejected rows (另有 \(messages.count - shownRejections) 行被拒绝), see \(rejectsPath)")
        }
        if result.rejections.isEmpty {
            if FileManager.default.fileExists(atPath: rejectsPath) { try? FileManager.default.removeItem(atPath: rejectsPath) }
        } else {
            try result.rejectsCSV(english: global.english).write(to: rejectsPath, ownerOnly: true)
            Console.err("\(result.file): \(result.rejections.count) rejected rows written to \(rejectsPath)")
        }
    }
}
