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
            public var post: String?
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
        /// 人员编号, e.g. LL-004217.
        public var number: String
        /// Status evidence, newest first.
        public var evidence: [Evidence]
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
                WorkerRecord.ContactInfo(date: $0["date"], outcome: $0["outcome"], note: $0["note"], post: $0["post_id"])
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
                                number: try Int.fetchOne(db, sql: "SELECT number FROM person_number WHERE id_number = ?", arguments: [id])
                                    .map(Registry.personNumber) ?? "",
                                evidence: try Registry.evidence(db, id),
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

    /// One month of what the registry learned about placements: started, job changes, suspected losses (the month
    /// the nightly first found them), closed as lost, closed otherwise; each with its poor-household part.
    public struct Month: Sendable {
        public var month: String
        public var started = 0, startedPoor = 0
        public var jobChanges = 0, jobChangesPoor = 0
        public var suspected = 0, suspectedPoor = 0
        public var lost = 0, lostPoor = 0
        public var closedOther = 0, closedOtherPoor = 0
    }

    /// The last `months` months with any placement event, oldest first: one set-based pass over the placements.
    public func monthlyOutcomes(months: Int = 12) throws -> [Month] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                WITH event(month, kind, poor) AS (
                    SELECT substr(p.start_date, 1, 7), 'started', w.poor FROM placement p JOIN worker w USING (id_number)
                    UNION ALL
                    SELECT substr(p.end_date, 1, 7),
                           CASE WHEN p.end_reason LIKE 'job change%' THEN 'change' WHEN p.end_reason LIKE 'job loss%' THEN 'lost' ELSE 'other' END,
                           w.poor
                    FROM placement p JOIN worker w USING (id_number) WHERE p.end_date IS NOT NULL
                    UNION ALL
                    SELECT substr(p.suspected_found, 1, 7), 'suspected', w.poor FROM placement p JOIN worker w USING (id_number)
                    WHERE p.suspected_found IS NOT NULL)
                SELECT month, kind, COUNT(*) AS n, SUM(poor) AS p FROM event
                WHERE month IN (SELECT DISTINCT month FROM event ORDER BY month DESC LIMIT ?)
                GROUP BY month, kind ORDER BY month, kind
                """, arguments: [months])
            var out: [Month] = []
            for r in rows {
                let m: String = r["month"], n: Int = r["n"], p: Int = r["p"]
                if out.last?.month != m { out.append(Month(month: m)) }
                switch r["kind"] as String {
                case "started": out[out.count - 1].started = n; out[out.count - 1].startedPoor = p
                case "change": out[out.count - 1].jobChanges = n; out[out.count - 1].jobChangesPoor = p
                case "lost": out[out.count - 1].lost = n; out[out.count - 1].lostPoor = p
                case "suspected": out[out.count - 1].suspected = n; out[out.count - 1].suspectedPoor = p
                default: out[out.count - 1].closedOther = n; out[out.count - 1].closedOtherPoor = p
                }
            }
            return out
        }
    }

    /// Employers with open placements that paid no contribution in the latest contribution month: the month, how
    /// many such employers, and the `limit` with most open placements (credit code, name, open placements).
    public func unreportedEmployers(limit: Int = 20) throws -> (month: String?, total: Int, top: [(creditCode: String, name: String, open: Int)]) {
        try read { db in
            guard let month = try String.fetchOne(db, sql: "SELECT MAX(month) FROM contribution") else { return (nil, 0, []) }
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.credit_code AS code, COALESCE(e.name, '') AS name, COUNT(*) AS n
                FROM placement p LEFT JOIN employer e USING (credit_code)
                WHERE p.end_date IS NULL AND p.credit_code NOT IN (SELECT credit_code FROM contribution WHERE month = ?)
                GROUP BY p.credit_code ORDER BY n DESC, p.credit_code
                """, arguments: [month])
            return (month, rows.count, rows.prefix(limit).map { ($0["code"], $0["name"], $0["n"]) })
        }
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

    /// What a follow-up call found: a code, never parsed text (the note is stored, never read).
    public enum CallOutcome: String, Sendable, CaseIterable {
        /// At the placement's employer.
        case employed = "在岗"
        /// At another employer (`--employer` optional).
        case jobChange = "换岗"
        /// No job.
        case unemployed = "失业"
        /// Not reached; three in a row put the worker on the home-visit list (上门).
        case unreachable = "联系不上"
        /// Accepts proposal `--post`: a pending placement, its opening held.
        case accepted = "接受推荐"
        /// Declines `--post`: that pair is never proposed again.
        case declined = "拒绝推荐"
        case other = "其他"

        public var english: String {
            switch self {
            case .employed: return "employed"
            case .jobChange: return "job_change"
            case .unemployed: return "unemployed"
            case .unreachable: return "unreachable"
            case .accepted: return "accepted"
            case .declined: return "declined"
            case .other: return "other"
            }
        }

        /// The code or its English alias, exactly (after trimming and NFKC); nil for anything else.
        public init?(code: String) {
            let t = Normalize.cell(code)
            guard let c = CallOutcome.allCases.first(where: { $0.rawValue == t || $0.english == t.lowercased() }) else { return nil }
            self = c
        }

        public static var listing: String { allCases.map { "\($0.rawValue) (\($0.english))" }.joined(separator: ", ") }
    }

    /// A call as staff record it.
    public struct Call: Sendable {
        public var worker: String
        public var date: CivilDate
        public var outcome: CallOutcome
        public var post: String?
        public var employer: String?
        public var note: String
        public init(worker: String, date: CivilDate, outcome: CallOutcome, post: String? = nil, employer: String? = nil, note: String = "") {
            self.worker = worker
            self.date = date
            self.outcome = outcome
            self.post = post
            self.employer = employer
            self.note = note
        }
    }

    /// What recording a call changed, for the clerk to read back.
    public struct CallEffect: Sendable, Equatable {
        public var statusBefore = ""
        public var statusAfter = ""
        public var closedPlacement: String?
        public var openedPlacement: String?
        public var clearedSuspicion = false
        public var held: String?
        public var barred: String?
        public var unreachableInARow = 0

        /// One line per change, in Chinese and English.
        public var lines: [String] {
            var out: [String] = []
            if statusBefore != statusAfter { out.append("状态 status: \(statusBefore) → \(statusAfter)") } else { out.append("状态 status: \(statusAfter) (不变 unchanged)") }
            if clearedSuspicion { out.append("疑似失岗已解除 suspected loss cleared") }
            if let c = closedPlacement { out.append("岗位已结束 placement closed: \(c)") }
            if let o = openedPlacement { out.append("新岗位 placement opened: \(o)") }
            if let h = held { out.append("已接受推荐, 保留岗位 proposal accepted, opening held: \(h)") }
            if let b = barred { out.append("不再推荐 never proposed again: \(b)") }
            if unreachableInARow > 0 {
                out.append("连续 \(unreachableInARow) 次联系不上 unreachable \(unreachableInARow) in a row" + (unreachableInARow >= 3 ? "; 列入上门走访 listed for a home visit" : ""))
            }
            return out
        }
    }

    public enum CallError: Error, CustomStringConvertible, Equatable {
        case unknownWorker(String)
        case unknownPost(String)
        case needsPost(CallOutcome)

        public var description: String {
            switch self {
            case .unknownWorker(let id): return "no worker \(id) in the registry (查无此人)"
            case .unknownPost(let p): return "no post \(p) in the registry (岗位不存在)"
            case .needsPost(let c): return "\(c.rawValue) (\(c.english)) needs --post POST_ID (须指明岗位)"
            }
        }
    }

    /// Records a call and applies its code: the call is status evidence dated on its day (`Evidence.swift`).
    public func recordCall(_ call: Call) throws -> CallEffect {
        try write { db in
            let id = call.worker
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM worker WHERE id_number = ?", arguments: [id]) else {
                throw CallError.unknownWorker(id)
            }
            if [.accepted, .declined].contains(call.outcome) {
                guard let post = call.post else { throw CallError.needsPost(call.outcome) }
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM post WHERE post_id = ?", arguments: [post]) == true else {
                    throw CallError.unknownPost(post)
                }
            }
            var effect = CallEffect(statusBefore: status, statusAfter: status)
            let day = call.date.description
            try db.execute(sql: "INSERT INTO contact (id_number, date, outcome, note, code, post_id, credit_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [id, day, call.outcome.rawValue, call.note, call.outcome.rawValue, call.post, call.employer])
            try db.execute(sql: "UPDATE worker SET last_contact = MAX(COALESCE(last_contact, ''), ?) WHERE id_number = ?", arguments: [day, id])
            let open = try Row.fetchOne(db, sql: "SELECT id, post_id, credit_code, suspected_since FROM placement WHERE id_number = ? AND end_date IS NULL",
                                        arguments: [id])
            func close(_ reason: String) throws {
                guard let open else { return }
                try db.execute(sql: "UPDATE placement SET end_date = MAX(start_date, ?), end_reason = ? WHERE id = ?",
                               arguments: [day, reason, open["id"] as Int64])
                effect.closedPlacement = (open["post_id"] as String?) ?? (open["credit_code"] as String)
            }
            func evidence(_ s: EmploymentStatus, _ detail: String) throws {
                effect.statusAfter = try Registry.addEvidence(db, id, s, .call, date: day, detail: detail, recorded: day)?.after ?? status
            }
            switch call.outcome {
            case .employed:
                if let open, open["suspected_since"] as String? != nil {
                    try db.execute(sql: "UPDATE placement SET suspected_since = NULL, suspected_found = NULL WHERE id = ?", arguments: [open["id"] as Int64])
                    effect.clearedSuspicion = true
                }
                try evidence(.employed, "电话: 在岗")
            case .jobChange:
                try close("job change (call)")
                let code = call.employer ?? ""
                try db.execute(sql: "INSERT INTO placement (id_number, post_id, credit_code, start_date, source) VALUES (?, NULL, ?, ?, 'call')",
                               arguments: [id, code, day])
                effect.openedPlacement = code.isEmpty ? "另一单位 another employer" : code
                try evidence(.employed, "电话: 换岗" + (code.isEmpty ? "" : " \(code)"))
            case .unemployed:
                try close("job loss (call)")
                try evidence(.unemployed, "电话: 失业")
            case .accepted:
                let post = call.post!
                try close("left for an accepted proposal (call)")
                let code = try String.fetchOne(db, sql: "SELECT credit_code FROM post WHERE post_id = ?", arguments: [post])!
                try db.execute(sql: "INSERT INTO placement (id_number, post_id, credit_code, start_date, source) VALUES (?, ?, ?, ?, 'proposal accepted')",
                               arguments: [id, post, code, day])
                effect.held = post
            case .declined:
                let post = call.post!
                try db.execute(sql: "INSERT OR IGNORE INTO declined (id_number, post_id, date) VALUES (?, ?, ?)", arguments: [id, post, day])
                effect.barred = post
            case .unreachable:
                effect.unreachableInARow = try Registry.unreachableInARow(db, id)
            case .other:
                break
            }
            return effect
        }
    }

    /// How many of the worker's latest calls in a row found nobody.
    static func unreachableInARow(_ db: Database, _ id: String) throws -> Int {
        var n = 0
        for code in try String?.fetchAll(db, sql: "SELECT code FROM contact WHERE id_number = ? ORDER BY date DESC, id DESC", arguments: [id]) {
            guard code == CallOutcome.unreachable.rawValue else { break }
            n += 1
        }
        return n
    }

    /// A person as found by number, ID number or name (for lists and the console).
    public struct PersonMatch: Sendable, Equatable {
        public var number: String
        public var idNumber: String
        public var name: String
        public var township: String
        public var village: String
    }

    public enum Lookup: Sendable, Equatable {
        case found(String)
        case several([PersonMatch])
        case none
        /// A full ID number whose check character is wrong (校验码错误).
        case badCheckCharacter(expected: Character)
    }

    /// Finds a worker by person number (LL-004217), full ID number, or name.
    public func lookup(_ query: String) throws -> Lookup {
        let q = Normalize.cell(query)
        return try read { db in
            if let n = Registry.parsePersonNumber(q) {
                return try String.fetchOne(db, sql: "SELECT id_number FROM person_number WHERE number = ?", arguments: [n]).map(Lookup.found) ?? .none
            }
            let upper = q.uppercased()
            if upper.count == 18, upper.dropLast().allSatisfy(\.isNumber) {
                if case .failure(let e) = IDNumber.parse(upper, asOf: CivilDate(year: 9999, month: 12, day: 31)!),
                   case .checkCharacter(let expected) = e.problem {
                    return .badCheckCharacter(expected: expected)
                }
                return try String.fetchOne(db, sql: "SELECT id_number FROM worker WHERE id_number = ?", arguments: [upper]).map(Lookup.found) ?? .none
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT w.id_number, w.name, w.township, w.village, n.number FROM worker w
                LEFT JOIN person_number n ON n.id_number = w.id_number WHERE w.name = ? ORDER BY n.number
                """, arguments: [q])
            if rows.count == 1 { return .found(rows[0]["id_number"]) }
            if rows.isEmpty { return .none }
            return .several(rows.map {
                PersonMatch(number: ($0["number"] as Int?).map(Registry.personNumber) ?? "", idNumber: $0["id_number"], name: $0["name"],
                            township: $0["township"], village: $0["village"])
            })
        }
    }
}
