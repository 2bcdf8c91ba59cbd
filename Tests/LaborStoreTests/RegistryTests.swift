import Foundation
import GRDB
import Testing
import TestSupport
@testable import LaborModel
@testable import LaborStore

enum StoreFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let taxonomy = try! Taxonomy.load(directory: root + "/Data/taxonomy")
    static let weights = try! ScoringWeights.load(path: root + "/Data/weights.csv")

    static func workers(_ csv: String, asOf: CivilDate) throws -> [Worker] {
        let t = try CSVTable.parse(data: Data(csv.utf8), file: "w.csv")
        let r = try WorkerIntake.validate(table: t, file: "w.csv", taxonomy: taxonomy, asOf: asOf)
        #expect(r.rejections.isEmpty, "\(r.rejectionMessages())")
        return r.accepted
    }

    static func posts(_ csv: String) throws -> [JobPost] {
        let t = try CSVTable.parse(data: Data(csv.utf8), file: "p.csv")
        let r = try PostIntake.validate(table: t, file: "p.csv", taxonomy: taxonomy)
        #expect(r.rejections.isEmpty, "\(r.rejectionMessages())")
        return r.accepted
    }

    static func tempFile(_ name: String, _ text: String) -> String {
        let dir = TemporaryFolders.make("store")
        let path = dir + "/" + name
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // Five workers, all 普工, anywhere; codes: A (registered), B (registered), X (not in the registry).
    static let codeA = "91350100M000100Y43"
    static let codeB: String = { let f = "91440300MA5DABCDE"; return f + String(CreditCode.checkCharacter(for: f)) }()
    static let codeX: String = { let f = "91440300MA5DQY812"; return f + String(CreditCode.checkCharacter(for: f)) }()
    /// In the order of `workerCSV`: 甲 (poor), 乙, 丙 (poor), 丁, 戊 (poor).
    static let ids = ["360426199101010071", "11010219840406970X", "440524198801010011", "11010519891231108X", "44011319941005001X"]
    static let workerCSV = """
        身份证号,姓名,乡镇,贫困户,求职意向,就业状态,联系电话
        360426199101010071,甲,新州镇,是,普工,求职中,13800000001
        11010219840406970X,乙,德峨镇,否,普工,求职中,13800000002
        440524198801010011,丙,沙梨乡,是,普工,求职中,13800000003
        11010519891231108X,丁,者保乡,否,普工,求职中,13800000004
        44011319941005001X,戊,金钟山乡,是,普工,求职中,
        """
    static let postCSV = """
        岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限
        PA,甲厂,\(codeA),普工,罗湖区,3,5000,6000
        PB,乙厂,\(codeB),普工,宝安区,3,5000,6000
        """
}

@Suite struct RegistryTests {
    let asOf = CivilDate(year: 2026, month: 1, day: 15)!

