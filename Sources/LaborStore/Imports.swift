import Foundation
import GRDB
import Synchronization
import LaborModel

/// What an import did: rows added, rows whose values changed (each change kept in `history`), rows already
/// as imported, and statuses left alone because a newer source had set them.
public struct ImportCounts: Sendable, Equatable, CustomStringConvertible {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var statusKept = 0
    public init() {}
    public var description: String {
        "inserted \(inserted), updated \(updated), unchanged \(unchanged)" + (statusKept > 0 ? ", status kept from a newer source \(statusKept)" : "")
    }
}

/// The canonical text of a worker's or post's fields as stored: taxonomy names, lists joined by 、. Reading
/// them back through the intake gives the same values.
enum Canonical {
    static func names(_ ids: [Int], _ name: (Int) -> String) -> String { ids.map(name).joined(separator: "、") }

    /// The stored text of each of `workerFields`, in that order.
    static func workerValues(_ w: Worker, _ t: Taxonomy) -> [String] {
        [
            w.name, t.townships[w.township].name, w.village,
            w.poorHousehold ? "1" : "0",
            w.education.map { t.education[$0].name } ?? "",
            names(w.skills) { t.occupations[$0].name },
            names(w.certificates) { t.certificates[$0].name },
            names(w.intentions) { t.occupations[$0].name },
            w.destinations.map { names($0) { t.destinations[$0].name } } ?? "",
            w.expectedWage.map(String.init) ?? "",
            w.phone ?? "",
        ]
    }

    /// The stored text of each of `postFields`, in that order.
    static func postValues(_ p: JobPost, _ t: Taxonomy) -> [String] {
        [
            p.creditCode, p.employer, p.title,
            t.occupations[p.occupation].name, t.destinations[p.location].name,
            String(p.openings), String(p.wageMin), String(p.wageMax),
            p.educationMin.map { t.education[$0].name } ?? "",
            p.ageMin.map(String.init) ?? "", p.ageMax.map(String.init) ?? "",
            names(p.requiredCertificates) { t.certificates[$0].name },
            p.boardLodging ? "1" : "0",
        ]
    }

    /// SQL values of `fields`' texts, in order (as `sql` gives them).
    static func sql(_ fields: [String], _ values: [String]) -> [DatabaseValue] {
        zip(fields, values).map { sql($0, $1) }
    }

    static let workerFields = ["name", "township", "village", "poor", "education", "skills", "certificates", "intentions",
                               "destinations", "expected_wage", "phone"]
    static let postFields = ["credit_code", "employer", "title", "occupation", "location", "openings", "wage_min", "wage_max",
                             "education_min", "age_min", "age_max", "required_certificates", "board_lodging"]
    /// The input column each stored worker field comes from.
    static let workerColumn = ["name": "name", "township": "township", "village": "village", "poor": "poor_household",
                               "education": "education", "skills": "skills", "certificates": "certificates",
                               "intentions": "intentions", "destinations": "preferred_destinations",
                               "expected_wage": "expected_wage", "phone": "phone"]

    /// Whether the file says something about `column`: it has the column, and the cell is not empty (or empty
    /// cells clear).
    static func given(_ column: String, _ columns: Set<String>?, _ blank: Set<String>, _ clearEmpty: Bool) -> Bool {
        if let columns, !columns.contains(column) { return false }
        return clearEmpty || !blank.contains(column)
    }

    static let integerFields: Set<String> = ["poor", "expected_wage", "openings", "wage_min", "wage_max", "age_min", "age_max", "board_lodging"]

    /// SQL value of a canonical field: integers as integers, empty optional integers as NULL.
    static func sql(_ field: String, _ v: String) -> DatabaseValue {
        if integerFields.contains(field) { return v.isEmpty ? .null : (Int64(v).map { $0.databaseValue } ?? .null) }
        return v.databaseValue
    }

    static func text(_ v: DatabaseValue) -> String {
        switch v.storage {
        case .null: return ""
        case .int64(let i): return String(i)
        case .string(let s): return s
        case .double(let d): return String(d)
        case .blob: return ""
        }
    }
}

extension Registry {
    /// Sets fields of rows by key, set-based: for each field (in name order), rows of [key, new value], each key
    /// at most once per field. Table, key and field names come from the code, never from a file.
    static func update(_ db: Database, table: String, key: String, _ fields: [String: [[DatabaseValue]]]) throws {
        for (field, rows) in fields.sorted(by: { $0.key < $1.key }) {
            try BulkRows.execute(db, "UPDATE \(table) SET \(field) = v.column2 FROM (VALUES {rows}) v WHERE \(table).\(key) = v.column1", rows: rows)
        }
    }

