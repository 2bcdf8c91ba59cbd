import Foundation
import GRDB
import LaborModel
import MatchCore

/// Matching at the registration counter (the seed centre matches at registration): one worker's best open posts,
/// or one post's best free workers, scored as the nightly scores them — the same rules, the same open posts (not
/// excluded, openings minus the places held by open placements) or free pool (no open placement and not 在岗, or
/// a suspected loss), ties broken by the same identity codes — so the list equals what the nightly lists.
/// Loads only what the one row needs: the open posts, or the free pool, and the one row.
public struct Suggest {
    public let registry: Registry
    public let rules: MatchRules

    public init(registry: Registry, rules: MatchRules) {
        self.registry = registry
        self.rules = rules
    }

    /// The nightly's rules on this registry: the weights, the as-of date and the employers excluded now.
    public init(registry: Registry, taxonomy: Taxonomy, weights: ScoringWeights, asOf: CivilDate) throws {
        let excluded = try registry.read { db in Set(try String.fetchAll(db, sql: "SELECT credit_code FROM employer WHERE excluded = 1")) }
        self.init(registry: registry, rules: MatchRules(taxonomy: taxonomy, weights: weights, asOf: asOf, excludedEmployers: excluded))
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

    /// The open posts for `worker`, best first (at most `k`), as the nightly's candidates_by_worker lists them.
    public func posts(for worker: Worker, k: Int) throws -> [(post: JobPost, line: Line)] {
        // The places open placements hold, counted in one GROUP BY; posts of excluded employers never load.
        let open = try registry.read { db -> [JobPost] in
            var held: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT post_id, COUNT(*) FROM placement WHERE end_date IS NULL AND post_id IS NOT NULL GROUP BY post_id
                """) { held[r[0]] = r[1] }
            return try Registry.posts(db, taxonomy: rules.taxonomy, filter: "credit_code NOT IN (SELECT credit_code FROM employer WHERE excluded = 1)")
                .accepted.filter { $0.openings > held[$0.postID, default: 0] }
        }
        guard !open.isEmpty else { return [] }
        // Tie codes of the whole open set (as the nightly's), the worker's from its id.
        let codes = TieCodes(workerIDs: [worker.workerID], postIDs: open.map(\.postID))
        let r = Matcher(rules: rules).candidates(workers: [worker], posts: open, k: k, threads: 1, codes: codes)
        return r.byWorker.candidates(of: 0).enumerated().map { n, c in
            (open[c.id], Line(rank: n + 1, score: c.score, reasons: rules.reasons(worker, open[c.id])))
        }
    }

    /// The free workers for `post`, best first (at most `k`), as the nightly's candidates_by_post lists them.
    public func workers(for post: JobPost, k: Int) throws -> [(worker: Worker, line: Line)] {
        let pool = try registry.read { db in
            try Registry.workers(db, taxonomy: rules.taxonomy, asOf: rules.asOf, filter: Suggest.freeWorkerFilter)
        }.accepted
        guard !pool.isEmpty else { return [] }
        let codes = TieCodes(workerIDs: pool.map(\.workerID), postIDs: [post.postID])
        let r = Matcher(rules: rules).candidates(workers: pool, posts: [post], k: k, codes: codes)
        return (r.byPost?.candidates(of: 0) ?? []).enumerated().map { n, c in
            (pool[c.id], Line(rank: n + 1, score: c.score, reasons: rules.reasons(pool[c.id], post)))
        }
    }
}
