import Foundation
import GRDB
import LaborModel

/// A worker's status comes from evidence, not from whoever wrote last: every statement about it is kept with its
/// source and the date it speaks for (a contribution month on its last day, a workers file on its as-of date, a
/// call on its date, a placement on its start). The current status is the newest evidence; on the same date a
/// call beats contributions, which beat files.
public enum EvidenceSource: String, Sendable, CaseIterable {
    case call, contribution, file

    /// Tie order on the same date: higher wins.
    var weight: Int {
        switch self {
        case .call: return 3
        case .contribution: return 2
        case .file: return 1
        }
    }

    public var chinese: String {
        switch self {
        case .call: return "电话回访"
        case .contribution: return "社保缴费"
        case .file: return "导入文件"
        }
    }
}

extension Registry {
    public struct Evidence: Codable, Sendable, Equatable {
        public var status: String
        public var source: String
        public var date: String
        public var detail: String
    }

    /// The SQL order of evidence, newest first: date, then source (call, contribution, file), then entry order.
    static let newestFirst = """
        ORDER BY evidence_date DESC, CASE source WHEN 'call' THEN 3 WHEN 'contribution' THEN 2 ELSE 1 END DESC, id DESC
        """

    /// Records a statement about a worker's status and makes the newest evidence the current status (the change,
    /// if any, kept in history). Returns the status before and after.
    @discardableResult
    static func addEvidence(_ db: Database, _ id: String, _ status: EmploymentStatus, _ source: EvidenceSource, date: String,
                            detail: String = "", recorded: String) throws -> (before: String, after: String)? {
        guard let old = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM worker WHERE id_number = ?"), arguments: [id]) else { return nil }
        try cachedEvidenceInsert(db).execute(arguments: [id, status.rawValue, source.rawValue, date, detail, recorded])
        return (old, try refreshStatus(db, id))
    }

    static func cachedEvidenceInsert(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: """
            INSERT INTO evidence (id_number, status, source, evidence_date, detail, recorded) VALUES (?, ?, ?, ?, ?, ?)
            """)
    }

    /// Sets worker.status from the newest evidence; returns it.
    @discardableResult
    static func refreshStatus(_ db: Database, _ id: String) throws -> String {
        guard let newest = try Row.fetchOne(db.cachedStatement(sql: "SELECT status, source, evidence_date FROM evidence WHERE id_number = ? "
                                                                   + newestFirst + " LIMIT 1"), arguments: [id]),
              let old = try Row.fetchOne(db.cachedStatement(sql: "SELECT status FROM worker WHERE id_number = ?"), arguments: [id]) else { return "" }
        let status: String = newest["status"], before: String = old["status"]
        try db.cachedStatement(sql: "UPDATE worker SET status = ?, status_source = ?, status_date = ? WHERE id_number = ?")
            .execute(arguments: [status, newest["source"] as String, newest["evidence_date"] as String, id])
        if before != status {
            try record(db, "worker", id, "status", before, status, newest["source"] as String, newest["evidence_date"] as String)
        }
        return status
    }

    /// A worker's evidence, newest first.
    static func evidence(_ db: Database, _ id: String) throws -> [Evidence] {
        try Row.fetchAll(db, sql: "SELECT * FROM evidence WHERE id_number = ? " + newestFirst, arguments: [id]).map {
            Evidence(status: $0["status"], source: $0["source"], date: $0["evidence_date"], detail: $0["detail"])
        }
    }
}

/// One person, one number: a short number (人员编号) given when a worker enters the registry and never reused,
/// shown beside the masked ID number, since masked IDs collide (every Longlin ID starts with 451031).
extension Registry {
    static func assignNumber(_ db: Database, _ id: String) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO person_number (id_number) VALUES (?)").execute(arguments: [id])
    }

    /// `LL-004217`.
    public static func personNumber(_ n: Int) -> String { "LL-" + String(repeating: "0", count: max(0, 6 - String(n).count)) + String(n) }

    /// Parses `LL-004217`, `ll4217` or `4217`.
    public static func parsePersonNumber(_ s: String) -> Int? {
        var t = s.uppercased().replacingOccurrences(of: "-", with: "")
        if t.hasPrefix("LL") { t.removeFirst(2) } else if t.count > 7 { return nil }
        guard !t.isEmpty, t.count <= 9, t.allSatisfy(\.isNumber), let n = Int(t), n > 0 else { return nil }
        return n
    }

    /// Person numbers by ID number (for files and the console).
    static func personNumbers(_ db: Database) throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT id_number, number FROM person_number") { out[r["id_number"]] = personNumber(r["number"]) }
        return out
    }
}
