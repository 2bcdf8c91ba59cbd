import Dispatch
import Foundation
import LaborModel
import LaborStore
import MatchCore

/// A sharded run of `match` for a province: the workers split into shards by a fixed hash of their id, each
/// shard scored against all posts by its own job (a Slurm array task, a Kubernetes indexed pod, or one after
/// another), and the lists merged into exactly what one machine's `match` writes.
///
/// Why it is exact: each list is ordered by (score, tie rank), a pure function of the pair (`TieOrder`); a
/// worker's list needs only that worker's row, so a shard's worker lists are final; a post's K best overall
/// are among the K best of each shard, so merging the shards' per-post lists by the same key gives the one
/// list. Scores are exact (binary-fraction weights on the quantised grid), whatever the GEMM's blocking.
public enum ShardRun {
    /// `shard plan`: encodes the validated, id-sorted rows once and writes the post matrix, one worker block per
    /// shard and the manifest into `directory`. Returns the manifest.
    public static func plan(workers: [Worker], posts: [JobPost], matcher: Matcher, shards: Int, topK: Int,
                            inputs: [String: ShardManifest.Input], reading: ShardManifest.Reading, version: String,
                            encodingKey: String, directory: String) throws -> ShardManifest {
        precondition(shards >= 1 && topK >= 1)
        // Parts of an earlier plan in the same folder are removed: they belong to other inputs.
        if FileManager.default.fileExists(atPath: directory + "/parts") { try FileManager.default.removeItem(atPath: directory + "/parts") }
        try FileManager.default.createDirectory(atPath: directory + "/blocks", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/parts", withIntermediateDirectories: true)
        let (wq, pq) = matcher.scoringMatrices(workers: workers, posts: posts)
        let codes = TieCodes(workerIDs: workers.map(\.workerID), postIDs: posts.map(\.postID))
        let d = wq.columns
        let postMatrix = try ShardManifest.Part.write(pq.values, shape: [pq.rows, d], directory: directory, file: "blocks/posts.npy")
        let postCodes = try ShardManifest.Part.write(codes.posts, shape: [posts.count], directory: directory, file: "blocks/post_codes.npy")
        var members = [[Int32]](repeating: [], count: shards)
        for (i, w) in workers.enumerated() { members[ShardManifest.shard(of: w.workerID, shards: shards)].append(Int32(i)) }
        var blocks: [ShardManifest.Block] = []
        for (s, rows) in members.enumerated() {
            var values = [Float](repeating: 0, count: rows.count * d)
            wq.values.withUnsafeBufferPointer { src in
                for (r, i) in rows.enumerated() {
                    for c in 0..<d { values[r * d + c] = src[Int(i) * d + c] }
                }
            }
            let name = "blocks/shard-\(s)"
            blocks.append(ShardManifest.Block(
                index: s, workers: rows.count,
                matrix: try .write(values, shape: [rows.count, d], directory: directory, file: name + ".workers.npy"),
                codes: try .write(rows.map { codes.workers[Int($0)] }, shape: [rows.count], directory: directory, file: name + ".codes.npy"),
                rows: try .write(rows, shape: [rows.count], directory: directory, file: name + ".rows.npy")))
        }
        let manifest = ShardManifest(version: version, encodingKey: encodingKey, shards: shards, topK: topK, floor: matcher.encoder.floor,
                                     workers: workers.count, posts: posts.count, columns: d, inputs: inputs, reading: reading,
                                     postMatrix: postMatrix, postCodes: postCodes, blocks: blocks)
        try AtomicFile.write(JSONOutput.encode(manifest), to: directory + "/" + ShardManifest.fileName)
        return manifest
    }

    /// What `shard score` did.
    public enum ScoreOutcome: Sendable, Equatable {
        case scored(ShardResult)
        /// The shard's parts were already there and sound: nothing was done.
        case alreadyDone(ShardResult)
    }

    /// `shard score`: shard `index` against all posts (the same blocked GEMM and selection as `match`); writes
    /// its final per-worker lists, its partial per-post lists (worker rows of the whole run) and, last, its result
    /// file. Idempotent: a shard whose result and parts check out is left alone.
    public static func score(manifestPath: String, index: Int, version: String, threads: Int? = nil,
                             progress: (@Sendable (Int) -> Void)? = nil) throws -> ScoreOutcome {
        let manifest = try ShardManifest.read(path: manifestPath)
        try manifest.check(version: version, path: manifestPath)
        let dir = ShardManifest.directory(of: manifestPath)
        guard (0..<manifest.shards).contains(index) else { throw ShardError.indexOutOfRange(index, shards: manifest.shards) }
        let manifestHash = try manifestDigest(manifestPath)
        if let done = try? finished(directory: dir, index: index, manifestSHA256: manifestHash).get() { return .alreadyDone(done) }
        let start = DispatchTime.now()
        let block = manifest.blocks[index]
        for part in [manifest.postMatrix, manifest.postCodes, block.matrix, block.codes, block.rows] {
            if let why = part.problem(directory: dir) { throw ShardError.damagedBlock(index: index, file: part.file, reason: why) }
        }
        let posts = try NPY.readMatrix(path: dir + "/" + manifest.postMatrix.file)
        let postCodes = try NPY.read(UInt32.self, path: dir + "/" + manifest.postCodes.file, dimensions: 1).values
        let workers = try NPY.readMatrix(path: dir + "/" + block.matrix.file)
        let workerCodes = try NPY.read(UInt32.self, path: dir + "/" + block.codes.file, dimensions: 1).values
        let rows = try NPY.read(Int32.self, path: dir + "/" + block.rows.file, dimensions: 1).values
        let result = Matcher.topK(scoringWorkers: workers, posts: posts, floor: manifest.floor, k: manifest.topK,
                                  codes: TieCodes(workerCodes: workerCodes, postCodes: postCodes), threads: threads, progress: progress)
        let byPost = result.byPost!
        let name = "parts/shard-\(index)"
        // Per-post lists carry the workers' rows in the whole run, so the merge needs no map.
        let globalIDs = byPost.ids.map { $0 < 0 ? $0 : rows[Int($0)] }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let shardResult = ShardResult(
            index: index, manifestSHA256: manifestHash, workers: block.workers,
            byWorkerScores: try .write(result.byWorker.scores, shape: [result.byWorker.rows, result.byWorker.k], directory: dir, file: name + ".by_worker.scores.npy"),
            byWorkerIDs: try .write(result.byWorker.ids, shape: [result.byWorker.rows, result.byWorker.k], directory: dir, file: name + ".by_worker.ids.npy"),
            byPostScores: try .write(byPost.scores, shape: [byPost.rows, byPost.k], directory: dir, file: name + ".by_post.scores.npy"),
            byPostIDs: try .write(globalIDs, shape: [byPost.rows, byPost.k], directory: dir, file: name + ".by_post.ids.npy"),
            seconds: seconds, peakRSSMegabytes: peakResidentMegabytes(), threads: threads ?? ScoringConfiguration.availableCores)
        try AtomicFile.write(JSONOutput.encode(shardResult), to: ShardResult.path(directory: dir, index: index))
        return .scored(shardResult)
    }

    static func manifestDigest(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ShardError.noManifest(path) }
        return FileDigest.sha256Hex(data)
    }