    func seeded() throws -> Registry {
        let reg = try Registry.inMemory()
        _ = try reg.importWorkers(try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: asOf), taxonomy: StoreFixtures.taxonomy,
                                  date: CivilDate(year: 2025, month: 9, day: 1)!)
        _ = try reg.importPosts(try StoreFixtures.posts(StoreFixtures.postCSV), taxonomy: StoreFixtures.taxonomy, date: asOf)
        return reg
    }

    func placements(_ reg: Registry, _ rows: [(String, String, String)]) throws -> IntakeResult<PlacementRecord> {
        let text = "身份证号,岗位编号,入职日期\n" + rows.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n")
        var r = try HistoryIntake.placements(path: StoreFixtures.tempFile("p.csv", text), asOf: asOf)
        _ = try reg.importPlacements(&r, date: asOf)
        return r
    }

    func contributions(_ reg: Registry, _ rows: [(String, String, String)], asOf: CivilDate? = nil) throws {
        let text = "身份证号,统一社会信用代码,缴费月份\n" + rows.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n")
        var r = try HistoryIntake.contributions(path: StoreFixtures.tempFile("c.csv", text), asOf: asOf ?? self.asOf)
        _ = try reg.importContributions(&r)
        #expect(r.rejections.isEmpty, "\(r.rejectionMessages())")
    }

    func plan(_ reg: Registry, asOf: CivilDate? = nil, id: String = "r1", calls: Int = 200) throws -> Nightly.Plan {
        var o = Nightly.Options(asOf: asOf ?? self.asOf)
        o.calls = calls
        return try Nightly.plan(registry: reg, taxonomy: StoreFixtures.taxonomy, weights: StoreFixtures.weights, options: o, runID: id)
    }

    func commit(_ reg: Registry, _ p: Nightly.Plan) throws {
        try Nightly.commit(p, registry: reg, parameters: [:], inputs: [:], version: "test", started: p.runID)
    }

    /// The night reads first everyone but those holding a placement nobody doubts, then by ID, then the rest:
    /// together the same workers, in the same order, as a full snapshot; and a placed worker the plan names
    /// (unreachable three times) is still listed for a visit.
    @Test func workersReadInPartsAreTheSnapshot() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10"), (ids[1], "PB", "2025-10-10")])
        try reg.read { db in
            let full = try Registry.snapshot(db, taxonomy: StoreFixtures.taxonomy, asOf: asOf)
            let first = try Registry.SnapshotRows(db, workerFilter: Nightly.unheld).validate(taxonomy: StoreFixtures.taxonomy, asOf: asOf)
            #expect(first.workers.map(\.workerID) == full.workers.map(\.workerID).filter { $0 != ids[0] && $0 != ids[1] })
            let firstPart = try Registry.workers(db, taxonomy: StoreFixtures.taxonomy, asOf: asOf, filter: Nightly.unheld)
            var parts = Registry.RowsInParts(first: firstPart, filter: Nightly.unheld, column: "id_number", id: \.workerID) { db, filter, arguments in
                try Registry.workers(db, taxonomy: StoreFixtures.taxonomy, asOf: asOf, filter: filter, arguments: arguments)
            }
            #expect(parts[ids[0]] == nil && parts[ids[1]] == nil && !parts.complete)
            try parts.include([ids[1], ids[2], "110101199003070011"], db)
            #expect(parts[ids[1]]?.name == "乙" && parts[ids[0]] == nil)
            #expect(parts.all.map(\.workerID) == full.workers.map(\.workerID).filter { $0 != ids[0] })
            try parts.includeAll(db)
            #expect(parts.complete && parts.all.map(\.workerID) == full.workers.map(\.workerID) && parts.problems.isEmpty)
        }
        for day in 12...14 {
            _ = try reg.recordCall(Registry.Call(worker: ids[0], date: CivilDate(year: 2026, month: 1, day: day)!, outcome: .unreachable))
        }
        let p = try plan(reg)
        #expect(p.contacts.visits.contains { $0.workerID == ids[0] && $0.reason.contains("联系不上") }, "\(p.contacts.visits)")
        #expect(!p.pool.contains { $0.workerID == ids[0] || $0.workerID == ids[1] })
    }

    /// A stored row that no longer validates is reported with the line a full read gives it, in line order,
    /// however the night read it; a placed worker nobody doubts is read (and checked) only when follow-up calls
    /// need everyone.
    @Test func problemsOfRowsReadInParts() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10")])
        try reg.write { db in
            try db.execute(sql: "UPDATE worker SET intentions = '不存在的工种' WHERE id_number IN (?, ?)", arguments: [ids[0], ids[2]])
        }
        let full = try reg.read { db in try Registry.snapshot(db, taxonomy: StoreFixtures.taxonomy, asOf: asOf).problems }
        #expect(full.count == 2)
        // Follow-ups fill the budget: everyone is read, and the problems are the full snapshot's.
        #expect(try plan(reg).problems == full)
        // No budget: the placed worker is never read; the other keeps its line.
        #expect(try plan(reg, calls: 0).problems == full.filter { !$0.contains(":\(2 + ids.sorted().firstIndex(of: ids[0])!):") })
    }

    @Test func everyReconciliationPath() throws {
        // Given five placements and the contributions of Oct–Dec 2025 (as of 2026-01-15, December is the latest complete month)
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA, b = StoreFixtures.codeB, x = StoreFixtures.codeX
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10"), (ids[1], "PA", "2025-10-10"), (ids[2], "PB", "2025-10-10"),
                                 (ids[3], "PB", "2025-10-10"), (ids[4], "PB", "2025-12-20")])
        try contributions(reg, [
            (ids[0], a, "2025-10"), (ids[0], a, "2025-11"), (ids[0], a, "2025-12"),   // confirmed
            (ids[1], a, "2025-10"), (ids[1], a, "2025-11"), (ids[1], x, "2025-12"),   // job change to X (not in the registry)
            (ids[2], b, "2025-10"), (ids[2], b, "2025-11"),                            // December missing: suspected
            (ids[3], b, "2025-10"),                                                    // two months missing: lost
            (ids[4], b, "2025-12"),                                                    // started in December: confirmed
        ])
        // When the nightly plan is made
        let p = try plan(reg)
        // Then each path is taken
        #expect(p.reconciledMonth == YearMonth("2025-12"))
        let decided = Dictionary(uniqueKeysWithValues: p.actions.map { ($0.0.worker, $0.1) })
        #expect(decided[ids[0]] == .confirmed)
        #expect(decided[ids[1]] == .jobChange(newEmployer: x))
        #expect(decided[ids[2]] == .suspected(since: YearMonth("2025-12")!))
        #expect(decided[ids[3]] == .lost(since: YearMonth("2025-11")!))
        #expect(decided[ids[4]] == .confirmed)
        #expect(p.counts.confirmed == 2 && p.counts.jobChanges == 1 && p.counts.suspected == 1 && p.counts.lost == 1)
        // The pool is the suspected and the lost worker; confirmed placements are not offered again.
        #expect(Set(p.pool.map(\.workerID)) == [ids[2], ids[3]])
        // PB was full (丙, 丁, 戊) before the night and has the place of 丁, who lost the job; PA has two.
        #expect(p.posts.map(\.postID) == ["PA", "PB"] && p.counts.openCapacity == 3)
        try commit(reg, p)
        let changed = try #require(try reg.worker(ids[1]))
        try #require(changed.placements.count == 2)
        #expect(changed.placements[0].endReason?.hasPrefix("job change") == true)
        #expect(changed.placements[1].creditCode == x && changed.placements[1].end == nil && changed.status == "在岗")
        let lost = try #require(try reg.worker(ids[3]))
        #expect(lost.status == "待业" && lost.placements[0].end == "2025-11-01")
        #expect(try reg.worker(ids[2])?.placements[0].suspectedSince == "2025-12")
    }

    @Test func missingMonthIsSaidAndNobodyIsFlagged() throws {
        // Given contributions only up to November while December is complete
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10")])
        try contributions(reg, [(ids[0], a, "2025-10"), (ids[0], a, "2025-11")])
        let p = try plan(reg)
        #expect(p.reconciledMonth == YearMonth("2025-11"))
        #expect(p.notes.contains { $0.contains("2025-12") })
        #expect(p.counts.suspected == 0 && p.counts.lost == 0 && p.counts.confirmed == 1)
        // And with no contributions at all, nothing is reconciled.
        let empty = try seeded()
        _ = try placements(empty, [(ids[0], "PA", "2025-10-10")])
        let q = try plan(empty)
        #expect(q.reconciledMonth == nil && q.counts.suspected == 0)
    }

    @Test func monthsWithoutAnyDataDoNotCountAndTheStartMonthIsNotAJobChange() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA, b = StoreFixtures.codeB
        // 甲 last paid in October; November's extract was never imported; December is there: one missing month only.
        // 乙 started at PA on 2025-12-05 while the old employer B still paid December: not a job change.
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10"), (ids[1], "PA", "2025-12-05")])
        // A reported December (for 戊), so 甲's missing December counts.
        try contributions(reg, [(ids[0], a, "2025-10"), (ids[1], b, "2025-12"), (ids[4], b, "2025-12"), (ids[4], a, "2025-12")])
        let p = try plan(reg)
        let decided = Dictionary(uniqueKeysWithValues: p.actions.map { ($0.0.worker, $0.1) })
        #expect(decided[ids[0]] == .suspected(since: YearMonth("2025-12")!))
        #expect(decided[ids[1]] == .tooEarly)
    }

    @Test func aJobChangeThenAMissingMonthIsOnlySuspected() throws {
        // Paid by A in October, by X (outside the registry) in November, nothing in December.
        let reg = try seeded()
        let ids = StoreFixtures.ids
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10")])
        try contributions(reg, [(ids[0], StoreFixtures.codeA, "2025-10"), (ids[0], StoreFixtures.codeX, "2025-11"),
                                (ids[4], StoreFixtures.codeX, "2025-12")])
        let p = try plan(reg)
        // November: the job change (to X); December: X reported (for 戊) but not 甲: suspected, on the new placement.
        #expect(p.steps.map(\.month) == [YearMonth("2025-10")!, YearMonth("2025-11")!, YearMonth("2025-12")!])
        #expect(p.steps[1].action == .jobChange(newEmployer: StoreFixtures.codeX))
        #expect(p.actions.first?.1 == .suspected(since: YearMonth("2025-12")!) && p.actions.first?.0.creditCode == StoreFixtures.codeX)
        try commit(reg, p)
        let w = try #require(try reg.worker(ids[0]))
        #expect(w.placements.count == 2 && w.placements[0].end == "2025-11-01" && w.placements[1].creditCode == StoreFixtures.codeX)
        #expect(w.placements[1].suspectedSince == "2025-12" && w.placements[1].end == nil)
    }

    @Test func suspectedOneNightLostTheNextWhenTheNextMonthArrives() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA, b = StoreFixtures.codeB
        // PA holds 甲 (suspected: December missing); a suspected placement keeps its opening.
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10")])
        try contributions(reg, [(ids[0], a, "2025-10"), (ids[0], a, "2025-11"), (ids[4], a, "2025-12")])
        let first = try plan(reg)
        #expect(first.actions.first?.1 == .suspected(since: YearMonth("2025-12")!))
        let pa = try #require(first.posts.firstIndex { $0.postID == "PA" })
        #expect(first.outcome.problem.capacity[pa] == 2)
        #expect(first.pool.contains { $0.workerID == ids[0] })
        try commit(reg, first)
        // January's extract arrives, still nothing for 甲: closed as lost, ending when the contributions stopped.
        try contributions(reg, [(ids[4], a, "2026-01")])
        let second = try plan(reg, asOf: CivilDate(year: 2026, month: 2, day: 10)!, id: "r2")
        #expect(second.actions.first?.1 == .lost(since: YearMonth("2025-12")!))
        try commit(reg, second)
        let w = try #require(try reg.worker(ids[0]))
        #expect(w.status == "待业" && w.placements[0].end == "2025-12-01")
        #expect(second.calls.first?.workerID == ids[0] && second.calls.first?.reason == "失岗 (两个月无社保) (贫困户)")
    }

    /// An employer with no rows for a month that others reported has not reported yet: no loss for its workers,
    /// and the run says so. A skipped night loses no job change: every month since the last reconciled is done.
    @Test func aMonthCountsOnlyForEmployersThatReportedIt() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA, b = StoreFixtures.codeB
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10"), (ids[2], "PB", "2025-10-10")])
        // December: B reported (but not 丙), A reported nothing.
        try contributions(reg, [(ids[0], a, "2025-10"), (ids[0], a, "2025-11"), (ids[2], b, "2025-10"), (ids[2], b, "2025-11"),
                                (ids[4], b, "2025-12")])
        let p = try plan(reg)
        let decided = Dictionary(uniqueKeysWithValues: p.actions.map { ($0.0.worker, $0.1) })
        #expect(decided[ids[0]] == .tooEarly)
        #expect(decided[ids[2]] == .suspected(since: YearMonth("2025-12")!))
        #expect(p.notes.contains { $0.contains("not yet reported 2025-12") && $0.contains(a) && $0.contains("甲厂") })
        try commit(reg, p)
        // Two months later, after a skipped night: January and February both reconciled, in order.
        try contributions(reg, [(ids[0], a, "2025-12"), (ids[0], StoreFixtures.codeX, "2026-01"), (ids[4], StoreFixtures.codeX, "2026-02"),
                                (ids[2], b, "2026-01"), (ids[2], b, "2026-02")], asOf: CivilDate(year: 2026, month: 3, day: 2)!)
        let q = try plan(reg, asOf: CivilDate(year: 2026, month: 3, day: 2)!, id: "r2")
        #expect(q.steps.filter { $0.placement.worker == ids[0] }.map(\.month) == ["2025-12", "2026-01", "2026-02"].map { YearMonth($0)! })
        #expect(q.steps.contains { $0.placement.worker == ids[0] && $0.action == .jobChange(newEmployer: StoreFixtures.codeX) })
        #expect(q.actions.first { $0.0.worker == ids[0] }?.1 == .suspected(since: YearMonth("2026-02")!))
        #expect(q.actions.first { $0.0.worker == ids[2] }?.1 == .confirmed)
        try commit(reg, q)
        #expect(try reg.worker(ids[0])?.placements.last?.creditCode == StoreFixtures.codeX)
    }

    @Test func callOutcomesAreCodesNotParsedText() {
        for (text, want) in [("在岗", Registry.CallOutcome.employed), ("employed", .employed), ("换岗", .jobChange), ("job_change", .jobChange),
                             ("失业", .unemployed), ("unemployed", .unemployed), ("联系不上", .unreachable), ("unreachable", .unreachable),
                             ("接受推荐", .accepted), ("accepted", .accepted), ("拒绝推荐", .declined), ("declined", .declined),
                             ("其他", .other), ("other", .other), (" 在岗 ", .employed)] {
            #expect(Registry.CallOutcome(code: text) == want, "\(text)")
        }
        // Free text is no code: nothing is guessed from it.
        for text in ["未离职", "没有失业", "no job change", "没上班了", "已到岗", "失岗", "不在岗", ""] {
            #expect(Registry.CallOutcome(code: text) == nil, "\(text)")
        }
    }

    @Test func confirmedPlacementNeverMoves() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10")])
        try contributions(reg, [(ids[0], a, "2025-12")])
        for n in 1...3 {
            let p = try plan(reg, id: "r\(n)")
            #expect(!p.pool.contains { $0.workerID == ids[0] })
            #expect(!p.proposals.contains { $0.worker == ids[0] })
            // PA has 3 openings, one held by the confirmed placement; PB's 3 are all open.
            let pa = try #require(p.posts.firstIndex { $0.postID == "PA" })
            let pb = try #require(p.posts.firstIndex { $0.postID == "PB" })
            #expect(p.outcome.problem.capacity[pa] == 2 && p.outcome.problem.capacity[pb] == 3)
            #expect(p.counts.openCapacity == 5)
            try commit(reg, p)
            #expect(try reg.worker(ids[0])?.placements.count == 1)
        }
        #expect(try reg.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") } == 3)
    }

    @Test func idempotentReimportAndHistory() throws {
        let reg = try seeded()
        let w = try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: asOf)
        let again = try reg.importWorkers(w, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 9, day: 1)!)
        #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == 5)
        let historyBefore = try reg.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM history") }
        #expect(historyBefore == 0)
        let edited = try StoreFixtures.workers(StoreFixtures.workerCSV.replacingOccurrences(of: "甲,新州镇,是,普工", with: "甲,新州镇,是,木工或司机"), asOf: asOf)
        let c = try reg.importWorkers(edited, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 9, day: 2)!)
        #expect(c.updated == 1 && c.unchanged == 4)
        let h = try reg.read { db in try Row.fetchAll(db, sql: "SELECT * FROM history") }
        #expect(h.count == 1 && (h[0]["field"] as String) == "intentions" && (h[0]["old_value"] as String) == "普工"
                && (h[0]["new_value"] as String) == "木工、司机")
        let p = try StoreFixtures.posts(StoreFixtures.postCSV)
        #expect(try reg.importPosts(p, taxonomy: StoreFixtures.taxonomy, date: asOf).unchanged == 2)
    }

    /// Every insert, update and delete of a table the counter's cache is read from clears the side(s) it feeds, and
    /// only those; an update of a worker column the pool does not read leaves the pool; with nothing cached the
    /// changes go through untouched.
    @Test func cacheTriggersClearTheSidesEachTableFeeds() throws {
        let reg = try seeded()
        let a = StoreFixtures.codeA, x = StoreFixtures.codeX, w = StoreFixtures.ids[0]
        let changes: [(String, [DatabaseValue], Set<String>)] = [
            ("INSERT INTO post (post_id, credit_code, employer, occupation, location, openings, wage_min, wage_max) VALUES ('PZ', ?, '甲厂', '普工', '罗湖区', 1, 5000, 6000)", [a.databaseValue], ["posts"]),
            ("UPDATE post SET openings = openings + 1 WHERE post_id = 'PZ'", [], ["posts"]),
            ("DELETE FROM post WHERE post_id = 'PZ'", [], ["posts"]),
            ("INSERT INTO employer (credit_code, name) VALUES (?, '丙厂')", [x.databaseValue], ["posts"]),
            ("UPDATE employer SET name = '丙厂二' WHERE credit_code = ?", [x.databaseValue], ["posts"]),
            ("DELETE FROM employer WHERE credit_code = ?", [x.databaseValue], ["posts"]),
            ("INSERT INTO placement (id_number, post_id, credit_code, start_date, source) VALUES (?, 'PA', ?, '2026-01-02', 'test')", [w.databaseValue, a.databaseValue], ["posts", "workers"]),
            ("UPDATE placement SET end_date = '2026-01-10' WHERE id_number = ?", [w.databaseValue], ["posts", "workers"]),
            ("DELETE FROM placement WHERE id_number = ?", [w.databaseValue], ["posts", "workers"]),
            ("INSERT INTO worker (id_number, name, township, status, status_source, status_date, registered) VALUES ('W-TEST', '庚', '新州镇', 'seeking', 'file', '2026-01-01', '2026-01-01')", [], ["workers"]),
            ("UPDATE worker SET last_contact = '2026-01-15' WHERE id_number = 'W-TEST'", [], []),
            ("UPDATE worker SET phone = '13800000009' WHERE id_number = 'W-TEST'", [], ["workers"]),
            ("DELETE FROM worker WHERE id_number = 'W-TEST'", [], ["workers"]),
        ]
        func sides(_ db: Database) throws -> Set<String> { Set(try String.fetchAll(db, sql: "SELECT side FROM encoded_cache")) }
        // With each side cached alone and both: a trigger that tested the wrong side would leave its own stale.
        for cached: Set<String> in [["posts"], ["workers"], ["posts", "workers"]] {
            for (sql, arguments, cleared) in changes {
                try reg.write { db in
                    try db.execute(sql: "DELETE FROM encoded_cache")
                    for side in cached.sorted() {
                        try db.execute(sql: "INSERT INTO encoded_cache (side, key, ids, rows, columns, matrix) VALUES (?, 'k', '', 0, 0, x'')",
                                       arguments: [side])
                    }
                    try db.execute(sql: sql, arguments: StatementArguments(arguments))
                    #expect(try sides(db) == cached.subtracting(cleared), "\(sql) with \(cached.sorted()) cached")
                }
            }
        }
        // Nothing cached: the same changes go through and nothing appears.
        try reg.write { db in
            try db.execute(sql: "DELETE FROM encoded_cache")
            for (sql, arguments, _) in changes { try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
            #expect(try sides(db).isEmpty)
            // Twelve triggers, each run only while something is cached (migration v6).
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'encoded_cache_%' AND sql LIKE '%WHEN%EXISTS (SELECT 1 FROM encoded_cache%'") == 12)
        }
    }

    /// An employer's name is the first one a posts file gives; a name already stored stays, and an employer known
    /// only from an exclusion (no name) takes the first one given. Employers are numbered in order of first mention.
    @Test func anEmployersNameIsTheFirstGiven() throws {
        let reg = try Registry.inMemory()
        let a = StoreFixtures.codeA, b = StoreFixtures.codeB, x = StoreFixtures.codeX
        _ = try reg.importExclusions([b], date: asOf)
        try reg.write { db in try db.execute(sql: "INSERT INTO employer (credit_code, name) VALUES (?, '旧名')", arguments: [x]) }
        // Two new employers, the later code first: numbered in order of mention, not of code or hash.
        let z: String = { let f = "91440300MA5DKKKK9"; return f + String(CreditCode.checkCharacter(for: f)) }()
        let csv = """
            岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限
            P1,乙厂,\(b),普工,罗湖区,3,5000,6000
            P0,丁厂,\(z),普工,罗湖区,3,5000,6000
            P2,甲厂,\(a),普工,宝安区,3,5000,6000
            P3,乙厂二,\(b),普工,宝安区,3,5000,6000
            P4,甲厂二,\(a),普工,宝安区,3,5000,6000
            P5,新名,\(x),普工,宝安区,3,5000,6000
            P6,丁厂二,\(z),普工,宝安区,3,5000,6000
            """
        #expect(try reg.importPosts(try StoreFixtures.posts(csv), taxonomy: StoreFixtures.taxonomy, date: asOf).inserted == 7)
        let rows = try reg.read { db in try Row.fetchAll(db, sql: "SELECT credit_code || ' ' || name || ' ' || excluded FROM employer ORDER BY rowid") }
        let want: [String] = [b + " 乙厂 1", x + " 旧名 0", z + " 丁厂 0", a + " 甲厂 0"]
        #expect(rows.map { $0[0] as String } == want)
    }

    @Test func aNewerStatusWinsAndBothAreKept() throws {
        // Reconciliation (2026-01-15) finds a job loss; staff then re-import their older file saying 在岗.
        let reg = try seeded()
        let ids = StoreFixtures.ids, b = StoreFixtures.codeB
        _ = try placements(reg, [(ids[3], "PB", "2025-10-10")])
        try contributions(reg, [(ids[3], b, "2025-10"), (ids[4], b, "2025-11"), (ids[4], b, "2025-12")])
        try commit(reg, try plan(reg))
        #expect(try reg.worker(ids[3])?.status == "待业")
        let file = try StoreFixtures.workers(StoreFixtures.workerCSV.replacingOccurrences(of: "丁,者保乡,否,普工,求职中", with: "丁,者保乡,否,普工,在岗"), asOf: asOf)
        // The file is dated 2025-12-20, before the last month without contributions ended (12-31): kept.
        let c = try reg.importWorkers(file, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 12, day: 20)!)
        #expect(c.statusKept == 1)
        #expect(try reg.worker(ids[3])?.status == "待业")
        // Importing the same file again adds nothing more to history or evidence.
        _ = try reg.importWorkers(file, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 12, day: 20)!)
        let h = try reg.read { db in try Row.fetchAll(db, sql: "SELECT field, new_value, source FROM history WHERE key = ? ORDER BY id", arguments: [ids[3]]) }
        #expect(h.filter { ($0["field"] as String) == "status" }.count == 2) // 求职中→在岗 (placement), 在岗→待业 (reconciliation)
        let evidence = try #require(try reg.worker(ids[3])).evidence
        // loss 12-31, this file 12-20, October confirmed 10-31, placement 10-10, registration
        #expect(evidence.map(\.source) == ["contribution", "file", "contribution", "file", "file"])
        #expect(evidence.map(\.date) == ["2025-12-31", "2025-12-20", "2025-10-31", "2025-10-10", "2025-09-01"])
        // The same file again, dated later (the CLI's default is today): its status is old news and changes nothing.
        _ = try reg.importWorkers(file, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2026, month: 11, day: 26)!)
        #expect(try reg.worker(ids[3])?.status == "待业")
        // A status staff changed (the last file said 在岗, this one 求职中), in a file dated after the
        // reconciliation, wins and is kept in history.
        #expect(file.first { $0.workerID == ids[3] }?.status == .employed)
        let changed = try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: asOf)
        #expect(changed.first { $0.workerID == ids[3] }?.status == .seeking)
        _ = try reg.importWorkers(changed, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2026, month: 1, day: 20)!)
        #expect(try reg.worker(ids[3])?.status == "求职中")
        let h2 = try reg.read { db in try Row.fetchAll(db, sql: "SELECT field, new_value FROM history WHERE key = ? ORDER BY id", arguments: [ids[3]]) }
        #expect(h2.filter { ($0["field"] as String) == "status" }.count == 3)
        #expect((h2.last?["new_value"] as String?) == "求职中")
    }

    @Test func callListOrderAndBudget() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA, b = StoreFixtures.codeB
        // ids[0] (甲, poor) and ids[1] (乙, not poor) suspected; others free and get proposals.
        _ = try placements(reg, [(ids[0], "PA", "2025-11-10"), (ids[1], "PB", "2025-11-10")])
        try contributions(reg, [(ids[0], a, "2025-11"), (ids[1], b, "2025-11"), (ids[4], a, "2025-12"), (ids[4], b, "2025-12")])
        _ = try reg.recordCall(Registry.Call(worker: ids[4], date: CivilDate(year: 2026, month: 1, day: 2)!, outcome: .unreachable))
        let p = try plan(reg)
        #expect(p.calls.map(\.reason).prefix(2) == ["疑似失岗 (贫困户)", "疑似失岗"])
        #expect(p.calls[0].workerID == ids[0] && p.calls[1].workerID == ids[1])
        // Then proposals the workers have not been told about, then the rest by time since the last contact.
        let rest = p.calls.dropFirst(2).map(\.reason)
        let proposals = rest.prefix { $0.hasPrefix("新推荐岗位: P") }
        #expect(proposals.count >= 1)
        #expect(rest.dropFirst(proposals.count).allSatisfy { $0.hasPrefix("回访") })
        #expect(Set(p.calls.map(\.workerID)).count == p.calls.count)
        #expect(p.calls[0].phone == "13800000001" && p.calls[0].number.hasPrefix("LL-") && p.calls[0].village.isEmpty)
        // 戊 has no phone: a visit, outside the call budget, with the proposal to tell about.
        let visit = try #require(p.contacts.visits.first { $0.workerID == ids[4] })
        #expect(visit.reason.contains("无电话") && visit.proposal != nil)
        #expect(!p.calls.contains { $0.workerID == ids[4] })
        let small = try plan(reg, calls: 1)
        #expect(small.calls.count == 1 && small.calls[0].reason == "疑似失岗 (贫困户)")
        // Over budget, the others due wait in the backlog; nothing due is lost.
        #expect(small.contacts.backlog.count == p.calls.filter { !$0.reason.hasPrefix("回访") }.count - 1)
        #expect(small.counts.waiting == small.contacts.backlog.count)
        // With the proposals committed and nobody told, the next day they are still due, a day older.
        try commit(reg, p)
        let next = try plan(reg, asOf: CivilDate(year: 2026, month: 1, day: 16)!, id: "r2", calls: 1)
        let waiting = next.contacts.backlog.filter { $0.proposal != nil && $0.reason.hasPrefix("新推荐岗位") }
        #expect(!waiting.isEmpty && waiting.allSatisfy { $0.daysWaiting == 1 && $0.since == CivilDate(year: 2026, month: 1, day: 15) })
        #expect(next.counts.oldestWaitDays >= 1)
        // A call (any outcome) tells the worker: the proposal leaves the lists.
        let toldID = waiting[0].workerID
        _ = try reg.recordCall(Registry.Call(worker: toldID, date: CivilDate(year: 2026, month: 1, day: 16)!, outcome: .other))
        let after = try plan(reg, asOf: CivilDate(year: 2026, month: 1, day: 16)!, id: "r3", calls: 1)
        #expect(!(after.contacts.calls + after.contacts.backlog).contains { $0.workerID == toldID && $0.proposal != nil })
    }

    @Test func aCallThatRecordsTheLossClosesThePlacement() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids
        _ = try placements(reg, [(ids[0], "PA", "2025-10-10")])
        let effect = try reg.recordCall(Registry.Call(worker: ids[0], date: asOf, outcome: .unemployed, note: "工厂停工"))
        #expect(effect.statusBefore == "在岗" && effect.statusAfter == "待业" && effect.closedPlacement == "PA")
        let w = try #require(try reg.worker(ids[0]))
        #expect(w.status == "待业" && w.placements[0].end == "2026-01-15" && w.contacts.count == 1)
        #expect(throws: Registry.CallError.unknownWorker("11010519891231109X")) {
            try reg.recordCall(Registry.Call(worker: "11010519891231109X", date: asOf, outcome: .other))
        }
    }

    @Test func placementsNamingUnknownWorkersOrPostsAreRejected() throws {
        let reg = try seeded()
        let r = try placements(reg, [(StoreFixtures.ids[0], "PZ", "2025-10-10"), ("440524198801010011", "PA", "2025-10-10"),
                                     ("36042619910102009X", "PA", "2025-10-10")])
        #expect(r.read == 3 && r.accepted.count == 1 && r.rejections.count == 2)
        #expect(r.rejectionMessages().joined().contains("unknown post"))
        #expect(r.rejectionMessages().joined().contains("wrong check character"))
    }

    @Test func badContributionRowsAreRejectedWithReasons() throws {
        let reg = try seeded()
        let a = StoreFixtures.codeA
        let text = """
            身份证号,统一社会信用代码,缴费月份
            \(StoreFixtures.ids[0]),\(a),2025-12
            \(StoreFixtures.ids[0]),\(a),202511
            \(StoreFixtures.ids[0]),91350100M000100Y44,2025-12
            \(StoreFixtures.ids[0]),\(a),2025-13
            \(StoreFixtures.ids[0]),\(a),2026-03
            36042619910102009X,\(a),2025-12
            440524198801010011,\(a),2025-12
            """
        var r = try HistoryIntake.contributions(path: StoreFixtures.tempFile("c.csv", text), asOf: asOf)
        let counts = try reg.importContributions(&r)
        #expect(r.read == 7 && r.accepted.count + r.rejections.count == 7)
        let all = r.rejectionMessages().joined(separator: "\n")
        for needle in ["wrong check character (expected 3)", "month must be YYYY-MM", "month is in the future", "wrong check character"] {
            #expect(all.contains(needle), "missing: \(needle)")
        }
        #expect(r.rejections.map(\.line) == [4, 5, 6, 7])
        #expect(counts.inserted == 3) // 2025-12, 2025-11 (written 202511) and 丙's
        // A valid ID number that is not in the registry.
        let stranger = "11010519491231003" + String(IDNumber.checkCharacter(for: "11010519491231003"))
        let unknown = "身份证号,统一社会信用代码,缴费月份\n\(stranger),\(a),2025-12\n"
        var u = try HistoryIntake.contributions(path: StoreFixtures.tempFile("u.csv", unknown), asOf: asOf)
        _ = try reg.importContributions(&u)
        #expect(u.read == 1 && u.rejections.count == 1)
        #expect(u.rejectionMessages().joined().contains("unknown worker"))
    }

    @Test func migrationsAndFileMode() throws {
        let path = StoreFixtures.tempFile("r.sqlite", "")
        try FileManager.default.removeItem(atPath: path)
        let reg = try Registry(path: path)
        #expect(try reg.read { db in try Registry.migrator.hasCompletedMigrations(db) })
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try reg.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") } == true)
    }
}

