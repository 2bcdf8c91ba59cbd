import ArgumentParser
import Foundation
import LaborModel
import LaborStore

extension LaborMatch {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CSV file into the registry (导入登记册): workers, posts, placements, contributions or exclusions.",
            discussion: """
            Rows are validated as by 'check'; valid rows are upserted (importing the same file twice changes nothing; \
            a changed row is updated and the change kept in history), rejected rows go to FILE.rejects.csv. \
            placements: 身份证号 id_number, 岗位编号 post_id, 入职日期 start_date (a new placement closes the worker's open \
            one, "job change"). contributions: 身份证号 id_number, 统一社会信用代码 credit_code, 缴费月份 month (YYYY-MM). \
            exclusions: credit codes of employers under rights-violation follow-up, one per line. A worker's status from \
            the file replaces the stored one only when --as-of is newer than the stored status's date. \
            Exit 0 when nothing is rejected, 65 when any row is, 66 when the file cannot be read, 75 when the registry is busy.
            """
        )

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case workers, posts, placements, contributions, exclusions
        }

        @Argument(help: "What the file holds.")
        var kind: Kind

        @Argument(help: ArgumentHelp("The CSV file.", valueName: "file"))
        var file: String

        @OptionGroup var registry: RegistryOptions

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The date the file describes, YYYY-MM-DD (default: today in Asia/Shanghai).", valueName: "date"))
        var asOf: AsOfDate?

        @Option(help: ArgumentHelp("Where to write the rejected rows (default: FILE.rejects.csv).", valueName: "path"))
        var rejects: String?

        @Option(help: "Text encoding of the file.")
        var encoding: TextEncoding = .auto

        @Flag(name: .customLong("clear-empty"), help: "An empty cell clears the stored value (by default an empty cell, like a missing column, leaves it alone).")
        var clearEmpty = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let asOf, asOf.date > CivilDate.today() {
                throw ValidationError("--as-of \(asOf.date) is in the future (日期在未来); give the day the file was exported.")
            }
        }

        func run() throws {
            try runMapped {
                let lock = try registry.lock()
                defer { withExtendedLifetime(lock) {} }
                let date = asOf?.date ?? CivilDate.today()
                let taxonomy = try global.taxonomy()
                let rejectsPath = rejects ?? file + ".rejects.csv"
                var rejected = 0
                func report<R>(_ r: IntakeResult<R>) throws {
                    try IntakeReporting.report(r, rejectsPath: rejectsPath, global: global)
                    Console.out(r.countsLine)
                    rejected = r.rejections.count
                }
                func log<R>(_ r: IntakeResult<R>) -> ImportLog {
                    ImportLog(kind: kind.rawValue, file: file, asOf: date, read: r.read, rejected: r.rejections.count)
                }
                var counts = ImportCounts()
                // Each import is one transaction: the rows and the import's log entry.
                switch kind {
                case .workers:
                    let r = try WorkerIntake.read(path: file, taxonomy: taxonomy, asOf: date, encoding: encoding)
                    counts = try registry.open(create: true).importWorkers(r.accepted, taxonomy: taxonomy, date: date, log: log(r),
                                                                           columns: r.columns, clearEmpty: clearEmpty)
                    try report(r)
                case .posts:
                    let r = try PostIntake.read(path: file, taxonomy: taxonomy, encoding: encoding)
                    counts = try registry.open(create: true).importPosts(r.accepted, taxonomy: taxonomy, date: date, log: log(r),
                                                                         columns: r.columns, clearEmpty: clearEmpty)
                    try report(r)
                case .placements:
                    var r = try HistoryIntake.placements(path: file, asOf: date, encoding: encoding, aliases: taxonomy.columnAliases["placements"] ?? [:])
                    counts = try registry.open(create: false).importPlacements(&r, date: date, log: log(r))
                    try report(r)
                case .contributions:
                    var r = try HistoryIntake.contributions(path: file, asOf: date, encoding: encoding, aliases: taxonomy.columnAliases["contributions"] ?? [:])
                    counts = try registry.open(create: false).importContributions(&r, log: log(r))
                    try report(r)
                case .exclusions:
                    let list = try ExclusionList.read(path: file, encoding: encoding)
                    let r = IntakeResult<String>(file: file, header: ["credit_code"], accepted: Array(list.codes), rejections: list.rejections,
                                                 warnings: [], encoding: .utf8)
                    counts = try registry.open(create: true).importExclusions(
                        list.codes, date: date,
                        log: ImportLog(kind: kind.rawValue, file: file, asOf: date, read: list.acceptedRows + list.rejections.count,
                                       rejected: list.rejections.count))
                    try IntakeReporting.report(r, rejectsPath: rejectsPath, global: global)
                    Console.out(list.countsLine)
                    rejected = list.rejections.count
                }
                Console.out("registry \(registry.db): \(counts)")
                if rejected > 0 { throw Exit.dataError }
            }
        }
    }
}
