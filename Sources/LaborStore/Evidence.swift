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

    /// The weight of a worker's stored `status_source`, which a registry from before evidence was kept may still
    /// hold under its old names ('contact' for a call, 'reconciliation' for contributions; the v4 migration maps
    /// them the same way).
    static func weight(stored: String) -> Int {
        switch stored {
        case "call", "contact": return 3
        case "contribution", "reconciliation": return 2
        default: return 1
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

    /// One statement about a worker's status (`addEvidence`).
    struct EvidenceRow {
        var id: String
        var status: EmploymentStatus
        var source: EvidenceSource
        var date: String
        var detail: String
    }

    /// Records a statement about a worker's status and makes the newest evidence the current status (the change,
    /// if any, kept in history). Returns the status before and after; nil for a worker not in the registry.
    @discardableResult
    static func addEvidence(_ db: Database, _ id: String, _ status: EmploymentStatus, _ source: EvidenceSource, date: String,
                            detail: String = "", recorded: String) throws -> (before: String, after: String)? {
        try addEvidence(db, [EvidenceRow(id: id, status: status, source: source, date: date, detail: detail)], recorded: recorded)[id]
    }

    /// Records statements about workers' statuses (imports, the nightly's reconciliation, a call) and makes each
    /// touched worker's newest evidence their current status, set-based. A worker's stored status is always their
    /// newest evidence (this is the only place that changes it after a worker enters the registry, where their
    /// first evidence and status are written together), and a new statement has a larger id than every stored
    /// one, so the newest evidence after the batch is the newest of the stored status and the batch's statements,
    /// folded in order here: no query over a worker's evidence is needed. The statements go in through batched
    /// inserts, only the statuses that change are written, and a change is kept in history: one row per worker
    /// and batch, from the status before the batch to the one after (a night that confirms a month and finds a
    /// loss in a later one records the net change; every statement stays in `evidence`, which `show worker`
    /// lists). Statements about workers not in the registry are dropped. Returns each touched worker's status
    /// before and after.
    @discardableResult
    static func addEvidence(_ db: Database, _ rows: [EvidenceRow], recorded: String) throws -> [String: (before: String, after: String)] {
        guard !rows.isEmpty else { return [:] }
        var ids: [String] = []
        var seen = Set<String>()
        for r in rows where seen.insert(r.id).inserted { ids.append(r.id) }
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS touched (id_number TEXT PRIMARY KEY); DELETE FROM temp.touched")
        try BulkRows.execute(db, "INSERT INTO temp.touched (id_number) VALUES {rows}", rows: ids.map { [$0.databaseValue] })
        // Each touched worker's newest evidence so far: their stored status.
        var newest: [String: (status: String, weight: Int, date: String, source: String)] = [:]
        let stored = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT w.id_number, w.status, w.status_source, w.status_date FROM worker w JOIN temp.touched t ON t.id_number = w.id_number
            """))
        while let r = try stored.next() {
            let source: String = r[2]
            newest[r[0]] = (r[1], EvidenceSource.weight(stored: source), r[3], source)
        }
        var before = newest
        var kept: [[DatabaseValue]] = []
        kept.reserveCapacity(rows.count)
        for r in rows {
            guard let n = newest[r.id] else { continue }
            kept.append([r.id.databaseValue, r.status.rawValue.databaseValue, r.source.rawValue.databaseValue, r.date.databaseValue,
                         r.detail.databaseValue, recorded.databaseValue])
            // Newer date, or the same date and a source at least as strong: the later statement wins (larger id).
            if (r.date, r.source.weight) >= (n.date, n.weight) {
                newest[r.id] = (r.status.rawValue, r.source.weight, r.date, r.source.rawValue)
            }
        }
        try BulkRows.execute(db, "INSERT INTO evidence (id_number, status, source, evidence_date, detail, recorded) VALUES {rows}", rows: kept)
        var updates: [[DatabaseValue]] = [], changes: [[DatabaseValue]] = []
        var out: [String: (before: String, after: String)] = [:]
        for id in ids {
            guard let n = newest[id], let b = before.removeValue(forKey: id) else { continue }
            out[id] = (b.status, n.status)
            // Source and date move with every newer statement, the status only sometimes.
            if (n.status, n.source, n.date) != (b.status, b.source, b.date) {
                updates.append([id, n.status, n.source, n.date].map(\.databaseValue))
            }
            if b.status != n.status { changes.append([n.date, "worker", id, "status", b.status, n.status, n.source].map(\.databaseValue)) }
        }
        try BulkRows.execute(db, """
            UPDATE worker SET status = v.column2, status_source = v.column3, status_date = v.column4
            FROM (VALUES {rows}) v WHERE worker.id_number = v.column1
            """, rows: updates)
        try recordAll(db, changes)
        return out
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
    /// `LL-004217`.
    public static func personNumber(_ n: Int) -> String {
        let digits = String(n)
        return digits.utf8.count >= 6 ? "LL-" + digits : "LL-" + String(repeating: "0", count: 6 - digits.utf8.count) + digits
    }

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
        // Columns by position (a lookup by name per cell costs more than the row).
        let rows = try Row.fetchCursor(db, sql: "SELECT id_number, number FROM person_number")
        while let r = try rows.next() { out[r[0]] = personNumber(r[1]) }
        return out
    }
}
