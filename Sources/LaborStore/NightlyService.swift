import Dispatch
import Foundation
import GRDB
import Synchronization
import LaborModel
import MatchCore

/// The nightly run as one service (DESIGN.md §5): plan → files → commit → latest → prune. A run killed at any
/// point leaves the previous outputs, `latest` and a consistent registry: files go to `runs/<id>.partial`,
/// renamed when complete; the registry is committed after; `latest` moves last. A run that committed but whose
/// `latest` never moved is published by the next run before it starts, so no day's calls are lost.
public struct NightlyService {
    public struct Configuration: Sendable {
        public var options: Nightly.Options
        /// The output folder: runs/<id>/ and latest.
        public var out: String
        public var keep = 30
        public var presentation = Matcher.Presentation()
        /// Recorded with the run.
        public var version = ""
        public var registryPath = ""
        /// SHA-256 of the weights file, recorded in summary.json and with the run's inputs.
        public var weightsDigest: String?
        /// What the encoding depends on (taxonomy and weights): with it, the night's encoded open posts and pool
        /// are kept for `suggest` after the commit.
        public var encodingKey: String?
        /// Allow an as-of date earlier than the latest run's.
        public var allowBackdate = false
        public init(options: Nightly.Options, out: String) {
            self.options = options
            self.out = out
        }
    }

    public struct Report: Sendable {
        public var plan: Nightly.Plan
        /// Old run folders removed.
        public var removed: [String]
        /// A committed run that `latest` never reached, published before this one.
        public var republished: String?
        public var seconds: [String: Double]
    }

    public let registry: Registry
    public let taxonomy: Taxonomy
    public let weights: ScoringWeights
    public let configuration: Configuration
    /// Called at named points (before-outputs, after-outputs, after-publish, after-commit): the crash tests stop
    /// the process there.
    public var checkpoint: (String) -> Void = { _ in }
    /// Called with the plan's notes and problems as soon as they are known.
    public var notice: (Nightly.Plan) -> Void = { _ in }

    public init(registry: Registry, taxonomy: Taxonomy, weights: ScoringWeights, configuration: Configuration) {
        self.registry = registry
        self.taxonomy = taxonomy
        self.weights = weights
        self.configuration = configuration
    }

    /// A run dated before the latest one (it would reorder evidence and calls).
    public struct Backdated: Error, CustomStringConvertible {
        public var asOf: CivilDate
        public var latest: CivilDate
        public var description: String {
            "--as-of \(asOf) is earlier than the latest run (\(latest)) (日期早于上次运行); a backdated run reorders evidence and calls — add --allow-backdate if that is really meant"
        }
    }