/// Status from evidence: the newest statement wins whatever order it arrived in; on the same date a call beats
/// contributions, which beat files.
@Suite struct StatusEvidenceTests {
    static let sources: [EvidenceSource] = [.call, .contribution, .file]
    static var pairs: [(EvidenceSource, EvidenceSource)] {
        sources.flatMap { a in sources.filter { $0 != a }.map { (a, $0) } }
    }

    func status(after statements: [(EvidenceSource, EmploymentStatus, String)]) throws -> String {
        let reg = try Registry.inMemory()
        let w = try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: CivilDate(year: 2026, month: 1, day: 15)!)
        _ = try reg.importWorkers(w, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 1, day: 1)!)
        let id = StoreFixtures.ids[0]
        try reg.write { db in
            for (source, status, date) in statements {
                try Registry.addEvidence(db, id, status, source, date: date, recorded: "2026-02-01")
            }
        }
        return try #require(try reg.worker(id)).status
    }

    /// Each pair of sources, in both orders of arrival: the newer one wins.
    @Test(arguments: pairs)
    func theNewerStatementWins(_ older: EvidenceSource, _ newer: EvidenceSource) throws {
        let a = (older, EmploymentStatus.unemployed, "2026-01-10"), b = (newer, EmploymentStatus.employed, "2026-01-15")
        #expect(try status(after: [a, b]) == "在岗", "\(older) then \(newer)")
        #expect(try status(after: [b, a]) == "在岗", "\(newer) arrived first, \(older) after")
    }

    /// The same date: call, then contributions, then files, whatever the order of arrival.
    @Test(arguments: pairs)
    func onTheSameDayTheStrongerSourceWins(_ a: EvidenceSource, _ b: EvidenceSource) throws {
        let strong = a.weight > b.weight ? a : b, weak = a.weight > b.weight ? b : a
        let s = (strong, EmploymentStatus.employed, "2026-01-15"), w = (weak, EmploymentStatus.unemployed, "2026-01-15")
        #expect(try status(after: [s, w]) == "在岗")
        #expect(try status(after: [w, s]) == "在岗")
    }
}

