import Foundation
import GRDB
import LaborModel

/// Reads the registry's workers and posts back as validated `Worker` and `JobPost` values, through the same
/// intake code as the CSV files (so a taxonomy edit applies to stored rows too).
extension Registry {
    public struct Snapshot: Sendable {
        public var workers: [Worker]
        public var posts: [JobPost]
        /// Rows that no longer validate (e.g. the taxonomy lost an alias): reported, not matched.
        public var problems: [String]
    }

    public func snapshot(taxonomy: Taxonomy, asOf: CivilDate) throws -> Snapshot {
        try read { db in try Registry.snapshot(db, taxonomy: taxonomy, asOf: asOf) }
    }

    static func snapshot(_ db: Database, taxonomy: Taxonomy, asOf: CivilDate) throws -> Snapshot {
        try SnapshotRows(db).validate(taxonomy: taxonomy, asOf: asOf)
    }

    /// The registry's worker and post rows as read, before intake: reading needs the database, validating does
    /// not, so the nightly validates them on other threads while it reads and reconciles the placements.
    struct SnapshotRows: Sendable {
        let workers: CSVTable
        let posts: CSVTable

        /// - Parameter workerFilter: an SQL condition on `worker` choosing the worker rows read (all by default).
        init(_ db: Database, workerFilter: String = "1") throws {
            workers = try Registry.workerTable(db, filter: workerFilter)
            posts = try Registry.postTable(db)
        }

        private init(workers: CSVTable, posts: CSVTable) {
            self.workers = workers
            self.posts = posts
        }

        /// The same rows with only the posts `keep` accepts, and the other post rows (their lines as read).
        func keepingPosts(_ keep: (_ id: String, _ openings: Int?) -> Bool) -> (rows: SnapshotRows, others: [CSVRecord]) {
            let openings = posts.header.firstIndex(of: "openings")!
            var kept: [CSVRecord] = [], others: [CSVRecord] = []
            for r in posts.records {
                if keep(r.fields[0], Int(r.fields[openings])) { kept.append(r) } else { others.append(r) }
            }
            return (SnapshotRows(workers: workers, posts: CSVTable(header: posts.header, records: kept, encoding: posts.encoding)), others)
        }

        /// `records` of the post table (some of the `others` of `keepingPosts`), validated.
        func validatePosts(_ records: [CSVRecord], taxonomy: Taxonomy) throws -> IntakeResult<JobPost> {
            try PostIntake.validate(table: CSVTable(header: posts.header, records: records, encoding: posts.encoding),
                                    file: Registry.postTableName, taxonomy: taxonomy)
        }

        func validate(taxonomy: Taxonomy, asOf: CivilDate) throws -> Snapshot {
            let (w, p) = try validated(taxonomy: taxonomy, asOf: asOf)
            return Snapshot(workers: w.accepted, posts: p.accepted, problems: w.rejectionMessages() + p.rejectionMessages())
        }

        func validated(taxonomy: Taxonomy, asOf: CivilDate) throws -> (workers: IntakeResult<Worker>, posts: IntakeResult<JobPost>) {
            (try WorkerIntake.validate(table: workers, file: Registry.workerTableName, taxonomy: taxonomy, asOf: asOf),
             try PostIntake.validate(table: posts, file: Registry.postTableName, taxonomy: taxonomy))
        }
    }

    static let workerTableName = "registry worker table", postTableName = "registry post table"

    /// Rows of the registry (the night's workers) read and validated in parts, for a night that needs only some: a
    /// first part chosen by an SQL condition (validated on other threads while the night reconciles), then whoever
    /// else the night names by ID, and the rest only if asked for. Kept in ID order, as a full snapshot lists them;
    /// a row that no longer validates is reported (`problems`) when its part is read. On the 50k county the first
    /// night reads 20,000 of 50,000 workers first and about 1,000 more by ID: those holding a placement nobody
    /// doubts are neither matched nor called.
    struct RowsInParts<Record: Sendable> {
        /// The valid rows read so far, in ID order (SQLite's binary order of the ID column).
        private(set) var all: [Record]
        private var index: [String: Int] = [:]
        /// The rejected rows read so far (each part's `IntakeResult` with its rows taken out).
        private var rejected: [IntakeResult<Record>]
        /// Rows that no longer validate, in the order of their lines.
        var problems: [String] { Registry.problems(rejected) }
        /// The first part's condition; every later part reads only rows outside it.
        private let first: String
        private let column: String
        private let id: (Record) -> String
        /// Reads and validates the rows of an SQL condition with one argument.
        private let read: (Database, String, StatementArguments) throws -> IntakeResult<Record>
        /// IDs asked for after the first part (read, or found missing or invalid).
        private var asked = Set<String>()
        private(set) var complete = false

        /// - Parameters: first: the rows of the condition `filter` on the table whose ID column is `column`, validated.
        init(first: IntakeResult<Record>, filter: String, column: String, id: @escaping (Record) -> String,
             read: @escaping (Database, String, StatementArguments) throws -> IntakeResult<Record>) {
            all = first.accepted
            var none = first
            none.accepted = []
            rejected = [none]
            self.first = filter
            self.column = column
            self.id = id
            self.read = read
            reindex()
        }

        subscript(id: String) -> Record? { index[id].map { all[$0] } }

        /// Reads the rows among `ids` not read yet (one statement).
        mutating func include(_ ids: some Sequence<String>, _ db: Database) throws {
            guard !complete else { return }
            let missing = Set(ids).filter { index[$0] == nil && !asked.contains($0) }.sorted()
            guard !missing.isEmpty else { return }
            asked.formUnion(missing)
            try add(db, filter: "\(column) IN (SELECT value FROM json_each(?)) AND NOT (\(first))", missing)
        }

