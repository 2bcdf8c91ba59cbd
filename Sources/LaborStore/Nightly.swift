import Dispatch
import Foundation
import GRDB
import LaborModel
import MatchCore
import Synchronization

/// The nightly run (DESIGN.md §5): reconcile social insurance, keep confirmed placements where they are,
/// re-match everyone free against the open capacity, propose placements, and tell staff whom to call.
///
/// `plan` only reads the registry; `commit` applies everything in one transaction. Between the two, the CLI
/// writes the run's files, so that a run killed at any point leaves the previous outputs and a consistent
/// database.
public enum Nightly {
    public struct Options: Sendable {
        public var asOf: CivilDate
        public var topK = 20
        public var calls = 200
        public var threads: Int?
        public init(asOf: CivilDate) { self.asOf = asOf }
    }

    /// What reconciliation decided for one open placement.
    public enum Action: Sendable, Equatable {
        case confirmed
        case jobChange(newEmployer: String)
        case suspected(since: YearMonth)
        /// Closed: two months with data and no contribution; the placement ends at the first of them.
        case lost(since: YearMonth)
        case tooEarly
    }

    struct OpenPlacement {
        var id: Int64
        var worker: String
        var postID: String?
        var creditCode: String
        var start: CivilDate
        var suspectedSince: YearMonth?
        var confirmedMonth: YearMonth?
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var confirmed = 0
        public var jobChanges = 0
        public var suspected = 0
        public var lost = 0
        public var pool = 0
        public var openPosts = 0
        public var openCapacity = 0
        public var proposals = 0
        public var newProposals = 0
        public var changedProposals = 0
        public var keptProposals = 0
        /// Last run's proposals with none tonight (placed, no longer free, or no longer feasible).
        public var withdrawnProposals = 0
        public var calls = 0
        /// Who should be called and is not today, and the oldest wait in days.
        public var waiting = 0
        public var oldestWaitDays = 0
        public var visits = 0

        enum CodingKeys: String, CodingKey {
            case confirmed, suspected, lost, pool, proposals, calls
            case jobChanges = "job_changes", openPosts = "open_posts", openCapacity = "open_capacity"
            case newProposals = "new_proposals", changedProposals = "changed_proposals", keptProposals = "kept_proposals"
            case withdrawnProposals = "withdrawn_proposals"
            case waiting, visits
            case oldestWaitDays = "oldest_wait_days"
        }
    }

    /// One person to contact, and why.
    public struct Call: Sendable, Equatable {
        public var workerID: String
        /// 人员编号.
        public var number: String
        public var name: String
        public var township: String
        public var village: String
        public var phone: String
        public var reason: String
        public var poor: Bool
        /// Since when the call has been due (the loss found, the proposal first made); nil for follow-ups.
        public var since: CivilDate?
        public var daysWaiting: Int
        /// The proposal to tell the worker about.
        public var proposal: ProposalDetail?
    }

    /// What staff read out when they tell a worker about a proposal.
    public struct ProposalDetail: Sendable, Equatable {
        public var postID: String
        public var employer: String
        public var occupation: String
        public var location: String
        public var wage: String
        public var boardLodging: Bool
    }

    /// The day's contact lists: at most `--calls` calls; everyone else who should be called and is not today
    /// (backlog, ageing); and those to visit (no phone, or unreachable three times in a row), outside the budget.
    public struct ContactLists: Sendable {
        public var calls: [Call] = []
        public var backlog: [Call] = []
        public var visits: [Call] = []
    }

    public struct Plan: Sendable {
        public var runID: String
        public var options: Options
        /// The month reconciled (latest complete month with contribution data), nil when there is none.
        public var reconciledMonth: YearMonth?
        public var notes: [String]
        var actions: [(OpenPlacement, Action)]
        var steps: [Reconciliation.Step]
        public var counts: Counts
        public var pool: [Worker]
        public var posts: [JobPost]
        public var result: ScoringResult
        public var outcome: Placement.Outcome
        public var proposals: [(worker: String, post: String, score: Double)]
        public var contacts: ContactLists
        public var calls: [Call] { contacts.calls }
        /// 人员编号 by ID number, for the files about people.
        public var numbers: [String: String]
        public var rules: MatchRules
        /// Stored rows the night read that no longer validate (workers first, then posts, each by line in its
        /// table): not matched. Rows the night does not read (a placed worker nobody doubts and who is not called,
        /// a full post) are not checked.
        public var problems: [String]
        /// The pool's and the open posts' scoring matrices (rows as `pool` and `posts`), for suggest's cache.
        var encoded: (workers: FeatureMatrix, posts: FeatureMatrix)
        /// The registry's data_version when the plan read it (`Suggest.store` keeps the encoding only if unchanged).
        var dataVersion: Int
        /// Seconds of each stage (snapshot, reconcile, score, solve, contacts), for summary.json.
        public var stages: [String: Double] = [:]
    }

