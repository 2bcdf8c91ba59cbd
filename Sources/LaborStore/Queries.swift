import Foundation
import GRDB
import LaborModel

/// What staff look up: one worker's record, registry counts, and follow-up calls.
extension Registry {
    public struct WorkerRecord: Codable, Sendable {
        public struct PlacementInfo: Codable, Sendable {
            public var postID: String?
            public var employer: String
            public var creditCode: String
            public var start: String
            public var end: String?
            public var endReason: String?
            public var confirmedMonth: String?
            public var suspectedSince: String?
        }
        public struct ContactInfo: Codable, Sendable {
            public var date: String
            public var outcome: String
            public var note: String
        }
        public struct ProposalInfo: Codable, Sendable {
            public var runID: String
            public var postID: String
            public var employer: String
            public var location: String
            public var score: Double
        }
        public var idNumber: String
        public var name: String
        public var township: String
        public var village: String
        public var poorHousehold: Bool
        public var phone: String
        public var status: String
        public var statusSource: String
        public var statusDate: String
        public var intentions: String
        public var placements: [PlacementInfo]
        public var contacts: [ContactInfo]
        public var latestProposal: ProposalInfo?
    }

    public func worker(_ id: String) throws -> WorkerRecord? {
        try read { db in
            guard let w = try Row.fetchOne(db, sql: "SELECT * FROM worker WHERE id_number = ?", arguments: [id]) else { return nil }
            let placements = try Row.fetchAll(db, sql: """
                SELECT p.*, COALESCE(e.name, '') AS employer_name FROM placement p LEFT JOIN employer e ON e.credit_code = p.credit_code
                WHERE p.id_number = ? ORDER BY p.start_date, p.id
                """, arguments: [id]).map { r in
                WorkerRecord.PlacementInfo(postID: r["post_id"], employer: r["employer_name"], creditCode: r["credit_code"],
                                           start: r["start_date"], end: r["end_date"], endReason: r["end_reason"],
                                           confirmedMonth: r["confirmed_month"], suspectedSince: r["suspected_since"])
            }
            let contacts = try Row.fetchAll(db, sql: "SELECT * FROM contact WHERE id_number = ? ORDER BY date, id", arguments: [id]).map {
                WorkerRecord.ContactInfo(date: $0["date"], outcome: $0["outcome"], note: $0["note"])
            }
            let proposal = try Row.fetchOne(db, sql: """
                SELECT pr.run_id, pr.post_id, pr.score, po.employer, po.location FROM proposal pr
                JOIN run r ON r.id = pr.run_id JOIN post po ON po.post_id = pr.post_id
                WHERE pr.id_number = ? ORDER BY r.started DESC, r.id DESC LIMIT 1
                """, arguments: [id]).map {
                WorkerRecord.ProposalInfo(runID: $0["run_id"], postID: $0["post_id"], employer: $0["employer"], location: $0["location"], score: $0["score"])
            }
            return WorkerRecord(idNumber: w["id_number"], name: w["name"], township: w["township"], village: w["village"],
                                poorHousehold: (w["poor"] as Int) == 1, phone: w["phone"], status: w["status"],
                                statusSource: w["status_source"], statusDate: w["status_date"], intentions: w["intentions"],
                                placements: placements, contacts: contacts, latestProposal: proposal)
        }
    }

    public struct Stats: Sendable {
        public var workers = 0
        public var poor = 0
        public var byStatus: [(String, Int, Int)] = []          // status, all, poor
        public var byTownship: [(String, Int, Int, Int)] = []   // township, all, poor, employed
        public var openPlacements = 0
        public var suspected = 0
        public var posts = 0
        public var openings = 0
        public var excludedEmployers = 0
        public var runs = 0
    }

    public func stats() throws -> Stats {
        try read { db in
            var s = Stats()
            s.workers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM worker") ?? 0
            s.poor = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM worker WHERE poor = 1") ?? 0
            s.byStatus = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n, SUM(poor) AS p FROM worker GROUP BY status ORDER BY status").map {
                ($0["status"], $0["n"], $0["p"])
            }
            s.byTownship = try Row.fetchAll(db, sql: """
                SELECT township, COUNT(*) AS n, SUM(poor) AS p, SUM(status = '在岗') AS e FROM worker GROUP BY township ORDER BY township
                """).map { ($0["township"], $0["n"], $0["p"], $0["e"]) }
            s.openPlacements = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM placement WHERE end_date IS NULL") ?? 0
            s.suspected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM placement WHERE end_date IS NULL AND suspected_since IS NOT NULL") ?? 0
            s.posts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM post") ?? 0
            s.openings = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(openings), 0) FROM post") ?? 0
            s.excludedEmployers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM employer WHERE excluded = 1") ?? 0
            s.runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0
            return s
        }
    }

    /// What a follow-up call found. A lost job closes the open placement at once (status 待业); a confirmed job
    /// clears a suspected loss (status 在岗).
    public enum CallOutcome: Sendable, Equatable {
        case lost, employed, other

        /// Loss words first (不在岗 is a loss), then any negation makes the outcome neutral, then work words.
        public static func parse(_ s: String) -> CallOutcome {
            let t = s.lowercased()
            let loss = ["失岗", "失业", "待业", "离职", "辞职", "被辞退", "不在岗", "未在岗", "没在岗", "不在职", "未在职", "没有工作", "没工作",
                        "lost", "unemployed", "not working", "not employed", "no job", "quit"]
            if loss.contains(where: { t.contains($0) }) { return .lost }
            if ["不", "未", "没", "not ", "no "].contains(where: { t.contains($0) }) { return .other }
            if ["在岗", "在职", "上班", "employed", "working"].contains(where: { t.contains($0) }) { return .employed }
            return .other
        }
    }

    /// Records a call. Returns false when the worker is not in the registry.
    public func recordContact(_ id: String, date: CivilDate, outcome: String, note: String) throws -> Bool {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM worker WHERE id_number = ?", arguments: [id]) == true else { return false }
            let day = date.description
            try db.execute(sql: "INSERT INTO contact (id_number, date, outcome, note) VALUES (?, ?, ?, ?)", arguments: [id, day, outcome, note])
            try db.execute(sql: "UPDATE worker SET last_contact = MAX(COALESCE(last_contact, ''), ?) WHERE id_number = ?", arguments: [day, id])
            switch CallOutcome.parse(outcome) {
            case .lost:
                try db.execute(sql: """
                    UPDATE placement SET end_date = MAX(start_date, ?), end_reason = 'job loss (call: ' || ? || ')'
                    WHERE id_number = ? AND end_date IS NULL
                    """, arguments: [day, outcome, id])
                try Registry.setStatus(db, id, .unemployed, source: "contact", date: day)
            case .employed:
                try db.execute(sql: "UPDATE placement SET suspected_since = NULL WHERE id_number = ? AND end_date IS NULL", arguments: [id])
                try Registry.setStatus(db, id, .employed, source: "contact", date: day)
            case .other:
                break
            }
            return true
        }
    }
}
