import Foundation
import GRDB
import LaborModel
import MatchCore

/// Matching at the registration counter (the seed centre matches at registration): one worker's best open posts,
/// or one post's best free workers, scored as the nightly scores them — the same rules, the same open posts (not
/// excluded, openings minus the places held by open placements) or free pool (no open placement and not 在岗, or
/// a suspected loss), ties broken by the same identity codes — so the list equals what the nightly lists.
/// Loads only what the one row needs: the open posts, or the free pool, and the one row.
///
/// The counter's cache: the open posts and the free pool, once loaded and encoded, are kept in the registry
/// (`encoded_cache`, one row per side: the ids and the scoring matrix) under `cacheKey` (what the encoding depends
/// on: the taxonomy and weights files, and for the pool the as-of date). Triggers clear a side whenever a table it
/// comes from changes (posts, employers, placements; workers, placements), so the next suggest after an import,
/// a call or a nightly run loads and caches again, and the ones after it read only the cached matrix and the K
/// listed rows.
public struct Suggest {
    public let registry: Registry
    public let rules: MatchRules
    /// nil: no cache (always load).
    public let cacheKey: String?

    public init(registry: Registry, rules: MatchRules, cacheKey: String? = nil) {
        self.registry = registry
        self.rules = rules
        self.cacheKey = cacheKey
    }

    /// The nightly's rules on this registry: the weights, the as-of date and the employers excluded now.
    public init(registry: Registry, taxonomy: Taxonomy, weights: ScoringWeights, asOf: CivilDate, cacheKey: String? = nil) throws {
        let excluded = try registry.read { db in Set(try String.fetchAll(db, sql: "SELECT credit_code FROM employer WHERE excluded = 1")) }
        self.init(registry: registry, rules: MatchRules(taxonomy: taxonomy, weights: weights, asOf: asOf, excludedEmployers: excluded),
                  cacheKey: cacheKey)
    }

    /// One side's rows as the GEMM takes them: their ids (in the order of the matrix's rows) and scoring matrix.
    struct Encoded {
        var ids: [String]
        var matrix: FeatureMatrix
    }

    enum Side: String { case posts, workers }

    /// The pool's encoding holds ages: its key holds the as-of date.
    static func poolKey(_ key: String, asOf: CivilDate) -> String { key + " as-of " + asOf.description }

