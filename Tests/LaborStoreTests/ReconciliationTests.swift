import Testing
@testable import LaborModel
@testable import LaborStore

/// The nightly's reconciliation against an oracle written the plain way (nested sets of who paid whom each month,
/// every month's data as a set), on random small registries; and the at-work evidence it reads only for the
/// workers `askAtWork` names gives the same decisions as reading everyone's.
@Suite struct ReconciliationTests {
    typealias Open = Nightly.OpenPlacement

    /// The rules of `Nightly.decide` and `reconcile`, restated over sets.
    static func oracle(open: [Open], months: [YearMonth], contributions: [(worker: String, employer: String, month: YearMonth)],
                       atWork: [String: CivilDate]) -> (steps: [String], open: [String], lost: Set<String>, notReported: [YearMonth: [String: Int]]) {
        let any = Set(contributions.map(\.month))
        let newest = any.max()
        func paidBy(_ w: String, _ m: YearMonth) -> Set<String> { Set(contributions.filter { $0.worker == w && $0.month == m }.map(\.employer)) }
        func reported(_ e: String, _ m: YearMonth) -> Bool { contributions.contains { $0.employer == e && $0.month == m } }
        func dataMonths(_ e: String) -> Set<YearMonth> { e.isEmpty ? any : any.filter { $0 != newest || reported(e, $0) } }
        func paidMonths(_ w: String) -> [YearMonth] { contributions.filter { $0.worker == w }.map(\.month).sorted() }
        var steps: [String] = [], lost = Set<String>(), notReported: [YearMonth: [String: Int]] = [:]
        var current = open, nextID: Int64 = -1
        for month in months {
            var next: [Open] = []
            for p in current {
                if let c = p.confirmedMonth, month <= c, p.suspectedSince == nil { next.append(p); continue }
                let paid = paidBy(p.worker, month), start = YearMonth(p.start)
                var action: Nightly.Action
                let byCall = atWork[p.worker].map { d in d == YearMonth(d).lastDay ? YearMonth(d) : YearMonth(d).previous }
                if month <= start { action = paid.contains(p.creditCode) ? .confirmed : .tooEarly }
                else if paid.contains(p.creditCode) { action = .confirmed }
                else if let c = byCall, month <= c { action = .tooEarly }
                else if let other = paid.sorted().first { action = .jobChange(newEmployer: other) }
                else {
                    var covered = start
                    if let last = paidMonths(p.worker).last(where: { $0 <= month }), last > covered { covered = last }
                    if let c = byCall, c > covered { covered = c }
                    let missing = dataMonths(p.creditCode).filter { $0 > covered && $0 <= month }.sorted()
                    if let first = missing.first {
                        action = missing.count >= 2 ? .lost(since: first) : .suspected(since: p.suspectedSince ?? first)
                    } else { action = .tooEarly }
                }
                if case .lost(let since) = action, let later = paidMonths(p.worker).last, later > month { action = .suspected(since: since) }
                // What stays open, written as the outcome per action rather than as steps on `p`.
                var opened = ""
                if case .lost = action { lost.insert(p.worker) }
                if case .jobChange(let other) = action {
                    opened = " opened \(nextID)"
                    next.append(Open(id: nextID, worker: p.worker, postID: nil, creditCode: other, start: month.firstDay,
                                     suspectedSince: nil, confirmedMonth: month))
                    nextID -= 1
                }
                if action == .confirmed {
                    next.append(Open(id: p.id, worker: p.worker, postID: p.postID, creditCode: p.creditCode, start: p.start,
                                     suspectedSince: nil, confirmedMonth: [p.confirmedMonth, month].compactMap { $0 }.max()))
                }
                if case .suspected(let since) = action {
                    next.append(Open(id: p.id, worker: p.worker, postID: p.postID, creditCode: p.creditCode, start: p.start,
                                     suspectedSince: since, confirmedMonth: p.confirmedMonth))
                }
                if action == .tooEarly {
                    let unreported = month == newest && !p.creditCode.isEmpty && !reported(p.creditCode, month) && month > start
                    if unreported { notReported[month, default: [:]][p.creditCode, default: 0] += 1 }
                    next.append(p)
                }
                steps.append("\(month) \(p.id) \(p.worker) \(action)\(opened)")
            }
            current = next
        }
        return (steps, current.map(describe), lost, notReported)
    }

    static func describe(_ p: Open) -> String {
        "\(p.id) \(p.worker) \(p.creditCode) \(p.start) \(p.suspectedSince?.description ?? "-") \(p.confirmedMonth?.description ?? "-")"
    }

    @Test(arguments: 1...40)
    func matchesTheOracle(seed: UInt64) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let calendar = (8...12).map { YearMonth(year: 2025, month: $0)! }
        let workers = (0..<8).map { "w\($0)" }, employers = ["e0", "e1", "e2", "e3"]
        // Rows grouped by worker, as the table's primary key returns them; some months left out altogether.
        var rows: [(worker: String, employer: String, month: YearMonth)] = []
        let dropped = calendar[next(calendar.count)]
        for w in workers {
            for m in calendar where m != dropped || next(4) == 0 {
                for e in employers where next(3) == 0 { rows.append((w, e, m)) }
            }
        }
        func day(_ m: YearMonth) -> CivilDate { next(4) == 0 ? m.lastDay : CivilDate(year: m.year, month: m.month, day: 1 + next(28))! }
        var open: [Open] = []
        for (i, w) in workers.enumerated() where next(5) != 0 {
            let start = day(calendar[next(calendar.count)])
            let confirmed = next(3) == 0 ? calendar[next(calendar.count)] : nil
            let suspected = next(4) == 0 ? calendar[next(calendar.count)] : nil
            open.append(Open(id: Int64(i + 1), worker: w, postID: "P\(i)", creditCode: next(6) == 0 ? "" : employers[next(4)],
                             start: start, suspectedSince: suspected, confirmedMonth: confirmed))
        }
        var atWork: [String: CivilDate] = [:]
        for w in workers where next(3) == 0 { atWork[w] = day(calendar[next(calendar.count)]) }
        let dataMonths = Set(rows.map(\.month)).sorted()
        let months = Array(dataMonths.suffix(1 + next(max(1, dataMonths.count))))

        var contributions = Nightly.Contributions()
        for r in rows { contributions.append(worker: r.worker, employer: r.employer, month: r.month) }
        contributions.finish()
        let asked = Set(Nightly.askAtWork(open: open, months: months, contributions: contributions))
        let want = Self.oracle(open: open, months: months, contributions: rows, atWork: atWork)
        for reading in [atWork, atWork.filter { asked.contains($0.key) }] {
            let got = Nightly.reconcile(open: open, months: months, contributions: contributions, atWork: reading)
            #expect(got.steps.map { s in "\(s.month) \(s.placement.id) \(s.placement.worker) \(s.action)" + (s.opened.map { " opened \($0)" } ?? "") }
                    == want.steps, "seed \(seed)")
            #expect(got.open.map(Self.describe) == want.open, "seed \(seed)")
            #expect(got.lost == want.lost && got.notReported == want.notReported, "seed \(seed)")
        }
    }
}