/// The status after a batch is folded from the stored status and the batch (no query over the evidence): checked
/// against SQL's own order over every stored statement, for random batches of several workers, dates and sources.
@Suite struct EvidenceFoldTests {
    @Test(arguments: [1, 2, 3, 4, 5])
    func storedStatusIsTheNewestEvidenceBySQL(seed: UInt64) throws {
        let reg = try Registry.inMemory()
        let w = try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: CivilDate(year: 2026, month: 1, day: 15)!)
        _ = try reg.importWorkers(w, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 1, day: 1)!)
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let statuses: [EmploymentStatus] = [.employed, .unemployed, .seeking]
        let ids = Array(StoreFixtures.ids.prefix(3))
        for batch in 0..<12 {
            let rows = (0..<(1 + next(6))).map { _ in
                Registry.EvidenceRow(id: ids[next(ids.count)], status: statuses[next(3)], source: StatusEvidenceTests.sources[next(3)],
                                     date: "2025-0\(1 + next(3))-1\(next(2))", detail: "")
            }
            try reg.write { db in _ = try Registry.addEvidence(db, rows, recorded: "2026-02-\(10 + batch)") }
            for id in ids {
                let (stored, newest) = try reg.read { db in
                    (try Row.fetchOne(db, sql: "SELECT status, status_source, status_date FROM worker WHERE id_number = ?", arguments: [id])!,
                     try Row.fetchOne(db, sql: "SELECT status, source, evidence_date FROM evidence WHERE id_number = ? " + Registry.newestFirst + " LIMIT 1",
                                      arguments: [id])!)
                }
                #expect(stored[0] as String == newest[0] as String && stored[1] as String == newest[1] as String
                        && stored[2] as String == newest[2] as String, "seed \(seed), batch \(batch), \(id)")
            }
        }
    }

    /// A registry from before evidence was kept may still name a worker's source 'contact' (a call) or
    /// 'reconciliation' (contributions); they keep their weight on the same date.
    @Test func oldSourceNamesKeepTheirWeight() throws {
        let reg = try Registry.inMemory()
        let w = try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: CivilDate(year: 2026, month: 1, day: 15)!)
        _ = try reg.importWorkers(w, taxonomy: StoreFixtures.taxonomy, date: CivilDate(year: 2025, month: 1, day: 1)!)
        let (a, b) = (StoreFixtures.ids[0], StoreFixtures.ids[1])
        try reg.write { db in
            try db.execute(sql: "UPDATE worker SET status = '在岗', status_source = 'contact', status_date = '2026-01-10' WHERE id_number = ?", arguments: [a])
            try db.execute(sql: "UPDATE worker SET status = '在岗', status_source = 'reconciliation', status_date = '2026-01-10' WHERE id_number = ?", arguments: [b])
            _ = try Registry.addEvidence(db, [.init(id: a, status: .unemployed, source: .contribution, date: "2026-01-10", detail: ""),
                                              .init(id: b, status: .unemployed, source: .file, date: "2026-01-10", detail: "")], recorded: "2026-01-11")
        }
        #expect(try reg.worker(a)?.status == "在岗")
        #expect(try reg.worker(b)?.status == "在岗")
        // A call on the same date beats an old 'reconciliation'.
        try reg.write { db in _ = try Registry.addEvidence(db, b, .unemployed, .call, date: "2026-01-10", recorded: "2026-01-11") }
        #expect(try reg.worker(b)?.status == "待业")
    }
}