    /// `record` for many changes, set-based: each row is [at, entity, key, field, old, new, source], in order.
    static func recordAll(_ db: Database, _ changes: [[DatabaseValue]]) throws {
        try BulkRows.execute(db, "INSERT INTO history (at, entity, key, field, old_value, new_value, source) VALUES {rows}", rows: changes)
    }

    /// Upserts validated workers. A changed field is updated and the change kept in `history`.
    ///
    /// Status: staff files often carry a status nobody has touched for months. A status that is the same as in the
    /// previous workers file is old news and adds nothing. A status that staff changed is evidence dated on the
    /// file's as-of date (`Evidence.swift`): it becomes the status unless newer evidence (contributions, a call)
    /// says otherwise, which is counted as kept.
    ///
    /// Nothing is erased by omission: a column the file does not have (`columns`, nil = all) leaves the stored
    /// values alone, and so does an empty cell unless `clearEmpty`.
    public func importWorkers(_ workers: [Worker], taxonomy t: Taxonomy, date: CivilDate, log: ImportLog? = nil,
                              columns: Set<String>? = nil, clearEmpty: Bool = false) throws -> ImportCounts {
        try write { db in
            var counts = ImportCounts()
            var existing: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM worker") { existing[row["id_number"]] = row }
            let day = date.description
            var evidence: [Registry.EvidenceRow] = []
            var statusRows: [(id: String, status: String, changed: Bool)] = []
            // New workers go in set-based after the loop, in file order (their person numbers follow it); so do the
            // changed fields (one batch per field) and their history, in file order.
            var added: [[DatabaseValue]] = [], history: [[DatabaseValue]] = [], importedStatus: [[DatabaseValue]] = []
            var fieldUpdates: [String: [[DatabaseValue]]] = [:]
            for w in workers {
                let values = Canonical.workerValues(w, t)
                let id = w.workerID
                guard let old = existing[id] else {
                    // workerFields' values but the phone, then the status: a new worker's status is the file's,
                    // from its only evidence, dated on the file's as-of date.
                    let v = Canonical.sql(Canonical.workerFields, values)
                    var row: [DatabaseValue] = [id.databaseValue] + v.dropLast()
                    row += [w.status.rawValue.databaseValue, "file".databaseValue, day.databaseValue, v.last!, day.databaseValue,
                            w.status.rawValue.databaseValue]
                    added.append(row)
                    counts.inserted += 1
                    continue
                }
                let c = Dictionary(uniqueKeysWithValues: zip(Canonical.workerFields, values))
                var changed = false
                for f in Canonical.workerFields where Canonical.given(Canonical.workerColumn[f]!, columns, w.blank, clearEmpty) {
                    let before = Canonical.text(old[f] as DatabaseValue)
                    let after = c[f]!
                    if before != after {
                        fieldUpdates[f, default: []].append([id.databaseValue, Canonical.sql(f, after)])
                        history.append([day, "worker", id, f, before, after, "import"].map(\.databaseValue))
                        changed = true
                    }
                }
                // A status staff changed since the last file is evidence dated on the file's as-of date; one that
                // only repeats the last file is old news and adds nothing.
                let lastFileStatus: String? = old["imported_status"]
                // No status column, or an empty cell: no statement about the status at all.
                if lastFileStatus != w.status.rawValue, Canonical.given("status", columns, w.blank, false) {
                    importedStatus.append([id.databaseValue, w.status.rawValue.databaseValue])
                    evidence.append(.init(id: id, status: w.status, source: .file, date: day, detail: "导入 workers file"))
                    statusRows.append((id, w.status.rawValue, changed))
                    continue
                }
                if changed { counts.updated += 1 } else { counts.unchanged += 1 }
            }
            try Registry.update(db, table: "worker", key: "id_number", fieldUpdates.merging(["imported_status": importedStatus]) { a, _ in a })
            try Registry.recordAll(db, history)
            // New workers, numbered in file order (rowids grow with each insert), and their registration evidence.
            let lastRow = try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(rowid), 0) FROM worker") ?? 0
            try BulkRows.execute(db, """
                INSERT INTO worker (id_number, name, township, village, poor, education, skills, certificates, intentions,
                    destinations, expected_wage, status, status_source, status_date, phone, registered, imported_status)
                VALUES {rows}
                """, rows: added)
            if !added.isEmpty {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO person_number (id_number) SELECT id_number FROM worker WHERE rowid > ? ORDER BY rowid")
                    .execute(arguments: [lastRow])
                try db.cachedStatement(sql: """
                    INSERT INTO evidence (id_number, status, source, evidence_date, detail, recorded)
                    SELECT id_number, status, 'file', ?, '登记 registered', ? FROM worker WHERE rowid > ? ORDER BY rowid
                    """).execute(arguments: [day, day, lastRow])
            }
            // The statuses, set-based: a file's status newer evidence outweighs is counted as kept.
            let statuses = try Registry.addEvidence(db, evidence, recorded: day)
            for (id, status, changed) in statusRows {
                let r = statuses[id]
                if r?.after != status { counts.statusKept += 1 }
                if changed || (r?.after == status && r?.before != r?.after) { counts.updated += 1 } else { counts.unchanged += 1 }
            }
            try log?.insert(db, counts: counts)
            return counts
        }
    }

    /// Upserts validated posts and their employers; changes are kept in `history`.
    /// Like workers: a column the file does not have, or an empty cell (unless `clearEmpty`), changes nothing.
    public func importPosts(_ posts: [JobPost], taxonomy t: Taxonomy, date: CivilDate, log: ImportLog? = nil,
                            columns: Set<String>? = nil, clearEmpty: Bool = false) throws -> ImportCounts {
        try write { db in
            var counts = ImportCounts()
            var existing: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM post") { existing[row["post_id"]] = row }
            let day = date.description
            // Employers, then new posts, set-based in file order. An employer's name is the first non-empty one given
            // (a stored name stays): one row per employer, in order of first appearance, gives what upserting each
            // post's employer in turn would, with a fifth of the rows (about 10,000 employers for 50,000 posts).
            var employerName: [String: String] = [:], employers: [String] = []
            for p in posts {
                if let name = employerName[p.creditCode] {
                    if name.isEmpty { employerName[p.creditCode] = p.employer }
                } else {
                    employerName[p.creditCode] = p.employer
                    employers.append(p.creditCode)
                }
            }
            try BulkRows.execute(db, """
                INSERT INTO employer (credit_code, name) VALUES {rows}
                ON CONFLICT(credit_code) DO UPDATE SET name = excluded.name WHERE employer.name = ''
                """, rows: employers.map { [$0.databaseValue, employerName[$0]!.databaseValue] })
            var added: [[DatabaseValue]] = [], history: [[DatabaseValue]] = []
            var fieldUpdates: [String: [[DatabaseValue]]] = [:]
            for p in posts {
                let values = Canonical.postValues(p, t)
                guard let old = existing[p.postID] else {
                    added.append([p.postID.databaseValue] + Canonical.sql(Canonical.postFields, values))
                    counts.inserted += 1
                    continue
                }
                let c = Dictionary(uniqueKeysWithValues: zip(Canonical.postFields, values))
                var changed = false
                for f in Canonical.postFields where Canonical.given(f, columns, p.blank, clearEmpty) {
                    let before = Canonical.text(old[f] as DatabaseValue)
                    if before != c[f]! {
                        fieldUpdates[f, default: []].append([p.postID.databaseValue, Canonical.sql(f, c[f]!)])
                        history.append([day, "post", p.postID, f, before, c[f]!, "import"].map(\.databaseValue))
                        changed = true
                    }
                }
                if changed { counts.updated += 1 } else { counts.unchanged += 1 }
            }
            try Registry.update(db, table: "post", key: "post_id", fieldUpdates)
            try Registry.recordAll(db, history)
            try BulkRows.execute(db, """
                INSERT INTO post (post_id, credit_code, employer, title, occupation, location, openings, wage_min, wage_max,
                    education_min, age_min, age_max, required_certificates, board_lodging)
                VALUES {rows}
                """, rows: added)
            try log?.insert(db, counts: counts)
            return counts
        }
    }

    /// Records placements (入职). Rows naming an unknown worker or post are rejected. A worker has at most one open
    /// placement: a new one closes the old with end reason "job change". Re-importing a placement changes nothing.
    public func importPlacements(_ result: inout IntakeResult<PlacementRecord>, date: CivilDate, log: ImportLog? = nil) throws -> ImportCounts {
        try write { db in
            let workers = Set(try String.fetchAll(db, sql: "SELECT id_number FROM worker"))
            var postEmployer: [String: String] = [:]
            // Columns by position (a lookup by name per cell costs more than the row on tens of thousands of rows).
            let postRows = try Row.fetchCursor(db, sql: "SELECT post_id, credit_code FROM post")
            while let row = try postRows.next() { postEmployer[row[0]] = row[1] }
            HistoryIntake.refine(&result, line: \.line, fields: \.fields) { r in
                if !workers.contains(r.idNumber) {
                    return ("身份证号 id_number", Masking.idNumber(r.idNumber), "登记册中没有此人, 请先导入劳动力信息 / unknown worker: import workers first")
                }
                if postEmployer[r.postID] == nil {
                    return ("岗位编号 post_id", r.postID, "登记册中没有此岗位, 请先导入岗位 / unknown post: import posts first")
                }
                return nil
            }
            var counts = ImportCounts()
            // What the registry holds, read once: every placement's key, and each worker's open placement.
            struct Key: Hashable { var worker: String, post: String?, start: String }
            var known = Set<Key>(), open: [String: (id: Int64, start: String)] = [:]
            let placementRows = try Row.fetchCursor(db, sql: "SELECT id, id_number, post_id, start_date, end_date FROM placement")
            while let r = try placementRows.next() {
                let worker: String = r[1], start: String = r[3]
                known.insert(Key(worker: worker, post: r[2], start: start))
                if (r[4] as String?) == nil { open[worker] = (r[0], start) }
            }
            // Worked out here, then written set-based: the registry's open placements a new one closes, and the new
            // rows with their end when a later row of the same file closes them (ids follow this order, as they
            // would row by row).
            enum Ref { case stored(Int64), new(Int) }
            var current: [String: (ref: Ref, start: String)] = open.mapValues { (.stored($0.id), $0.start) }
            var closes: [[DatabaseValue]] = [], added: [[DatabaseValue]] = []
            var evidence: [Registry.EvidenceRow] = []
            // Oldest first, so that a worker's later placement closes the earlier one.
            let ordered = result.accepted.sorted { ($0.startDate, $0.line) < ($1.startDate, $1.line) }
            let day = date.description
            for r in ordered {
                let start = r.startDate.description
                guard known.insert(Key(worker: r.idNumber, post: r.postID, start: start)).inserted else {
                    counts.unchanged += 1
                    continue
                }
                let employer = postEmployer[r.postID]!
                counts.inserted += 1
                if let c = current[r.idNumber] {
                    if start < c.start {
                        // An older placement arriving late: it ended when the current one began.
                        added.append([r.idNumber, r.postID, employer, start, c.start, "job change", "import"].map(\.databaseValue))
                        continue
                    }
                    switch c.ref {
                    case .stored(let id): closes.append([id.databaseValue, start.databaseValue])
                    case .new(let k): added[k][4] = start.databaseValue; added[k][5] = "job change".databaseValue
                    }
                }
                current[r.idNumber] = (.new(added.count), start)
                added.append([r.idNumber, r.postID, employer, start].map(\.databaseValue) + [.null, .null, "import".databaseValue])
                evidence.append(.init(id: r.idNumber, status: .employed, source: .file, date: start, detail: "入职 \(r.postID)"))
            }
            try BulkRows.execute(db, """
                UPDATE placement SET end_date = v.column2, end_reason = 'job change' FROM (VALUES {rows}) v WHERE placement.id = v.column1
                """, rows: closes)
            try BulkRows.execute(db, """
                INSERT INTO placement (id_number, post_id, credit_code, start_date, end_date, end_reason, source) VALUES {rows}
                """, rows: added)
            try Registry.addEvidence(db, evidence, recorded: day)
            try log?.insert(db, counts: counts, extraRejected: result.rejections.count - (log?.rejected ?? 0))
            return counts
        }
    }

    /// Records social-insurance contributions. Contributions from employers not in the registry are kept (that is
    /// what a job change looks like); rows naming an unknown worker are rejected. Idempotent.
    public func importContributions(_ result: inout IntakeResult<ContributionRecord>, log: ImportLog? = nil) throws -> ImportCounts {
        try write { db in
            let workers = Set(try String.fetchAll(db, sql: "SELECT id_number FROM worker"))
            HistoryIntake.refine(&result, line: \.line, fields: \.fields) { r in
                workers.contains(r.idNumber) ? nil
                    : ("身份证号 id_number", Masking.idNumber(r.idNumber), "登记册中没有此人, 请先导入劳动力信息 / unknown worker: import workers first")
            }
            var counts = ImportCounts()
            // A month already recorded (a re-import, or the same row twice) is ignored and counted unchanged.
            counts.inserted = try BulkRows.execute(db, "INSERT OR IGNORE INTO contribution (id_number, credit_code, month) VALUES {rows}",
                                                   rows: result.accepted.map { [$0.idNumber, $0.creditCode, $0.month.description].map(\.databaseValue) })
            counts.unchanged = result.accepted.count - counts.inserted
            try log?.insert(db, counts: counts, extraRejected: result.rejections.count - (log?.rejected ?? 0))
            return counts
        }
    }

    /// Marks employers under rights-violation follow-up: `nightly` never proposes their posts.
    public func importExclusions(_ codes: Set<String>, date: CivilDate, log: ImportLog? = nil) throws -> ImportCounts {
        try write { db in
            var counts = ImportCounts()
            var was: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT credit_code, excluded FROM employer") { was[r[0]] = r[1] }
            let day = date.description
            var marked: [[DatabaseValue]] = [], history: [[DatabaseValue]] = []
            for code in codes.sorted() {
                if was[code] == 1 { counts.unchanged += 1; continue }
                marked.append([code.databaseValue, day.databaseValue])
                history.append([day, "employer", code, "excluded", was[code].map(String.init) ?? "", "1", "import"].map(\.databaseValue))
                if was[code] == nil { counts.inserted += 1 } else { counts.updated += 1 }
            }
            try BulkRows.execute(db, """
                INSERT INTO employer (credit_code, name, excluded, excluded_since) SELECT column1, '', 1, column2 FROM (VALUES {rows}) WHERE true
                ON CONFLICT(credit_code) DO UPDATE SET excluded = 1, excluded_since = excluded.excluded_since
                """, rows: marked)
            try Registry.recordAll(db, history)
            try log?.insert(db, counts: counts)
            return counts
        }
    }
}

