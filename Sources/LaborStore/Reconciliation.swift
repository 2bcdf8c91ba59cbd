import LaborModel

extension Nightly {
    /// What reconciling the open placements month by month decided: every step in order (a job change in
    /// November closes the old placement and opens the new one, which December then reconciles), the placements
    /// still open at the end, and the employers that had not reported a month others had.
    struct Reconciliation {
        struct Step {
            var month: YearMonth
            var placement: OpenPlacement
            var action: Action
            /// The id (below zero) of the placement a job change opened.
            var opened: Int64?
        }
        var steps: [Step] = []
        var open: [OpenPlacement] = []
        /// Workers whose placement closed as lost.
        var lost = Set<String>()
        /// Month → employer → open placements it has not reported (a month other employers reported).
        var notReported: [YearMonth: [String: Int]] = [:]
        /// The steps of the last month reconciled (one per placement open then).
        var lastMonth: [(OpenPlacement, Action)] {
            guard let m = steps.last?.month else { return [] }
            return steps.filter { $0.month == m }.map { ($0.placement, $0.action) }
        }
    }

    /// Reconciles `open` against each month of `months` in order; a placement skips the months it was already
    /// confirmed for. The newest month with data counts for a placement only if its employer reported it (has
    /// rows in it): an employer with no rows in it while others have is "not yet reported", not a loss for its
    /// workers. An older month counts whenever anyone reported it (an employer that stopped reporting for good
    /// does not shield its workers), and so does every month for a placement whose employer is unknown (换岗 by
    /// a call without --employer). New placements from job changes get ids below zero.
    static func reconcile(open: [OpenPlacement], months: [YearMonth], contributions: [(worker: String, employer: String, month: YearMonth)],
                          atWork: [String: CivilDate]) -> Reconciliation {
        var paid: [YearMonth: [String: Set<String>]] = [:]
        var reported: [String: Set<YearMonth>] = [:]
        var paidMonths: [String: [YearMonth]] = [:]
        var anyData = Set<YearMonth>()
        for c in contributions {
            paid[c.month, default: [:]][c.worker, default: []].insert(c.employer)
            reported[c.employer, default: []].insert(c.month)
            paidMonths[c.worker, default: []].append(c.month)
            anyData.insert(c.month)
        }
        for k in paidMonths.keys { paidMonths[k]!.sort() }
        let newest = anyData.max()
        // Per employer once (tens of thousands of placements share a few thousand employers).
        var dataMonthsOf: [String: Set<YearMonth>] = [:]
        func dataMonths(_ employer: String) -> Set<YearMonth> {
            if employer.isEmpty { return anyData }
            if let known = dataMonthsOf[employer] { return known }
            var months = reported[employer] ?? []
            for m in anyData where m != newest { months.insert(m) }
            dataMonthsOf[employer] = months
            return months
        }
        var r = Reconciliation()
        var current = open
        var nextID: Int64 = -1
        for month in months {
            var next: [OpenPlacement] = []
            for var p in current {
                // Already confirmed for this month (an earlier run): nothing to decide again.
                if let c = p.confirmedMonth, month <= c, p.suspectedSince == nil {
                    next.append(p)
                    continue
                }
                let last = paidMonths[p.worker]?.last { $0 <= month }
                var action = decide(p, month: month, paidBy: paid[month]?[p.worker] ?? [], lastPaid: last,
                                    dataMonths: dataMonths(p.creditCode), atWorkOn: atWork[p.worker])
                // Replaying history: a worker paid again in a later month was not lost, only between two payments.
                if case .lost(let since) = action, let later = paidMonths[p.worker]?.last, later > month {
                    action = .suspected(since: since)
                }
                r.steps.append(Reconciliation.Step(month: month, placement: p, action: action))
                switch action {
                case .confirmed:
                    p.suspectedSince = nil
                    p.confirmedMonth = max(p.confirmedMonth ?? month, month)
                    next.append(p)
                case .jobChange(let other):
                    next.append(OpenPlacement(id: nextID, worker: p.worker, postID: nil, creditCode: other, start: month.firstDay,
                                              suspectedSince: nil, confirmedMonth: month))
                    r.steps[r.steps.count - 1].opened = nextID
                    nextID -= 1
                case .suspected(let since):
                    p.suspectedSince = since
                    next.append(p)
                case .lost:
                    r.lost.insert(p.worker)
                case .tooEarly:
                    if month == newest, !p.creditCode.isEmpty, !(reported[p.creditCode]?.contains(month) ?? false), month > YearMonth(p.start) {
                        r.notReported[month, default: [:]][p.creditCode, default: 0] += 1
                    }
                    next.append(p)
                }
            }
            current = next
        }
        r.open = current
        return r
    }
}
