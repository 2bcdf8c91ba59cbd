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

        init(_ db: Database) throws {
            workers = try Registry.workerTable(db)
            posts = try Registry.postTable(db)
        }

        func validate(taxonomy: Taxonomy, asOf: CivilDate) throws -> Snapshot {
            let w = try WorkerIntake.validate(table: workers, file: Registry.workerTableName, taxonomy: taxonomy, asOf: asOf)
            let p = try PostIntake.validate(table: posts, file: Registry.postTableName, taxonomy: taxonomy)
            return Snapshot(workers: w.accepted, posts: p.accepted, problems: w.rejectionMessages() + p.rejectionMessages())
        }
    }

    static let workerTableName = "registry worker table", postTableName = "registry post table"

    /// The worker rows matching `filter` (an SQL condition on `worker`, e.g. "id_number = ?"), through intake.
    static func workers(_ db: Database, taxonomy: Taxonomy, asOf: CivilDate, filter: String = "1",
                        arguments: StatementArguments = []) throws -> IntakeResult<Worker> {
        try WorkerIntake.validate(table: try workerTable(db, filter: filter, arguments: arguments), file: workerTableName,
                                  taxonomy: taxonomy, asOf: asOf)
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