    /// What the night scored, handed to `plan`'s `scored` hook as soon as it is known, so that work on the
    /// candidate lists can run beside the solve and the contact lists.
    public struct Scored: Sendable {
        public let pool: [Worker]
        public let posts: [JobPost]
        public let result: ScoringResult
        public let rules: MatchRules
        /// 人员编号 by ID number.
        public let numbers: [String: String]
    }

    /// - Parameter scored: called once on the plan's thread when the scores are known; it must return quickly
    ///   (start work elsewhere), since the plan goes on to the solve and the contact lists.
    public static func plan(registry: Registry, taxonomy: Taxonomy, weights: ScoringWeights, options: Options,
                            runID: String, scored: ((Scored) -> Void)? = nil) throws -> Plan {
        try plan(registry: registry, taxonomy: taxonomy, weights: weights, options: options, runID: runID, scored: scored, reconciled: nil)
    }

    /// - Parameter reconciled: called once on the plan's thread with the reconciliation's steps as soon as they
    ///   are known (before the scoring); like `scored`, it must return quickly.
    static func plan(registry: Registry, taxonomy: Taxonomy, weights: ScoringWeights, options: Options, runID: String,
                     scored: ((Scored) -> Void)?, reconciled: (([Reconciliation.Step]) -> Void)?) throws -> Plan {
        try registry.read { db in
            try plan(db, taxonomy: taxonomy, weights: weights, options: options, runID: runID, scored: scored, reconciled: reconciled)
        }
    }

    /// The workers a night reads first: all but those holding a placement that no suspicion hangs over (they are
    /// neither matched nor called unless tonight's reconciliation doubts or closes the placement).
    static let unheld = "id_number NOT IN (SELECT id_number FROM placement WHERE end_date IS NULL AND suspected_since IS NULL)"