        /// Reads every row not read yet.
        mutating func includeAll(_ db: Database) throws {
            guard !complete else { return }
            try add(db, filter: "NOT (\(first)) AND \(column) NOT IN (SELECT value FROM json_each(?))", asked.sorted())
            complete = true
        }

        private mutating func add(_ db: Database, filter: String, _ ids: [String]) throws {
            var part = try read(db, filter, [String(decoding: try JSONOutput.encode(ids), as: UTF8.self)])
            let added = part.accepted
            part.accepted = []
            rejected.append(part)
            guard !added.isEmpty else { return }
            all += added
            all.sort { id($0).utf8.lexicographicallyPrecedes(id($1).utf8) }
            reindex()
        }

        private mutating func reindex() {
            index = Dictionary(uniqueKeysWithValues: all.enumerated().map { (id($1), $0) })
        }
    }

    /// The worker rows matching `filter` (an SQL condition on `worker`, e.g. "id_number = ?"), through intake.
    static func workers(_ db: Database, taxonomy: Taxonomy, asOf: CivilDate, filter: String = "1",
                        arguments: StatementArguments = []) throws -> IntakeResult<Worker> {
        var r = try WorkerIntake.validate(table: try workerTable(db, filter: filter, arguments: arguments), file: workerTableName,
                                          taxonomy: taxonomy, asOf: asOf)
        if filter != "1" { try renumber(db, workerRejections: &r.rejections) }
        return r
    }

    /// Gives rejected worker rows read through a filter the lines they have in the whole table (in ID order, the
    /// first row on line 2, as a full read numbers them), so that a problem names the same line however the row
    /// was read. One statement, only when something was rejected.
    static func renumber(_ db: Database, workerRejections rejections: inout [Rejection]) throws {
        guard !rejections.isEmpty else { return }
        let ids = rejections.map { $0.fields.first ?? "" }
        var line: [String: Int] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT id_number, n FROM (SELECT id_number, ROW_NUMBER() OVER (ORDER BY id_number) + 1 AS n FROM worker)
            WHERE id_number IN (SELECT value FROM json_each(?))
            """, arguments: [String(decoding: try JSONOutput.encode(ids), as: UTF8.self)]) {
            line[r[0]] = r[1]
        }
        for i in rejections.indices { rejections[i].line = line[rejections[i].fields.first ?? ""] ?? rejections[i].line }
    }

    /// Problem lines of rejected rows, in the order of their lines.
    static func problems<Record>(_ parts: [IntakeResult<Record>]) -> [String] {
        parts.flatMap { p in zip(p.rejections.map(\.line), p.rejectionMessages()) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The worker rows matching `filter` as the intake reads a workers file.
    static func workerTable(_ db: Database, filter: String = "1", arguments: StatementArguments = []) throws -> CSVTable {
        let wHeader = ["id_number", "name", "township", "village", "poor_household", "education", "skills", "certificates",
                       "intentions", "preferred_destinations", "expected_wage", "status", "phone"]
        var wRecords: [CSVRecord] = []
        var line = 1
        // Columns by position (a name lookup per cell costs more than the row itself on 50,000 rows).
        let workerRows = try Row.fetchCursor(db, sql: """
            SELECT id_number, name, township, village, poor, education, skills, certificates, intentions, destinations,
                   expected_wage, status, phone FROM worker WHERE \(filter) ORDER BY id_number
            """, arguments: arguments)
        while let r = try workerRows.next() {
            line += 1
            wRecords.append(CSVRecord(line: line, fields: [
                r[0], r[1], r[2], r[3], (r[4] as Int) == 1 ? "是" : "否", r[5], r[6], r[7], r[8], r[9],
                (r[10] as Int?).map(String.init) ?? "", r[11], r[12],
            ]))
        }
        return CSVTable(header: wHeader, records: wRecords, encoding: .utf8)
    }

    /// The post rows matching `filter` (an SQL condition on `post`), through intake.
    static func posts(_ db: Database, taxonomy: Taxonomy, filter: String = "1", arguments: StatementArguments = []) throws -> IntakeResult<JobPost> {
        try PostIntake.validate(table: try postTable(db, filter: filter, arguments: arguments), file: postTableName, taxonomy: taxonomy)
    }

    /// The post rows matching `filter` as the intake reads a posts file.
    static func postTable(_ db: Database, filter: String = "1", arguments: StatementArguments = []) throws -> CSVTable {
        let pHeader = ["post_id", "employer", "credit_code", "title", "occupation", "location", "openings", "wage_min",
                       "wage_max", "education_min", "age_min", "age_max", "required_certificates", "board_lodging"]
        var pRecords: [CSVRecord] = []
        var line = 1
        let postRows = try Row.fetchCursor(db, sql: """
            SELECT post_id, employer, credit_code, title, occupation, location, openings, wage_min, wage_max, education_min,
                   age_min, age_max, required_certificates, board_lodging FROM post WHERE \(filter) ORDER BY post_id
            """, arguments: arguments)
        while let r = try postRows.next() {
            line += 1
            pRecords.append(CSVRecord(line: line, fields: [
                r[0], r[1], r[2], r[3], r[4], r[5], String(r[6] as Int), String(r[7] as Int), String(r[8] as Int), r[9],
                (r[10] as Int?).map(String.init) ?? "", (r[11] as Int?).map(String.init) ?? "", r[12], (r[13] as Int) == 1 ? "是" : "否",
            ]))
        }
        return CSVTable(header: pHeader, records: pRecords, encoding: .utf8)
    }
}
