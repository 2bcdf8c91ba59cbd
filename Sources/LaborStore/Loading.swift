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
        let wHeader = ["id_number", "name", "township", "village", "poor_household", "education", "skills", "certificates",
                       "intentions", "preferred_destinations", "expected_wage", "status", "phone"]
        var wRecords: [CSVRecord] = []
        var line = 1
        for r in try Row.fetchAll(db, sql: "SELECT * FROM worker ORDER BY id_number") {
            line += 1
            wRecords.append(CSVRecord(line: line, fields: [
                r["id_number"], r["name"], r["township"], r["village"], (r["poor"] as Int) == 1 ? "是" : "否",
                r["education"], r["skills"], r["certificates"], r["intentions"], r["destinations"],
                (r["expected_wage"] as Int?).map(String.init) ?? "", r["status"], r["phone"],
            ]))
        }
        let w = try WorkerIntake.validate(table: CSVTable(header: wHeader, records: wRecords, encoding: .utf8),
                                          file: "registry worker table", taxonomy: taxonomy, asOf: asOf)
        let pHeader = ["post_id", "employer", "credit_code", "title", "occupation", "location", "openings", "wage_min",
                       "wage_max", "education_min", "age_min", "age_max", "required_certificates", "board_lodging"]
        var pRecords: [CSVRecord] = []
        line = 1
        for r in try Row.fetchAll(db, sql: "SELECT * FROM post ORDER BY post_id") {
            line += 1
            pRecords.append(CSVRecord(line: line, fields: [
                r["post_id"], r["employer"], r["credit_code"], r["title"], r["occupation"], r["location"],
                String(r["openings"] as Int), String(r["wage_min"] as Int), String(r["wage_max"] as Int), r["education_min"],
                (r["age_min"] as Int?).map(String.init) ?? "", (r["age_max"] as Int?).map(String.init) ?? "",
                r["required_certificates"], (r["board_lodging"] as Int) == 1 ? "是" : "否",
            ]))
        }
        let p = try PostIntake.validate(table: CSVTable(header: pHeader, records: pRecords, encoding: .utf8),
                                        file: "registry post table", taxonomy: taxonomy)
        return Snapshot(workers: w.accepted, posts: p.accepted, problems: w.rejectionMessages() + p.rejectionMessages())
    }
}