    public func run() throws -> Report {
        if let last = try registry.latestRunDate(), configuration.options.asOf < last, !configuration.allowBackdate {
            throw Backdated(asOf: configuration.options.asOf, latest: last)
        }
        var seconds: [String: Double] = [:]
        var t0 = Date()
        func lap(_ name: String) {
            let now = Date()
            seconds[name] = now.timeIntervalSince(t0)
            t0 = now
        }
        let c = configuration
        let dirs = RunDirectory(root: c.out)
        let republished = try publishCommittedRun(dirs)
        let runID = NightlyService.newRunID(existing: Set(try Nightly.runIDs(registry: registry)), out: c.out)
        // The run's folder first: an unwritable output folder fails before the night's work, and the candidate
        // lists, which depend only on the scores, are built and written on other threads while the plan solves and
        // makes the contact lists (most of a night's file work, hidden behind the solve).
        let dir = try dirs.begin(runID: runID)
        let listsFailed = Mutex<(any Error)?>(nil), listsStarted = Mutex(false)
        let building = DispatchGroup()
        // The reconciliation's writes start as soon as it is decided, on a second connection (write-ahead log:
        // the plan's read transaction keeps its snapshot), in a transaction that ends only with the run's commit,
        // so they cost the night no time of their own; a registry in memory commits all at the end.
        let overlapped = try registry.path.flatMap { try OverlappedCommit(registry: Registry(path: $0)) }
        defer { overlapped?.abandon() }
        let plan: Nightly.Plan
        do {
            defer { building.wait() }
            plan = try Nightly.plan(registry: registry, taxonomy: taxonomy, weights: weights, options: c.options, runID: runID, scored: { scored in
                listsStarted.withLock { $0 = true }
                DispatchQueue.global().async(group: building) {
                    do { try NightlyOutputs.writeCandidateLists(scored, to: dir, pres: c.presentation) } catch { listsFailed.withLock { $0 = error } }
                }
            }, reconciled: { steps in overlapped?.start(steps: steps, asOf: c.options.asOf) })
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        if let error = listsFailed.withLock({ $0 }) {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        lap("plan")
        for (k, v) in plan.stages { seconds["plan." + k] = v }
        notice(plan)
        checkpoint("before-outputs")
        try NightlyOutputs(plan: plan, weightsDigest: c.weightsDigest).write(to: dir, pres: c.presentation, seconds: seconds,
                                                                             candidateListsWritten: listsStarted.withLock { $0 })
        lap("outputs")
        checkpoint("after-outputs")
        // A reconciliation that could not be written stops the run before its files are published.
        if let error = overlapped?.failure {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        try dirs.publish(runID: runID)
        checkpoint("after-publish")
        let o = c.options
        let parameters = ["as_of": o.asOf.description, "top_k": String(o.topK), "calls": String(o.calls)]
        let inputs = try registry.latestImports().merging(["registry": c.registryPath].merging(c.weightsDigest.map { ["weights": $0] } ?? [:]) { a, _ in a }) { a, _ in a }
        let started = ISO8601DateFormatter().string(from: Date())
        // The night's encodings are kept for `suggest`, only if no other process committed since the plan read the
        // registry (the run's own commit does not count: data_version moves for other connections' commits).
        let encodings: [(Suggest.Side, String, Suggest.Encoded)] = c.encodingKey.map { key in
            [(.posts, key, .init(ids: plan.posts.map(\.postID), matrix: plan.encoded.posts)),
             (.workers, Suggest.poolKey(key, asOf: o.asOf), .init(ids: plan.pool.map(\.workerID), matrix: plan.encoded.workers))]
        } ?? []
        if let overlapped, overlapped.started {
            // With the run's own commit, on the connection opened before the plan began reading; a cache that cannot
            // be kept (its savepoint rolled back) only costs the next suggest time.
            try overlapped.finish { db in
                try Nightly.commitRun(db, plan, parameters: parameters, inputs: inputs, version: c.version, started: started)
                do {
                    try db.inSavepoint {
                        for (side, key, e) in encodings { try Suggest.store(db, side, key: key, e, readAt: overlapped.openedAt) }
                        return .commit
                    }
                } catch where db.isInsideTransaction {
                    // Only the cache's savepoint was rolled back; an error that ended the transaction (a full disk)
                    // is the run's own.
                }
            }
        } else {
            try Nightly.commit(plan, registry: registry, parameters: parameters, inputs: inputs, version: c.version, started: started)
            for (side, key, e) in encodings { Suggest.store(registry: registry, side, key: key, e, readAt: plan.dataVersion) }
        }
        lap("commit")
        checkpoint("after-commit")
        try dirs.pointLatest(runID: runID)
        let removed = try dirs.prune(keep: c.keep, known: try Nightly.runIDs(registry: registry))
        lap("write")
        return Report(plan: plan, removed: removed, republished: republished, seconds: seconds)
    }

    /// The newest committed run, when its folder is complete but `latest` does not point at it (a run killed
    /// between its commit and the move of `latest`): `latest` is pointed at it now.
    func publishCommittedRun(_ dirs: RunDirectory) throws -> String? {
        guard let newest = try Nightly.runIDs(registry: registry).first, dirs.latestRunID != newest,
              FileManager.default.fileExists(atPath: dirs.runs + "/" + newest) else { return nil }
        try dirs.pointLatest(runID: newest)
        return newest
    }

    /// A run id from the clock (Asia/Shanghai), made unique against the registry's and the folder's runs.
    public static func newRunID(existing: Set<String>, out: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
        f.dateFormat = "yyyyMMdd-HHmmss"
        let base = f.string(from: Date())
        var id = base
        var n = 1
        while existing.contains(id) || FileManager.default.fileExists(atPath: out + "/runs/" + id) {
            n += 1
            id = base + "-\(n)"
        }
        return id
    }
}

/// The night's commit on a second connection, begun while the plan is still scoring: `start` writes the
/// reconciliation in a write transaction and holds it open; `finish` adds the run record and commits; `abandon`
/// (any failure before `finish`) rolls it back. With a write-ahead log the plan's reads on the first connection
/// keep their snapshot and never wait for these writes, and the registry lock keeps other writers away. Without one
/// (a registry whose journal mode could not be changed) a writer would wait for the plan's reads, so there is no
/// overlap: `init` returns nil and the night commits at the end.
final class OverlappedCommit: Sendable {
    let registry: Registry
    /// PRAGMA data_version on this connection before the plan began reading (for the suggest cache).
    let openedAt: Int
    private struct State {
        var started = false
        var handedOver = false
        var final: (@Sendable (Database) throws -> Void)?
        var error: (any Error)?
    }
    private let state = Mutex(State())
    private let handover = DispatchSemaphore(value: 0)
    private let done = DispatchGroup()

    init?(registry: Registry) throws {
        guard try registry.read({ db in try String.fetchOne(db, sql: "PRAGMA journal_mode") })?.lowercased() == "wal" else { return nil }
        self.registry = registry
        openedAt = try registry.read { db in try Suggest.dataVersion(db) }
    }

    var started: Bool { state.withLock { $0.started } }

    /// The error that stopped the reconciliation's writes, if they have already failed.
    var failure: (any Error)? { state.withLock { $0.error } }

    /// Writes the reconciliation on a thread of its own (it waits in the transaction for `finish`, so it is kept
    /// off Dispatch's pool, which the plan uses meanwhile).
    func start(steps: [Nightly.Reconciliation.Step], asOf: CivilDate) {
        state.withLock { $0.started = true }
        done.enter()
        Thread { [self] in
            defer { done.leave() }
            do {
                try registry.write { db in
                    // Abandoned before it began: nothing to write.
                    if state.withLock({ $0.handedOver && $0.final == nil }) { throw CancellationError() }
                    try Nightly.commitReconciliation(db, steps: steps, asOf: asOf)
                    handover.wait()
                    guard let final = state.withLock({ $0.final }) else { throw CancellationError() }
                    try final(db)
                }
            } catch {
                state.withLock { $0.error = error }
            }
        }.start()
    }

    /// Runs `body` in the open transaction, commits, and rethrows an error of either half.
    func finish(_ body: @escaping @Sendable (Database) throws -> Void) throws {
        state.withLock {
            $0.final = body
            $0.handedOver = true
        }
        handover.signal()
        done.wait()
        if let error = state.withLock({ $0.error }) { throw error }
    }

    /// Rolls back a transaction `finish` never reached (after `finish`, nothing to do).
    func abandon() {
        let pending = state.withLock { s -> Bool in
            defer { s.handedOver = true }
            return s.started && !s.handedOver
        }
        if pending { handover.signal() }
        done.wait()
    }
}