    /// The cached side, when its key is this run's and its rows are as wide as this encoder's (`columns`).
    func cached(_ side: Side, key: String, columns expected: Int) throws -> Encoded? {
        try registry.read { db -> Encoded? in
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT key, ids, rows, columns, matrix FROM encoded_cache WHERE side = ?"),
                                           arguments: [side.rawValue]),
                  (r["key"] as String) == key else { return nil }
            let rows: Int = r["rows"], columns: Int = r["columns"], blob: Data = r["matrix"]
            let ids = (r["ids"] as String).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard columns == expected, blob.count == rows * columns * MemoryLayout<Float>.size,
                  ids.count == rows || (rows == 0 && ids == [""]) else { return nil }
            var values = [Float](repeating: 0, count: rows * columns)
            values.withUnsafeMutableBytes { _ = blob.copyBytes(to: $0) }
            return Encoded(ids: rows == 0 ? [] : ids, matrix: FeatureMatrix(rows: rows, columns: columns, values: values))
        }
    }

    /// SQLite's `data_version` on the registry's connection: it changes when another connection commits. Read with
    /// the rows an encoding is made from, and checked again when it is stored.
    static func dataVersion(_ db: Database) throws -> Int { try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }

    /// Keeps a side for the next suggest, only if nothing was committed by another process since its rows were
    /// read (`readAt`, a `dataVersion`): a change committed in between has already fired its trigger, and an
    /// encoding from before it must not be stored over that. Never waits for a busy registry, and a registry that
    /// cannot be written keeps nothing: the cache only saves time.
    static func store(registry: Registry, _ side: Side, key: String, _ e: Encoded, readAt: Int) {
        try? registry.writeWithoutWaiting { db in try store(db, side, key: key, e, readAt: readAt) }
    }

    /// The same in a write transaction the caller holds (the nightly keeps its encodings with its own commit).
    static func store(_ db: Database, _ side: Side, key: String, _ e: Encoded, readAt: Int) throws {
        guard try dataVersion(db) == readAt else { return }
        let blob = e.matrix.values.withUnsafeBytes { Data($0) }
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO encoded_cache (side, key, ids, rows, columns, matrix) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [side.rawValue, key, e.ids.joined(separator: "\n"), e.matrix.rows, e.matrix.columns, blob])
    }

    /// One listed candidate: the other side's row, its score and the reasons in plain Chinese.
    public struct Line: Sendable {
        public var rank: Int
        public var score: Float
        public var reasons: String
    }

    static let freeWorkerFilter = """
        (status != '在岗' AND id_number NOT IN (SELECT id_number FROM placement WHERE end_date IS NULL))
        OR id_number IN (SELECT id_number FROM placement WHERE end_date IS NULL AND suspected_since IS NOT NULL)
        """

    /// The stored worker with this ID number (nil when there is none; a row that no longer validates throws).
    public func worker(id: String) throws -> Worker? {
        let r = try registry.read { db in try Registry.workers(db, taxonomy: rules.taxonomy, asOf: rules.asOf, filter: "id_number = ?", arguments: [id]) }
        if let bad = r.rejectionMessages().first { throw Problem(message: bad) }
        return r.accepted.first
    }

    public func post(id: String) throws -> JobPost? {
        let r = try registry.read { db in try Registry.posts(db, taxonomy: rules.taxonomy, filter: "post_id = ?", arguments: [id]) }
        if let bad = r.rejectionMessages().first { throw Problem(message: bad) }
        return r.accepted.first
    }

    public struct Problem: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The open posts as the nightly matches them: not of an excluded employer, with openings beyond the places
    /// open placements hold (counted in one GROUP BY), and the registry's data_version when read.
    func openPosts() throws -> (posts: [JobPost], readAt: Int) {
        try registry.read { db in
            var held: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT post_id, COUNT(*) FROM placement WHERE end_date IS NULL AND post_id IS NOT NULL GROUP BY post_id
                """) { held[r[0]] = r[1] }
            let posts = try Registry.posts(db, taxonomy: rules.taxonomy, filter: "credit_code NOT IN (SELECT credit_code FROM employer WHERE excluded = 1)")
                .accepted.filter { $0.openings > held[$0.postID, default: 0] }
            return (posts, try Suggest.dataVersion(db))
        }
    }

    /// The open posts for `worker`, best first (at most `k`), as the nightly's candidates_by_worker lists them.
    public func posts(for worker: Worker, k: Int) throws -> [(post: JobPost, line: Line)] {
        let matcher = Matcher(rules: rules)
        let wq = matcher.scoringMatrices(workers: [worker], posts: []).workers
        let encoded: Encoded
        if let key = cacheKey, let e = try cached(.posts, key: key, columns: wq.columns) {
            encoded = e
        } else {
            let (open, readAt) = try openPosts()
            encoded = Encoded(ids: open.map(\.postID), matrix: matcher.scoringMatrices(workers: [], posts: open).posts)
            if let key = cacheKey { Suggest.store(registry: registry, .posts, key: key, encoded, readAt: readAt) }
        }
        guard encoded.matrix.rows > 0 else { return [] }
        // Tie codes of the whole open set (as the nightly's), the worker's from its id.
        let codes = TieCodes(workerIDs: [worker.workerID], postIDs: encoded.ids)
        let r = Matcher.topK(scoringWorkers: wq, posts: encoded.matrix, floor: matcher.encoder.floor, k: k, codes: codes, threads: 1)
        let listed = r.byWorker.candidates(of: 0)
        let rows = try rowsByID(listed.map { encoded.ids[$0.id] }) { db, filter, ids in
            try Registry.posts(db, taxonomy: rules.taxonomy, filter: filter, arguments: ids).accepted.map { ($0.postID, $0) }
        }
        return try listed.enumerated().map { n, c in
            guard let p = rows[encoded.ids[c.id]] else { throw Problem(message: "post \(encoded.ids[c.id]) is no longer in the registry") }
            return (p, Line(rank: n + 1, score: c.score, reasons: rules.reasons(worker, p)))
        }
    }

    /// Why a worker has no eligible open post (the hard rules that block most of them, with counts), for the
    /// rare empty list: loads the open posts.
    public func whyNoPost(for worker: Worker) throws -> String {
        rules.whyNoPost(worker, posts: rules.groups(ofPosts: try openPosts().posts))
    }

    /// The listed rows, loaded by id in one query (`filter` is "<id column> IN (?, …)").
    func rowsByID<T>(_ ids: [String], column: String = "post_id",
                       load: (Database, String, StatementArguments) throws -> [(String, T)]) throws -> [String: T] {
        guard !ids.isEmpty else { return [:] }
        let filter = column + " IN (" + Array(repeating: "?", count: ids.count).joined(separator: ", ") + ")"
        return try registry.read { db in Dictionary(try load(db, filter, StatementArguments(ids)), uniquingKeysWith: { a, _ in a }) }
    }

    /// The free workers for `post`, best first (at most `k`), as the nightly's candidates_by_post lists them.
    public func workers(for post: JobPost, k: Int) throws -> [(worker: Worker, line: Line)] {
        let matcher = Matcher(rules: rules)
        let key = cacheKey.map { Suggest.poolKey($0, asOf: rules.asOf) }
        let pq = matcher.scoringMatrices(workers: [], posts: [post]).posts
        let encoded: Encoded
        if let key, let e = try cached(.workers, key: key, columns: pq.columns) {
            encoded = e
        } else {
            let (pool, readAt) = try registry.read { db in
                (try Registry.workers(db, taxonomy: rules.taxonomy, asOf: rules.asOf, filter: Suggest.freeWorkerFilter).accepted,
                 try Suggest.dataVersion(db))
            }
            encoded = Encoded(ids: pool.map(\.workerID), matrix: matcher.scoringMatrices(workers: pool, posts: []).workers)
            if let key { Suggest.store(registry: registry, .workers, key: key, encoded, readAt: readAt) }
        }
        guard encoded.matrix.rows > 0 else { return [] }
        let codes = TieCodes(workerIDs: encoded.ids, postIDs: [post.postID])
        let r = Matcher.topK(scoringWorkers: encoded.matrix, posts: pq, floor: matcher.encoder.floor, k: k, codes: codes)
        let listed = r.byPost?.candidates(of: 0) ?? []
        let rows = try rowsByID(listed.map { encoded.ids[$0.id] }, column: "id_number") { db, filter, ids in
            try Registry.workers(db, taxonomy: rules.taxonomy, asOf: rules.asOf, filter: filter, arguments: ids).accepted.map { ($0.workerID, $0) }
        }
        return try listed.enumerated().map { n, c in
            guard let w = rows[encoded.ids[c.id]] else { throw Problem(message: "worker \(Masking.idNumber(encoded.ids[c.id])) is no longer in the registry") }
            return (w, Line(rank: n + 1, score: c.score, reasons: rules.reasons(w, post)))
        }
    }
}