    static func plan(_ db: Database, taxonomy: Taxonomy, weights: ScoringWeights, options: Options, runID: String,
                     scored: ((Scored) -> Void)? = nil, reconciled: (([Reconciliation.Step]) -> Void)? = nil) throws -> Plan {
        var stages: [String: Double] = [:]
        var clock = Date()
        func lap(_ name: String) { stages[name] = Date().timeIntervalSince(clock); clock = Date() }
        // The open placements first (the posts they fill need no validating tonight), then the snapshot's rows, which
        // are validated on other threads while the contributions are read and the placements reconciled (the
        // reconciliation does not need them); "snapshot" times the reading, "reconcile" the rest.
        var open: [OpenPlacement] = []
        // Columns by position: a lookup by name per cell costs more than the row on tens of thousands of rows.
        let placementRows = try Row.fetchCursor(db, sql: """
            SELECT id, id_number, post_id, credit_code, start_date, suspected_since, confirmed_month FROM placement
            WHERE end_date IS NULL ORDER BY id
            """)
        while let r = try placementRows.next() {
            open.append(OpenPlacement(id: r[0], worker: r[1], postID: r[2], creditCode: r[3], start: CivilDate(iso: r[4])!,
                                      suspectedSince: (r[5] as String?).flatMap { YearMonth($0) },
                                      confirmedMonth: (r[6] as String?).flatMap { YearMonth($0) }))
        }
        // Validated first: the workers of `unheld`, and the posts with an opening beyond the places open placements
        // hold (reconciliation only frees places: another post gains room only where tonight closes a placement).
        var heldBefore: [String: Int] = [:]
        for case let post? in open.map(\.postID) { heldBefore[post, default: 0] += 1 }
        let (rows, fullPosts) = try Registry.SnapshotRows(db, workerFilter: unheld).keepingPosts { id, openings in
            (heldBefore[id] ?? 0) < (openings ?? .max)
        }
        let validated = Mutex<Result<(workers: IntakeResult<Worker>, posts: IntakeResult<JobPost>), any Error>?>(nil)
        let validating = DispatchGroup()
        DispatchQueue.global().async(group: validating) {
            let r = Result { try rows.validated(taxonomy: taxonomy, asOf: options.asOf) }
            validated.withLock { $0 = r }
        }
        defer { validating.wait() }
        lap("snapshot")
        var notes: [String] = []
        // 1. Which months to reconcile: every complete month with data since the last one reconciled (that one again,
        // for late reports), in order.
        let complete = YearMonth(options.asOf).previous
        let latest = try String.fetchOne(db, sql: "SELECT MAX(month) FROM contribution WHERE month <= ?", arguments: [complete.description])
            .flatMap { YearMonth($0) }
        if latest == nil {
            notes.append("no social-insurance contributions up to \(complete) in the registry: nothing reconciled (尚无社保数据)")
        } else if latest! < complete {
            notes.append("no contributions for \(complete) imported yet: reconciled up to \(latest!) only (\(complete) 社保数据尚未导入)")
        }
        let lastReconciled = try String.fetchOne(db, sql: """
            SELECT reconciled_month FROM run WHERE reconciled_month IS NOT NULL ORDER BY started DESC, id DESC LIMIT 1
            """).flatMap { YearMonth($0) }
        let months = try String.fetchAll(db, sql: "SELECT DISTINCT month FROM contribution WHERE month <= ? AND month >= ? ORDER BY month",
                                         arguments: [complete.description, lastReconciled?.description ?? ""]).compactMap { YearMonth($0) }
        // 2. Reconcile the open placements month by month.
        var contributions = Contributions()
        var monthOf: [String: YearMonth] = [:]
        let contributionRows = try Row.fetchCursor(db, sql: """
            SELECT id_number, credit_code, month FROM contribution WHERE month <= ? ORDER BY id_number
            """, arguments: [complete.description])
        while let r = try contributionRows.next() {
            let text: String = r[2]
            let m: YearMonth? = monthOf[text] ?? YearMonth(text)
            monthOf[text] = m
            if let m { contributions.append(worker: r[0], employer: r[1], month: m) }
        }
        contributions.finish()
        // The newest call or file that said "at work", for the workers a decision may ask about.
        var atWork: [String: CivilDate] = [:]
        let ask = askAtWork(open: open, months: months, contributions: contributions)
        if !ask.isEmpty {
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id_number, MAX(evidence_date) FROM evidence WHERE id_number IN (SELECT value FROM json_each(?))
                AND status = '在岗' AND source IN ('call', 'file') GROUP BY id_number
                """, arguments: [String(decoding: try JSONOutput.encode(ask), as: UTF8.self)])
            while let r = try rows.next() { atWork[r[0]] = CivilDate(iso: r[1]) }
        }
        let rec = reconcile(open: open, months: months, contributions: contributions, atWork: atWork)
        reconciled?(rec.steps)
        validating.wait()
        var snap = try validated.withLock { $0! }.get()
        try Registry.renumber(db, workerRejections: &snap.workers.rejections)
        var workers = Registry.RowsInParts(first: snap.workers, filter: unheld, column: "id_number", id: \.workerID) { db, filter, arguments in
            try Registry.workers(db, taxonomy: taxonomy, asOf: options.asOf, filter: filter, arguments: arguments)
        }
        lap("reconcile")
        if let m = latest, let missing = rec.notReported[m], !missing.isEmpty {
            let five = missing.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            var names: [String: String] = [:]   // the five named, not every employer
            for r in try Row.fetchAll(db, sql: "SELECT credit_code, name FROM employer WHERE name != '' AND credit_code IN (SELECT value FROM json_each(?))",
                                      arguments: [String(decoding: try JSONOutput.encode(five.map(\.key)), as: UTF8.self)]) {
                names[r[0]] = r[1]
            }
            let top = five.map { "\(names[$0.key] ?? $0.key) (\($0.key), \($0.value) 人)" }.joined(separator: ", ")
            notes.append("\(missing.count) employers have not yet reported \(m) (尚未报送 \(m) 社保数据), so their \(missing.values.reduce(0, +)) placements wait: \(top)")
        }
        var counts = Counts()
        for step in rec.steps {
            if case .jobChange = step.action { counts.jobChanges += 1 }
            if case .lost = step.action { counts.lost += 1 }
        }
        let actions = rec.lastMonth
        // Confirmed for the last month: by tonight's steps or an earlier run (not the placements a job change opened).
        let opened = Set(rec.steps.compactMap(\.opened))
        counts.confirmed = rec.open.filter { $0.confirmedMonth != nil && $0.confirmedMonth == months.last && $0.suspectedSince == nil
            && !opened.contains($0.id) }.count
        var holding: [String: String?] = [:]   // worker → post held after reconciliation (nil post = employer outside the registry)
        var suspected = Set<String>()
        for p in rec.open {
            holding[p.worker] = p.postID
            if p.suspectedSince != nil { suspected.insert(p.worker) }
        }
        counts.suspected = suspected.count
        // 3. The pool: free workers and suspected losses; the open capacity: openings minus held places.
        // The stored status, as the snapshot read it (the same read transaction). Whoever held an undoubted
        // placement is in the pool tonight only if reconciliation put it in doubt or closed it.
        let lostWorkers = rec.lost
        try workers.include(suspected.union(lostWorkers), db)
        let pool = workers.all.filter { w in
            if suspected.contains(w.workerID) { return true }
            if holding[w.workerID] != nil { return false }
            return lostWorkers.contains(w.workerID) || w.status != .employed
        }
        var held: [String: Int] = [:]
        for case let post?? in holding.values { held[post, default: 0] += 1 }
        let excluded = Set(try String.fetchAll(db, sql: "SELECT credit_code FROM employer WHERE excluded = 1"))
        var posts: [JobPost] = []
        var capacity: [Int] = []
        // The posts whose placements closed tonight may have room now.
        let freed = Set(rec.steps.compactMap { step -> String? in
            switch step.action {
            case .lost, .jobChange: return step.placement.postID
            default: return nil
            }
        })
        let more = try rows.validatePosts(fullPosts.filter { freed.contains($0.fields[0]) }, taxonomy: taxonomy)
        let postProblems = Registry.problems([snap.posts, more])
        for p in (snap.posts.accepted + more.accepted).sorted(by: { $0.line < $1.line }) where !excluded.contains(p.creditCode) {
            let room = p.openings - (held[p.postID] ?? 0)
            if room > 0 {
                posts.append(p)
                capacity.append(room)
            }
        }
        counts.pool = pool.count
        counts.openPosts = posts.count
        counts.openCapacity = capacity.reduce(0, +)
        // 4. Re-match the pool against the open capacity.
        let rules = MatchRules(taxonomy: taxonomy, weights: weights, asOf: options.asOf, excludedEmployers: excluded)
        let matcher = Matcher(rules: rules)
        // Scored as `match` scores (Matcher.candidates), with the encoded rows kept for suggest's cache.
        let encoded = matcher.scoringMatrices(workers: pool, posts: posts)
        let result = Matcher.topK(scoringWorkers: encoded.workers, posts: encoded.posts, floor: matcher.encoder.floor, k: options.topK,
                                  codes: TieCodes(workerIDs: pool.map(\.workerID), postIDs: posts.map(\.postID)), threads: options.threads)
        let numbers = try Registry.personNumbers(db)
        lap("score")
        scored?(Scored(pool: pool, posts: posts, result: result, rules: rules, numbers: numbers))
        // Proposals a worker declined (拒绝推荐) are never made again.
        let poolIndex = Dictionary(uniqueKeysWithValues: pool.enumerated().map { ($1.workerID, $0) })
        let postRow = Dictionary(uniqueKeysWithValues: posts.enumerated().map { ($1.postID, $0) })
        var declined = Set<Placement.Pair>()
        for r in try Row.fetchAll(db, sql: "SELECT id_number, post_id FROM declined") {
            if let i = poolIndex[r["id_number"] as String], let j = postRow[r["post_id"] as String] { declined.insert(Placement.Pair(worker: i, post: j)) }
        }
        var placementOptions = Placement.Options()
        placementOptions.verify = true
        // Last night's proposals: kept among equally good assignments (see Placement.solve(keeping:)).
        var previous: [String: String] = [:]
        if let last = try String.fetchOne(db, sql: "SELECT id FROM run ORDER BY started DESC, id DESC LIMIT 1") {
            for r in try Row.fetchAll(db, sql: "SELECT id_number, post_id FROM proposal WHERE run_id = ?", arguments: [last]) {
                previous[r["id_number"]] = r["post_id"]
            }
        }
        let keep = pool.enumerated().compactMap { i, w in previous[w.workerID].flatMap { postRow[$0] }.map { (worker: i, post: $0) } }
            .filter { !declined.contains(Placement.Pair(worker: $0.worker, post: $0.post)) }
        // A pair from last night still eligible stays a candidate even when it fell out of both top-K lists, so that
        // it changes only when it is no longer feasible or something strictly better exists.
        let extra: [(worker: Int, post: Int, weight: Int64)] = keep.compactMap { k in
            let w = pool[k.worker], p = posts[k.post]
            return rules.violations(w, p).isEmpty ? (k.worker, k.post, Int64(rules.quantizedScore(w, p))) : nil
        }
        let graph = try Placement.graph(result, workers: pool.count, capacities: capacity, excluding: declined, adding: extra)
        let outcome: Placement.Outcome
        do {
            outcome = try Placement.solve(graph, poor: pool.map(\.poorHousehold), options: placementOptions, keeping: keep).outcome
        } catch AssignmentError.beyondSafeRange {
            // Scaling for the keep bonus would overflow: solve without keeping (still optimal, maybe other ties).
            outcome = try Placement.solve(graph, poor: pool.map(\.poorHousehold), options: placementOptions, network: nil)
        }
        var proposals: [(worker: String, post: String, score: Double)] = []
        for (i, w) in pool.enumerated() where outcome.assignment.postOf[i] >= 0 {
            let j = Int(outcome.assignment.postOf[i])
            proposals.append((w.workerID, posts[j].postID, Double(graph.weight(worker: i, post: j)!) / Double(ScoringWeights.quantization)))
        }
        counts.proposals = proposals.count
        // 5. What changed since the previous run.
        let proposed = Set(proposals.map(\.worker))
        counts.withdrawnProposals = previous.keys.filter { !proposed.contains($0) }.count
        for p in proposals {
            switch previous[p.worker] {
            case nil: counts.newProposals += 1
            case p.post?: counts.keptProposals += 1
            default: counts.changedProposals += 1
            }
        }
        // 6. The day's contact lists.
        lap("solve")
        let contacts = try contactLists(db, workers: &workers, suspected: suspected, lost: lostWorkers, proposals: proposals,
                                        posts: posts, numbers: numbers, taxonomy: taxonomy, asOf: options.asOf, budget: options.calls)
        counts.calls = contacts.calls.count
        counts.waiting = contacts.backlog.count
        counts.oldestWaitDays = contacts.backlog.map(\.daysWaiting).max() ?? 0
        counts.visits = contacts.visits.count
        lap("contacts")
        return Plan(runID: runID, options: options, reconciledMonth: months.last ?? lastReconciled, notes: notes, actions: actions,
                    steps: rec.steps, counts: counts,
                    pool: pool, posts: posts, result: result, outcome: outcome, proposals: proposals, contacts: contacts,
                    numbers: numbers, rules: rules, problems: workers.problems + postProblems, encoded: encoded,
                    dataVersion: try Suggest.dataVersion(db), stages: stages)
    }

    /// Who should be called tonight: job losses (poor households first), then proposals the worker has not been
    /// told about yet (a proposal counts as told once a call with any outcome is recorded on or after the day it was
    /// first made; it leaves the list when told, withdrawn or replaced). Workers without a phone, or unreachable
    /// three times in a row, go to the visit list (上门) and use no call budget. The first `budget` calls are
    /// today's; the other due ones wait in the backlog, oldest wait first; a budget left over is filled with
    /// follow-ups of those longest without contact.
    static func contactLists(_ db: Database, workers: inout Registry.RowsInParts<Worker>, suspected: Set<String>, lost: Set<String>,
                             proposals: [(worker: String, post: String, score: Double)], posts: [JobPost],
                             numbers: [String: String], taxonomy t: Taxonomy, asOf: CivilDate, budget: Int) throws -> ContactLists {
        var lastContact: [String: String] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT id_number, last_contact FROM worker WHERE last_contact IS NOT NULL") {
            lastContact[r["id_number"]] = r["last_contact"]
        }
        var lossFound: [String: String] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT id_number, suspected_found FROM placement WHERE end_date IS NULL AND suspected_found IS NOT NULL") {
            lossFound[r["id_number"]] = r["suspected_found"]
        }
        // Jobs found lost on an earlier night and nobody called since: still due.
        var earlierLoss = Set<String>()
        for r in try Row.fetchAll(db, sql: """
            SELECT p.id_number, p.suspected_found FROM placement p JOIN worker w ON w.id_number = p.id_number
            WHERE p.end_reason LIKE 'job loss (no social%' AND p.suspected_found IS NOT NULL
              AND (w.last_contact IS NULL OR w.last_contact < p.suspected_found)
              AND NOT EXISTS (SELECT 1 FROM placement o WHERE o.id_number = p.id_number AND o.end_date IS NULL)
            """) {
            let id: String = r["id_number"]
            earlierLoss.insert(id)
            lossFound[id] = r["suspected_found"]
        }
        var firstProposed: [String: String] = [:]   // "worker|post" → the day the pair was first proposed
        for r in try Row.fetchAll(db, sql: "SELECT id_number, post_id, first FROM proposal_first") {
            firstProposed[(r["id_number"] as String) + "|" + (r["post_id"] as String)] = r["first"]
        }
        var unreachable: [String: Int] = [:]
        var streakOpen = Set<String>()
        for r in try Row.fetchAll(db, sql: "SELECT id_number, code FROM contact ORDER BY id_number, date DESC, id DESC") {
            let id: String = r["id_number"]
            if unreachable[id] == nil { unreachable[id] = 0; streakOpen.insert(id) }
            guard streakOpen.contains(id) else { continue }
            if (r["code"] as String?) == Registry.CallOutcome.unreachable.rawValue { unreachable[id]! += 1 } else { streakOpen.remove(id) }
        }
        // Everyone to name: the plan read the pool and the doubted placements' workers; those unreachable three times
        // in a row may hold a placement.
        try workers.include(unreachable.filter { $0.value >= 3 }.keys, db)
        let postByID = Dictionary(uniqueKeysWithValues: posts.map { ($0.postID, $0) })
        let today = asOf.description
        func call(_ id: String, _ reason: String, since: String?, proposal: ProposalDetail? = nil) -> Call? {
            guard let w = workers[id] else { return nil }
            let sinceDate = since.flatMap { CivilDate(iso: $0) }
            return Call(workerID: id, number: numbers[id] ?? "", name: w.name, township: t.townships[w.township].name, village: w.village,
                        phone: w.phone ?? "", reason: reason, poor: w.poorHousehold, since: sinceDate,
                        daysWaiting: sinceDate.map { max(0, $0.days(until: asOf)) } ?? 0, proposal: proposal)
        }
        func detail(_ postID: String) -> ProposalDetail? {
            guard let post = postByID[postID] else { return nil }
            return ProposalDetail(postID: post.postID, employer: post.employer, occupation: t.occupations[post.occupation].name,
                                  location: t.destinations[post.location].name,
                                  wage: post.wageMin == post.wageMax ? "\(post.wageMin)" : "\(post.wageMin)–\(post.wageMax)",
                                  boardLodging: post.boardLodging)
        }
        let proposalOf = Dictionary(proposals.map { ($0.worker, $0.post) }, uniquingKeysWith: { a, _ in a })
        // Due: losses (with tonight's proposal for them, if any, to tell on the same call), then untold proposals.
        var losses: [Call] = []
        for id in suspected.union(lost).union(earlierLoss) {
            let poor = workers[id]?.poorHousehold == true
            let reason = (suspected.contains(id) ? "疑似失岗" : "失岗 (两个月无社保)") + (poor ? " (贫困户)" : "")
            if let c = call(id, reason, since: lossFound[id] ?? today, proposal: proposalOf[id].flatMap(detail)) { losses.append(c) }
        }
        var told: [Call] = []
        for p in proposals {
            let first = firstProposed[p.worker + "|" + p.post] ?? today
            if let last = lastContact[p.worker], last >= first { continue }
            guard let d = detail(p.post) else { continue }
            let reason = "新推荐岗位: \(d.postID) \(d.occupation) \(d.location)"
            if let c = call(p.worker, reason, since: first, proposal: d) { told.append(c) }
        }
        // Poor households first, then the longest wait, then the person.
        func order(_ a: Call, _ b: Call) -> Bool {
            (a.poor ? 0 : 1, -a.daysWaiting, a.workerID) < (b.poor ? 0 : 1, -b.daysWaiting, b.workerID)
        }
        let due = losses.sorted(by: order) + told.sorted(by: order)
        var lists = ContactLists()
        var listed = Set<String>()
        for c in due where !listed.contains(c.workerID) {
            listed.insert(c.workerID)
            if c.phone.isEmpty {
                var v = c
                v.reason += "; 无电话, 请上门 (no phone: visit)"
                lists.visits.append(v)
            } else if (unreachable[c.workerID] ?? 0) >= 3 {
                var v = c
                v.reason += "; 连续 \(unreachable[c.workerID]!) 次联系不上, 请上门 (unreachable: visit)"
                lists.visits.append(v)
            } else if lists.calls.count < budget {
                lists.calls.append(c)
            } else {
                lists.backlog.append(c)
            }
        }
        // Whoever was unreachable three times in a row is visited, due or not.
        for (id, n) in unreachable.sorted(by: { $0.key < $1.key }) where n >= 3 && !listed.contains(id) {
            listed.insert(id)
            if let c = call(id, "连续 \(n) 次联系不上, 请上门 (unreachable \(n) times: visit)", since: lastContact[id]) { lists.visits.append(c) }
        }
        // Oldest wait first, then poor households, then the person.
        lists.backlog.sort { ($0.daysWaiting, $0.poor ? 1 : 0, $1.workerID) > ($1.daysWaiting, $1.poor ? 1 : 0, $0.workerID) }
        // Follow-ups fill what is left of the budget: never contacted first, then the oldest contact.
        if lists.calls.count < budget {
            try workers.includeAll(db)
            let rest = workers.all.map(\.workerID).filter { !listed.contains($0) && !(workers[$0]?.phone ?? "").isEmpty }
                .sorted { (lastContact[$0] ?? "", $0) < (lastContact[$1] ?? "", $1) }
            for id in rest.prefix(budget - lists.calls.count) {
                if let c = call(id, lastContact[id].map { "回访: 上次联系 \($0)" } ?? "回访: 从未联系", since: nil) { lists.calls.append(c) }
            }
        }
        return lists
    }

    /// Applies a plan in one transaction: reconciliation, the run record, its proposals.
    public static func commit(_ plan: Plan, registry: Registry, parameters: [String: String], inputs: [String: String],
                              version: String, started: String) throws {
        try registry.write { db in
            try commitReconciliation(db, steps: plan.steps, asOf: plan.options.asOf)
            try commitRun(db, plan, parameters: parameters, inputs: inputs, version: version, started: started)
        }
    }

    /// The first half of `commit`: the reconciliation's steps and their evidence. It needs only the steps, so
    /// `NightlyService` runs it while the plan scores and solves (in the transaction that `commitRun` ends).
    static func commitReconciliation(_ db: Database, steps: [Reconciliation.Step], asOf: CivilDate) throws {
        let day = asOf.description
        // Month by month, set-based: a placement has at most one step a month, so a month's updates are
        // independent of each other; a job change ends the old placement before the new one is inserted (one
        // open placement per worker), and the new ones get their ids in order, for a later month's steps.
        var realID: [Int64: Int64] = [:]
        var evidence: [Registry.EvidenceRow] = []
        // A confirmation sets all three of its columns, so a later month's confirmation of the same placement
        // overwrites an earlier one (and a suspicion between them): only the last is written.
        // Evidence once per month confirmed (the last month is reconciled again for late reports).
        func confirmsMonth(_ step: Reconciliation.Step) -> Bool {
            guard case .confirmed = step.action else { return false }
            return (step.placement.confirmedMonth ?? YearMonth(year: 1900, month: 1)!) < step.month || step.placement.suspectedSince != nil
        }
        var lastConfirmation: [Int64: Int] = [:]
        for (i, step) in steps.enumerated() where confirmsMonth(step) { lastConfirmation[step.placement.id] = i }
        var monthStart = 0
        while monthStart < steps.count {
            let month = steps[monthStart].month
            var monthEnd = monthStart
            while monthEnd < steps.count && steps[monthEnd].month == month { monthEnd += 1 }
            var confirms: [[DatabaseValue]] = [], changes: [[DatabaseValue]] = [], opens: [[DatabaseValue]] = []
            var suspects: [[DatabaseValue]] = [], losses: [[DatabaseValue]] = [], opened: [Int64] = []
            // The month's texts once (tens of thousands of confirmations share them).
            let monthText = month.description.databaseValue, firstDay = month.firstDay.description
            let lastDay = month.lastDay.description, confirmedDetail = "社保 \(month) 由本单位缴纳 paid by the placement's employer"
            for (i, step) in zip(monthStart..<monthEnd, steps[monthStart..<monthEnd]) {
                let p = step.placement
                let id = (p.id < 0 ? realID[p.id]! : p.id).databaseValue
                switch step.action {
                case .confirmed:
                    if confirmsMonth(step) {
                        if lastConfirmation[p.id] == i { confirms.append([monthText, id]) }
                        evidence.append(.init(id: p.worker, status: .employed, source: .contribution, date: lastDay, detail: confirmedDetail))
                    }
                case .jobChange(let employer):
                    changes.append([firstDay.databaseValue, employer.databaseValue, id])
                    opens.append([p.worker.databaseValue, .null, employer.databaseValue, firstDay.databaseValue,
                                  "reconciliation".databaseValue, monthText])
                    opened.append(step.opened ?? 0)
                    evidence.append(.init(id: p.worker, status: .employed, source: .contribution, date: lastDay,
                                          detail: "换岗: 社保 \(month) 由 \(employer) 缴纳 job change"))
                case .suspected(let since):
                    suspects.append([since.description.databaseValue, day.databaseValue, id])
                case .lost(let since):
                    // The loss stays due (in the call lists) from the night it was found until a call.
                    losses.append([since.firstDay.description.databaseValue, day.databaseValue, id])
                    evidence.append(.init(id: p.worker, status: .unemployed, source: .contribution, date: lastDay,
                                          detail: "失岗: \(since) 起两个月无社保 no contributions for two months"))
                case .tooEarly:
                    break
                }
            }
            try BulkRows.execute(db, """
                UPDATE placement SET confirmed_month = v.column1, suspected_since = NULL, suspected_found = NULL
                FROM (VALUES {rows}) v WHERE placement.id = v.column2
                """, rows: confirms)
            try BulkRows.execute(db, """
                UPDATE placement SET suspected_since = v.column1, suspected_found = COALESCE(placement.suspected_found, v.column2)
                FROM (VALUES {rows}) v WHERE placement.id = v.column3
                """, rows: suspects)
            try BulkRows.execute(db, """
                UPDATE placement SET end_date = MAX(placement.start_date, v.column1),
                    end_reason = 'job loss (no social insurance for two months)', suspected_found = v.column2
                FROM (VALUES {rows}) v WHERE placement.id = v.column3
                """, rows: losses)
            try BulkRows.execute(db, """
                UPDATE placement SET end_date = MAX(placement.start_date, v.column1), end_reason = 'job change (社保: ' || v.column2 || ')'
                FROM (VALUES {rows}) v WHERE placement.id = v.column3
                """, rows: changes)
            let lastID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT IFNULL(MAX(id), 0) FROM placement")) ?? 0
            try BulkRows.execute(db, """
                INSERT INTO placement (id_number, post_id, credit_code, start_date, source, confirmed_month) VALUES {rows}
                """, rows: opens)
            if !opens.isEmpty {
                let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM placement WHERE id > ? ORDER BY id"), arguments: [lastID])
                precondition(ids.count == opened.count, "job changes inserted \(ids.count) placements, expected \(opened.count)")
                for (temporary, id) in zip(opened, ids) where temporary < 0 { realID[temporary] = id }
            }
            monthStart = monthEnd
        }
        try Registry.addEvidence(db, evidence, recorded: day)
    }

    /// The second half of `commit`: the run record and its proposals.
    static func commitRun(_ db: Database, _ plan: Plan, parameters: [String: String], inputs: [String: String],
                          version: String, started: String) throws {
        let day = plan.options.asOf.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let countsJSON = String(decoding: try encoder.encode(plan.counts), as: UTF8.self)
        let parametersJSON = String(decoding: try encoder.encode(parameters), as: UTF8.self)
        let inputsJSON = String(decoding: try encoder.encode(inputs), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO run (id, started, as_of, version, parameters, inputs, counts, objective, reconciled_month)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [plan.runID, started, day, version, parametersJSON, inputsJSON, countsJSON, plan.outcome.assignment.objective,
                             plan.reconciledMonth?.description])
        try BulkRows.execute(db, "INSERT INTO proposal (run_id, id_number, post_id, score) VALUES {rows}",
                             rows: plan.proposals.map { [plan.runID.databaseValue, $0.worker.databaseValue, $0.post.databaseValue, $0.score.databaseValue] })
        try BulkRows.execute(db, "INSERT OR IGNORE INTO proposal_first (id_number, post_id, first) VALUES {rows}",
                             rows: plan.proposals.map { [$0.worker, $0.post, day].map(\.databaseValue) })
    }

    /// The run ids the registry knows, newest first.
    public static func runIDs(registry: Registry) throws -> [String] {
        try registry.read { db in try String.fetchAll(db, sql: "SELECT id FROM run ORDER BY started DESC, id DESC") }
    }
}