/// What the review of the nightly found, as tests.
@Suite struct NightlyReviewTests {
    let asOf = CivilDate(year: 2026, month: 1, day: 15)!

    func seeded() throws -> Registry {
        let reg = try Registry.inMemory()
        _ = try reg.importWorkers(try StoreFixtures.workers(StoreFixtures.workerCSV, asOf: asOf), taxonomy: StoreFixtures.taxonomy,
                                  date: CivilDate(year: 2025, month: 5, day: 1)!)
        _ = try reg.importPosts(try StoreFixtures.posts(StoreFixtures.postCSV), taxonomy: StoreFixtures.taxonomy, date: asOf)
        return reg
    }

    func load(_ reg: Registry, placements: [(String, String, String)], contributions: [(String, String, String)]) throws {
        var p = try HistoryIntake.placements(path: StoreFixtures.tempFile("p.csv", "身份证号,岗位编号,入职日期\n" + placements.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n")), asOf: asOf)
        _ = try reg.importPlacements(&p, date: asOf)
        var c = try HistoryIntake.contributions(path: StoreFixtures.tempFile("c.csv", "身份证号,统一社会信用代码,缴费月份\n" + contributions.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n")), asOf: asOf)
        _ = try reg.importContributions(&c)
    }

    func plan(_ reg: Registry, _ day: Int, month: Int = 1, calls: Int = 200, id: String) throws -> Nightly.Plan {
        var o = Nightly.Options(asOf: CivilDate(year: 2026, month: month, day: day)!)
        o.calls = calls
        return try Nightly.plan(registry: reg, taxonomy: StoreFixtures.taxonomy, weights: StoreFixtures.weights, options: o, runID: id)
    }

    /// A gap in the history, paid again afterwards: replaying the months does not close the placement.
    @Test func aHistoricGapPaidAgainIsNotALoss() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA
        let months = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
        try load(reg, placements: [(ids[0], "PA", "2025-06-01")],
                 contributions: months.filter { !["2025-08", "2025-09"].contains($0) }.map { (ids[0], a, $0) } + months.map { (ids[4], a, $0) })
        let p = try plan(reg, 15, id: "r1")
        #expect(p.counts.lost == 0)
        #expect(p.actions.first { $0.0.worker == ids[0] }?.1 == .confirmed)
        try Nightly.commit(p, registry: reg, parameters: [:], inputs: [:], version: "t", started: "r1")
        #expect(try reg.worker(ids[0])?.placements.first?.end == nil)
    }

    /// A loss found tonight, over budget, stays due on the next nights (ageing) until someone calls.
    @Test func aLossStaysDueUntilCalled() throws {
        let reg = try seeded()
        let ids = StoreFixtures.ids, a = StoreFixtures.codeA
        try load(reg, placements: [(ids[0], "PA", "2025-10-10")],
                 contributions: [(ids[0], a, "2025-10"), (ids[4], a, "2025-11"), (ids[4], a, "2025-12")])
        let first = try plan(reg, 15, calls: 0, id: "r1")
        #expect(first.counts.lost == 1)
        let due = try #require(first.contacts.backlog.first { $0.workerID == ids[0] })
        #expect(due.reason.hasPrefix("失岗") && due.proposal != nil, "the loss row tells the new proposal too")
        try Nightly.commit(first, registry: reg, parameters: [:], inputs: [:], version: "t", started: "r1")
        let second = try plan(reg, 18, calls: 0, id: "r2")
        let still = try #require(second.contacts.backlog.first { $0.workerID == ids[0] })
        #expect(still.reason.hasPrefix("失岗") && still.daysWaiting == 3)
        try Nightly.commit(second, registry: reg, parameters: [:], inputs: [:], version: "t", started: "r2")
        _ = try reg.recordCall(Registry.Call(worker: ids[0], date: CivilDate(year: 2026, month: 1, day: 19)!, outcome: .other))
        let third = try plan(reg, 20, calls: 0, id: "r3")
        #expect(!(third.contacts.backlog + third.contacts.calls).contains { $0.workerID == ids[0] && $0.reason.hasPrefix("失岗") })
    }

    /// A directory, or another program's SQLite file, as --db: refused and left as it was.
    @Test func notARegistryIsRefusedUntouched() throws {
        let dir = TemporaryFolders.make("db")
        #expect(throws: Registry.FileProblem.notADatabase(path: dir)) { try Registry(path: dir) }
        let other = dir + "/other.sqlite"
        let q = try DatabaseQueue(path: other)
        try q.write { db in try db.execute(sql: "CREATE TABLE notes (t TEXT)") }
        try q.close()
        chmod(other, 0o644)
        #expect(throws: Registry.FileProblem.notADatabase(path: other)) { try Registry(path: other) }
        #expect(try FileManager.default.attributesOfItem(atPath: other)[.posixPermissions] as? Int == 0o644)
    }
}

/// BulkRows binds values with SQLite's C calls: every storage class comes back as given (an empty text is text,
/// not NULL), batches split at `BulkRows.batch` keep the order, and a failing row is a DatabaseError that rolls
/// the statement back. The oracle is GRDB's own reading of the table.
@Suite struct BulkRowsTests {
    @Test func valuesOrderAndErrors() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY, i INTEGER, d REAL, s TEXT, b BLOB, z)")
            let count = BulkRows.batch * 2 + 3
            var rows: [[DatabaseValue]] = []
            for n in 0..<count {
                let text: String = n % 3 == 0 ? "" : "行\(n), \"quoted\""
                let last: DatabaseValue = n % 2 == 0 ? .null : "x".databaseValue
                let row: [DatabaseValue] = [n.databaseValue, (n * 7 - 1000).databaseValue, (Double(n) / 4).databaseValue,
                                            text.databaseValue, Data([UInt8(n % 256), 0, 1]).databaseValue, last]
                rows.append(row)
            }
            #expect(try BulkRows.execute(db, "INSERT INTO t (n, i, d, s, b, z) VALUES {rows}", rows: rows) == count)
            let back = try Row.fetchAll(db, sql: "SELECT n, i, d, s, b, z FROM t ORDER BY rowid")
            #expect(back.count == count)
            for (n, r) in back.enumerated() {
                #expect(r[0] as Int == n && r[1] as Int == n * 7 - 1000 && r[2] as Double == Double(n) / 4)
                #expect((r["s"] as DatabaseValue) == rows[n][3] && (r["b"] as Data) == Data([UInt8(n % 256), 0, 1]))
                #expect((r["z"] as DatabaseValue).isNull == (n % 2 == 0))
            }
            #expect(try String.fetchOne(db, sql: "SELECT typeof(s) FROM t WHERE n = 0") == "text")
            // A duplicate key in the second batch: an error naming the constraint, and that batch left out.
            func clashRow(_ k: Int) -> [DatabaseValue] {
                [(10_000 + k).databaseValue, 0.databaseValue, 0.databaseValue, "".databaseValue, Data().databaseValue, .null]
            }
            let clash: [[DatabaseValue]] = (0..<(BulkRows.batch + 1)).map(clashRow) + [clashRow(0)]
            #expect(throws: DatabaseError.self) { try BulkRows.execute(db, "INSERT INTO t (n, i, d, s, b, z) VALUES {rows}", rows: clash) }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t WHERE n >= 10000") == BulkRows.batch)
            #expect(try BulkRows.execute(db, "INSERT INTO t (n) VALUES {rows}", rows: []) == 0)
        }
    }
}