/// The record of one import (file, SHA-256, counts), written in the import's own transaction so that each run
/// can name the inputs it was made from.
public struct ImportLog: Sendable {
    public var kind: String
    public var file: String
    public var asOf: CivilDate
    /// Rows read and rejected before the registry's own checks (placements and contributions add theirs).
    public var read: Int
    public var rejected: Int

    /// The file's SHA-256, computed on another thread from the moment the log is made (while the import writes
    /// its rows on this one), "" when the file cannot be read.
    private let digest: Digest

    final class Digest: Sendable {
        private let value = Mutex<String?>(nil)
        private let done = DispatchGroup()

        init(path: String) {
            DispatchQueue.global().async(group: done) { [self] in
                let sha = (try? FileDigest.sha256Hex(path: path)) ?? ""
                value.withLock { $0 = sha }
            }
        }

        var hex: String {
            done.wait()
            return value.withLock { $0 ?? "" }
        }
    }

    public init(kind: String, file: String, asOf: CivilDate, read: Int, rejected: Int) {
        self.kind = kind
        self.file = file
        self.asOf = asOf
        self.read = read
        self.rejected = rejected
        digest = Digest(path: file)
    }

    func insert(_ db: Database, counts: ImportCounts, extraRejected: Int = 0) throws {
        let sha = digest.hex
        try db.execute(sql: """
            INSERT INTO import (at, as_of, kind, file, sha256, read, rejected, inserted, updated, unchanged)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [ISO8601DateFormatter().string(from: Date()), asOf.description, kind, file, sha, read,
                             rejected + extraRejected, counts.inserted, counts.updated, counts.unchanged])
    }
}

extension Registry {
    /// The last import of each kind: kind → "sha256 (file, as-of)".
    /// The as-of date of the latest nightly run, if any.
    public func latestRunDate() throws -> CivilDate? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT as_of FROM run ORDER BY as_of DESC LIMIT 1").flatMap { CivilDate(iso: $0) }
        }
    }

    public func latestImports() throws -> [String: String] {
        try read { db in
            var out: [String: String] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT kind, file, sha256, as_of FROM import WHERE id IN (SELECT MAX(id) FROM import GROUP BY kind)") {
                out[r["kind"]] = "\(r["sha256"] as String) (\(r["file"] as String), \(r["as_of"] as String))"
            }
            return out
        }
    }
}