    /// The shard's result when it and its parts check out; otherwise why not.
    public static func finished(directory: String, index: Int, manifestSHA256: String) -> Result<ShardResult, ShardError> {
        let path = ShardResult.path(directory: directory, index: index)
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(.parts([(index, "not scored yet")])) }
        guard let r = try? JSONDecoder().decode(ShardResult.self, from: data), r.index == index else {
            return .failure(.parts([(index, "parts/shard-\(index).json is damaged")]))
        }
        guard r.manifestSHA256 == manifestSHA256 else { return .failure(.parts([(index, "scored from another plan")])) }
        for part in r.parts { if let why = part.problem(directory: directory) { return .failure(.parts([(index, why)])) } }
        return .success(r)
    }

    /// The state of every shard: its result, or why it is not usable (`shard status`, and the merge's check).
    public static func status(manifestPath: String) throws -> (manifest: ShardManifest, shards: [Result<ShardResult, ShardError>]) {
        let manifest = try ShardManifest.read(path: manifestPath)
        let dir = ShardManifest.directory(of: manifestPath)
        let hash = try manifestDigest(manifestPath)
        return (manifest, (0..<manifest.shards).map { finished(directory: dir, index: $0, manifestSHA256: hash) })
    }

    /// Raises the soft limit on open files towards `needed`, never above the hard limit.
    static func raiseOpenFileLimit(to needed: Int) {
        var l = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &l) == 0, l.rlim_cur < rlim_t(needed) else { return }
        l.rlim_cur = min(l.rlim_max, rlim_t(needed))
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
    }

    /// `shard merge`'s lists: checks every shard's parts first (all failures named at once), then places each
    /// shard's final worker lists at their rows and merges the per-post lists in shard-index order by the fixed
    /// (score, tie rank) key, `chunk` posts at a time, so that only one slice of each shard's per-post lists is
    /// held at once. `workerCodes` and `postCodes` are the whole run's tie codes (from the ids).
    public static func mergedCandidates(manifestPath: String, workerCodes: [UInt32], postCodes: [UInt32],
                                        chunk: Int = 4096) throws -> ScoringResult {
        let (manifest, results) = try finishedShards(manifestPath: manifestPath)
        return try mergedCandidates(manifest: manifest, directory: ShardManifest.directory(of: manifestPath), results: results,
                                    workerCodes: workerCodes, postCodes: postCodes, chunk: chunk)
    }

    /// Every shard's result, each checked against its parts; otherwise all the shards that are not usable, named
    /// at once (`ShardError.parts`). The merge calls this before it reads anything else.
    public static func finishedShards(manifestPath: String) throws -> (manifest: ShardManifest, results: [ShardResult]) {
        let (manifest, states) = try status(manifestPath: manifestPath)
        var failures: [(Int, String)] = []
        var results: [ShardResult] = []
        for (i, s) in states.enumerated() {
            switch s {
            case .success(let r): results.append(r)
            case .failure(.parts(let list)): failures += list
            case .failure(let e): failures.append((i, e.description))
            }
        }
        guard failures.isEmpty else { throw ShardError.parts(failures) }
        return (manifest, results)
    }

    /// The merge of shards already checked by `finishedShards`.
    public static func mergedCandidates(manifest: ShardManifest, directory dir: String, results: [ShardResult],
                                        workerCodes: [UInt32], postCodes: [UInt32], chunk: Int = 4096) throws -> ScoringResult {
        let n = manifest.workers, m = manifest.posts
        precondition(workerCodes.count == n && postCodes.count == m, "tie codes of another run")
        let k = min(manifest.topK, m), pk = min(manifest.topK, n)
        var byWorker = CandidateTable(rows: n, k: k)
        // Final worker lists: one shard at a time, each row to its place in the whole run (the map checked first).
        for (s, r) in results.enumerated() {
            let map = manifest.blocks[s].rows
            if let why = map.problem(directory: dir) { throw ShardError.damagedBlock(index: s, file: map.file, reason: why) }
            let rows = try NPY.read(Int32.self, path: dir + "/" + map.file, dimensions: 1).values
            guard rows.allSatisfy({ 0 <= $0 && Int($0) < n }) else {
                throw ShardError.damagedBlock(index: s, file: map.file, reason: "\(map.file) names rows outside 0…\(n - 1)")
            }
            let scores = try NPY.read(Float.self, path: dir + "/" + r.byWorkerScores.file, dimensions: 2)
            let ids = try NPY.read(Int32.self, path: dir + "/" + r.byWorkerIDs.file, dimensions: 2)
            guard scores.shape == [rows.count, k], ids.shape == scores.shape else {
                throw ShardError.parts([(s, "\(r.byWorkerScores.file) has shape \(scores.shape), expected [\(rows.count), \(k)]")])
            }
            for (local, row) in rows.enumerated() {
                for c in 0..<k {
                    byWorker.scores[Int(row) * k + c] = scores.values[local * k + c]
                    byWorker.ids[Int(row) * k + c] = ids.values[local * k + c]
                }
            }
        }
        // Per-post lists: a k-way merge of the shards' sorted lists, slice by slice.
        var byPost = CandidateTable(rows: m, k: pk)
        // Two open files per shard at once: a run of hundreds of shards needs more than the usual soft limit of
        // 1,024 descriptors, so raise it to the hard limit (as far as it goes) before opening them.
        ShardRun.raiseOpenFileLimit(to: 2 * results.count + 64)
        let readers = try results.map { r in
            (try NPY.RowReader<Float>(path: dir + "/" + r.byPostScores.file), try NPY.RowReader<Int32>(path: dir + "/" + r.byPostIDs.file))
        }
        for (s, rd) in readers.enumerated() where rd.0.rows != m || rd.1.rows != m || rd.0.columns != rd.1.columns {
            throw ShardError.parts([(s, "\(rd.0.path) does not have one row per post")])
        }
        var sliceScores = [[Float]](repeating: [], count: readers.count)
        var sliceIDs = [[Int32]](repeating: [], count: readers.count)
        var j0 = 0
        while j0 < m {
            let j1 = min(m, j0 + chunk)
            for (s, rd) in readers.enumerated() {
                try rd.0.read(j0..<j1, into: &sliceScores[s])
                try rd.1.read(j0..<j1, into: &sliceIDs[s])
            }
            let widths = readers.map(\.0.columns)
            var heads = [Int](repeating: 0, count: readers.count)
            for j in j0..<j1 {
                let local = j - j0
                for s in heads.indices { heads[s] = 0 }
                var filled = 0
                while filled < pk {
                    var best = -1
                    var bestKey: UInt64 = 0
                    for s in heads.indices where heads[s] < widths[s] {
                        let at = local * widths[s] + heads[s]
                        let id = sliceIDs[s][at]
                        guard id >= 0 else { continue }
                        let key = TieOrder.key(score: sliceScores[s][at], ownerCode: postCodes[j], candidateCode: workerCodes[Int(id)])
                        if best < 0 || key > bestKey { best = s; bestKey = key }
                    }
                    guard best >= 0 else { break }
                    let at = local * widths[best] + heads[best]
                    byPost.scores[j * pk + filled] = sliceScores[best][at]
                    byPost.ids[j * pk + filled] = sliceIDs[best][at]
                    heads[best] += 1
                    filled += 1
                }
            }
            j0 = j1
        }
        return ScoringResult(byWorker: byWorker, byPost: byPost)
    }
}
