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

    /// The social-insurance contributions reconciliation reads: each worker's rows (month, employer) as one slice
    /// of a flat array, the months with any data in order, and the employers that reported the newest of them.
    /// Built in one pass over rows grouped by worker (the contribution table's primary-key order), so that a
    /// decision reads a worker's two or three rows instead of nested sets per month and worker (the sets cost more
    /// than the rest of the night's reconciliation on 30,000 placements).
    struct Contributions {
        private var rows: [(month: YearMonth, employer: String)] = []
        private var slices: [String: Range<Int>] = [:]
        private var months = Set<YearMonth>()
        private var lastWorker: String?
        /// Every month with any contribution, ascending.
        private(set) var dataMonths: [YearMonth] = []
        /// Employers with rows in the newest month (the others have "not yet reported" it).
        private(set) var newestReporters = Set<String>()

        /// Adds a row; rows must come grouped by worker.
        mutating func append(worker: String, employer: String, month: YearMonth) {
            if worker != lastWorker {
                precondition(slices[worker] == nil, "contributions not grouped by worker")
                slices[worker] = rows.count..<rows.count
                lastWorker = worker
            }
            rows.append((month, employer))
            slices[worker]!  = slices[worker]!.lowerBound..<rows.count
            months.insert(month)
        }

        /// Ends the appending: the months in order and the newest month's reporters.
        mutating func finish() {
            dataMonths = months.sorted()
            if let newest = dataMonths.last {
                for r in rows where r.month == newest { newestReporters.insert(r.employer) }
            }
        }

        /// For `worker` in `month`: whether `employer` paid, the smallest other employer that paid (if any), and
        /// the last month up to `month` anyone paid.
        func paid(_ worker: String, employer: String, month: YearMonth) -> (own: Bool, other: String?, last: YearMonth?) {
            var own = false, other: String?, last: YearMonth?
            for r in rows[slices[worker] ?? 0..<0] where r.month <= month {
                if last.map({ r.month > $0 }) ?? true { last = r.month }
                guard r.month == month else { continue }
                if r.employer == employer { own = true } else if other.map({ r.employer < $0 }) ?? true { other = r.employer }
            }
            return (own, other, last)
        }

        /// The last month anyone paid `worker`, in all the data.
        func lastPaid(_ worker: String) -> YearMonth? { rows[slices[worker] ?? 0..<0].map(\.month).max() }

        /// The months with data for `employer` after `covered` and up to `month`: the first of them and whether
        /// there are two or more. A month has data for an employer when anyone reported it, except the newest
        /// month, which counts only if the employer reported it (or the employer is unknown: 换岗 without one).
        func missing(after covered: YearMonth, through month: YearMonth, employer: String) -> (first: YearMonth, two: Bool)? {
            var lo = 0, hi = dataMonths.count   // the first month after `covered`
            while lo < hi {
                let mid = (lo + hi) / 2
                if dataMonths[mid] > covered { hi = mid } else { lo = mid + 1 }
            }
            let newest = dataMonths.last
            var found: [YearMonth] = []
            for m in dataMonths[lo...] {
                if m > month || found.count == 2 { break }
                if m == newest, !employer.isEmpty, !newestReporters.contains(employer) { continue }
                found.append(m)
            }
            return found.first.map { ($0, found.count == 2) }
        }
    }

    /// The workers whose at-work evidence (a call or file saying 在岗) a reconciliation of `open` over `months`
    /// may read: those with a month after their start month that their employer did not pay. Everyone else is
    /// confirmed or too early every month, so the night reads the evidence of a few thousand workers, not all.
    static func askAtWork(open: [OpenPlacement], months: [YearMonth], contributions: Contributions) -> [String] {
        var out = Set<String>()
        for p in open {
            let start = YearMonth(p.start)
            for m in months where m > start && !contributions.paid(p.worker, employer: p.creditCode, month: m).own {
                out.insert(p.worker)
                break
            }
        }
        return out.sorted()
    }

    /// The reconciliation decision for one open placement in `month`, given the contributions. Months with data,
    /// complete and after the start month (and after the worker's last payment by anyone), without a
    /// contribution: one makes a suspected loss, two close the placement. A month whose extract was never imported
    /// counts for nothing.
    ///
    /// `atWorkOn` is the newest date a call or a file said the worker was at work: newer evidence than a month's
    /// contributions, so every month that ended by then counts as covered (a 在岗 call on 01-15 covers December).
    static func decide(_ p: OpenPlacement, month: YearMonth, contributions: Contributions, atWorkOn: CivilDate? = nil) -> Action {
        let startMonth = YearMonth(p.start)
        let paid = contributions.paid(p.worker, employer: p.creditCode, month: month)
        // In (or before) the start month, another employer's payment is the old job's last month, not a change.
        guard month > startMonth else { return paid.own ? .confirmed : .tooEarly }
        if paid.own { return .confirmed }
        // A month that ended before a call (or file) said "at work here" is older evidence: it changes nothing.
        let byCall = atWorkOn.map { d in d == YearMonth(d).lastDay ? YearMonth(d) : YearMonth(d).previous }
        if let c = byCall, month <= c { return .tooEarly }
        if let other = paid.other { return .jobChange(newEmployer: other) }
        var covered = startMonth
        if let last = paid.last, last > covered { covered = last }
        if let c = byCall, c > covered { covered = c }
        guard let missing = contributions.missing(after: covered, through: month, employer: p.creditCode) else { return .tooEarly }
        return missing.two ? .lost(since: missing.first) : .suspected(since: p.suspectedSince ?? missing.first)
    }

    /// Reconciles `open` against each month of `months` in order; a placement skips the months it was already
    /// confirmed for. The newest month with data counts for a placement only if its employer reported it (has
    /// rows in it): an employer with no rows in it while others have is "not yet reported", not a loss for its
    /// workers. An older month counts whenever anyone reported it (an employer that stopped reporting for good
    /// does not shield its workers), and so does every month for a placement whose employer is unknown (换岗 by
    /// a call without --employer). New placements from job changes get ids below zero. `atWork` needs only the
    /// workers `askAtWork` names.
    static func reconcile(open: [OpenPlacement], months: [YearMonth], contributions: Contributions,
                          atWork: [String: CivilDate]) -> Reconciliation {
        let newest = contributions.dataMonths.last
        var r = Reconciliation()
        var current = open
        var nextID: Int64 = -1
        for month in months {
            var next: [OpenPlacement] = []
            next.reserveCapacity(current.count)
            for var p in current {
                // Already confirmed for this month (an earlier run): nothing to decide again.
                if let c = p.confirmedMonth, month <= c, p.suspectedSince == nil {
                    next.append(p)
                    continue
                }
                var action = decide(p, month: month, contributions: contributions, atWorkOn: atWork[p.worker])
                // Replaying history: a worker paid again in a later month was not lost, only between two payments.
                if case .lost(let since) = action, let later = contributions.lastPaid(p.worker), later > month {
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
                    if month == newest, !p.creditCode.isEmpty, !contributions.newestReporters.contains(p.creditCode),
                       month > YearMonth(p.start) {
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
