#if canImport(Glibc)
import Glibc
#endif
import CScanKernel
import Dispatch
import Synchronization

/// The result of scoring every worker against every post: each worker's best posts and, when asked, each
/// post's best workers. Scores are the (quantised) score values; ids are post or worker row indices.
public struct ScoringResult: Sendable {
    public var byWorker: CandidateTable
    public var byPost: CandidateTable?
    public init(byWorker: CandidateTable, byPost: CandidateTable?) {
        self.byWorker = byWorker
        self.byPost = byPost
    }
}

/// Blocked GEMM feeding top-K collectors (faiss `exhaustive_inner_product_blas_tiles` with a heap handler):
/// worker chunks run in parallel on Dispatch; each multiplies its rows by post tiles into a reusable buffer and
/// offers each score to the worker's heap and to the post's heap at once. The n × m score matrix is never held.
/// The tiles' GEMMs are CScanKernel's `lm_gemm_panels` on posts packed in panels (faster than OpenBLAS's
/// sgemm, which packs both operands at every call, and the same bits on every machine); `Selection.none` runs
/// OpenBLAS's sgemm over the same tiles, the benchmarks' yardstick G, and `.gemmOnly` the packed GEMMs alone.
///
/// score(w, p) = W[w] · P[p] + bias[p], then × quantization and rounded. Candidates must beat `floor`.
/// Determinism: every list orders candidates by (score, `TieOrder` rank), a pure function of the pair, and keeps
/// exactly the K best it was offered, whatever the order of the offers. The result does not depend on threads,
/// chunk or tile sizes.
///
/// Each post keeps one reservoir, which every Dispatch worker fills in turn: a worker scans a tile's posts only
/// while it holds the tile's lock, and the workers start their sweeps of the tiles at different tiles so that they
/// seldom meet. (Private reservoirs per worker, merged at the end, were offered 1.4 times as many candidates with
/// two workers: each saw half of the workers, so its K-th best stayed lower.)
public enum ScoreBlocks {
    /// - Complexity: O(n·m·d) for the GEMMs, O(n·m) for the scan, O((n + m)·k·log k) for heap updates.
    /// - Parameter codes: the rows' tie codes (from their ids), so that ties are broken by identity; nil = row
    ///   indices.
    public static func topK(workers w: FeatureMatrix, posts p: FeatureMatrix, bias: [Float]? = nil,
                            codes: TieCodes? = nil, configuration cfg: ScoringConfiguration,
                            progress: (@Sendable (Int) -> Void)? = nil) -> ScoringResult {
        precondition(w.columns == p.columns, "workers and posts must have the same number of columns")
        precondition(bias == nil || bias!.count == p.rows, "bias needs one value per post")
        precondition(codes == nil || (codes!.workers.count == w.rows && codes!.posts.count == p.rows), "one tie code per row")
        let n = w.rows, m = p.rows, d = w.columns
        let k = min(cfg.k, m)
        let pk = cfg.postK.map { min($0, n) }
        var byWorker = CandidateTable(rows: n, k: k)
        guard n > 0, m > 0 else {
            return ScoringResult(byWorker: byWorker, byPost: pk.map { CandidateTable(rows: m, k: $0) })
        }
        let chunkRows = max(1, min(cfg.chunkRows, (n + cfg.threads - 1) / cfg.threads))
        let chunks = (n + chunkRows - 1) / chunkRows
        let workersCount = min(cfg.threads, chunks)
        let select = cfg.selection == .topK
        let pkk = pk ?? 0
        // Post reservoirs filled by more than one Dispatch worker, a tile at a time under the tile's lock.
        let lockPosts = select && pkk > 0 && workersCount > 1
        // With few posts, at least two tiles per Dispatch worker, so that the workers' scans do not queue for one.
        let tile = max(1, min(cfg.tileColumns, m, lockPosts ? (m + 2 * workersCount - 1) / (2 * workersCount) : m))
        ScoringConfiguration.configureBLAS(dispatchWorkers: workersCount, threads: cfg.threads)
        let floor: Float = cfg.floor

        // The post reservoirs: m × capacity.
        let pCap = 2 * max(pkk, 1)
        let postLists = select && pkk > 0 ? m : 0
        var postKeys = [UInt64](repeating: 0, count: postLists * pCap)
        var postCounts = [Int32](repeating: 0, count: postLists)
        var postThresh = [Float](repeating: floor, count: postLists)
        var postThreshKey = [UInt64](repeating: CandidateKey.ceiling(floor), count: postLists)
        var postThreshRank = [UInt32](repeating: 0, count: postLists)
        // Whether a tile's post lists have had their first bound (lm_post_bounds), by the tile's first post.
        var postSeeded = [UInt8](repeating: 0, count: postLists)
        let tieCodes = codes ?? TieCodes(workers: n, posts: m)
        // Posts with equal rows grouped (DistinctPosts): from here on, post positions are in the grouped order;
        // their codes, biases and lists go with them, and the post lists return to input order when finished.
        let grouped = select ? DistinctPosts.find(p) : nil
        let postCodes = grouped.map { g in g.order.map { tieCodes.posts[$0] } } ?? tieCodes.posts
        let gemmPosts = grouped?.rows ?? p
        // Each grouped position's distinct row relative to the first distinct row of its tile (the scan's index).
        var tileIndex: [Int32] = []
        if let grouped {
            tileIndex = grouped.distinct
            for j in 0..<m { tileIndex[j] -= grouped.distinct[j / tile * tile] }
        }
        let postSalt = select && pkk > 0 ? postCodes.map(TieOrder.salt) : []
        // Tie code → row, to turn the codes kept in the keys back into rows (identity without ids).
        let byIndex = codes == nil || codes!.isIdentity
        let workerRow = byIndex ? [:] : tieCodes.index(tieCodes.workers)
        let postRow = byIndex ? [:] : tieCodes.index(tieCodes.posts)
        let toWorkerRow: @Sendable (UInt32) -> Int32 = { byIndex ? Int32(bitPattern: $0) : workerRow[$0]! }
        let toPostRow: @Sendable (UInt32) -> Int32 = { byIndex ? Int32(bitPattern: $0) : postRow[$0]! }
        // A lock per tile guards its posts' reservoirs when more than one Dispatch worker fills them.
        let tiles = (m + tile - 1) / tile
        let locks = TileLocks(count: lockPosts ? tiles : 0)
        defer { locks.deallocate() }
        // Tile t's rows of the GEMM's post matrix: its distinct rows when posts are grouped (a contiguous range).
        let gemmRange: @Sendable (Int) -> Range<Int> = { t in
            let j0 = t * tile, j1 = min(m, j0 + tile)
            return grouped.map { Int($0.distinct[j0])..<(Int($0.distinct[j1 - 1]) + 1) } ?? j0..<j1
        }
        // The posts packed for the GEMM kernel: all at once when a Dispatch worker will visit a tile more than once
        // (more chunks than workers), else tile by tile as each worker visits it, into a buffer of its own (one
        // worker's suggestions then copy a tile of the open posts at a time, not all of them).
        let packed = cfg.selection != .none
        let packOnce = packed && chunks > workersCount
        let gemmPanels = packOnce ? PostPanels(posts: gemmPosts, tiles: tiles, range: gemmRange, threads: cfg.threads) : nil
        defer { gemmPanels?.deallocate() }
        let zeroBias = [Float](repeating: 0, count: bias == nil ? m : 0)
        let biasValues = grouped.map { g in g.order.map { (bias ?? zeroBias)[$0] } } ?? bias ?? zeroBias
        let next = Atomic<Int>(0)

        w.values.withUnsafeBufferPointer { wv in
        gemmPosts.values.withUnsafeBufferPointer { pv in
        biasValues.withUnsafeBufferPointer { bv in
        byWorker.scores.withUnsafeMutableBufferPointer { ws in
        byWorker.ids.withUnsafeMutableBufferPointer { wi in
        postKeys.withUnsafeMutableBufferPointer { pkeys in
        postCounts.withUnsafeMutableBufferPointer { pc in
        postThresh.withUnsafeMutableBufferPointer { pt in
        postThreshKey.withUnsafeMutableBufferPointer { ptk in
        postThreshRank.withUnsafeMutableBufferPointer { ptr in
        postSalt.withUnsafeBufferPointer { psalt in
        tieCodes.workers.withUnsafeBufferPointer { wcode in
        postCodes.withUnsafeBufferPointer { pcode in
        tileIndex.withUnsafeBufferPointer { tindex in
        postSeeded.withUnsafeMutableBufferPointer { pseeded in
            let shared = SharedPointers(w: wv.baseAddress!, p: pv.baseAddress!, bias: bv.baseAddress!,
                                        wCode: wcode.baseAddress!, pCode: pcode.baseAddress!,
                                        wScores: ws.baseAddress, wIDs: wi.baseAddress,
                                        pKeys: pkeys.baseAddress, pCounts: pc.baseAddress,
                                        pThresh: pt.baseAddress, pThreshKey: ptk.baseAddress, pThreshRank: ptr.baseAddress,
                                        pSalt: psalt.baseAddress,
                                        tileIndex: grouped == nil ? nil : tindex.baseAddress, pSeeded: pseeded.baseAddress)
            DispatchQueue.concurrentPerform(iterations: workersCount) { t in
                // 16 floats of slack: the scan of grouped posts loads sixteen scores from a row's last columns.
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * tile + 16)
                defer { buffer.deallocate() }
                let visitPanels = packed && !packOnce ? PostPanels.allocate(PostPanels.size(columns: tile, d: d)) : nil
                defer { visitPanels.map { UnsafeMutableRawPointer($0).deallocate() } }
                let wCap = 2 * max(k, 1)
                let chunk = ChunkReservoirs(rows: chunkRows, capacity: wCap)
                defer { chunk.deallocate() }
                let found = UnsafeMutablePointer<Int32>.allocate(capacity: tile + 16)
                let foundScores = UnsafeMutablePointer<Float>.allocate(capacity: tile + 16)
                defer { found.deallocate(); foundScores.deallocate() }
                let scan = TileScanner(k: k, postK: pkk, pCap: pCap, quantization: cfg.quantization, hasBias: bias != nil,
                                       shared: shared, chunk: chunk, level: cfg.scanLevel,
                                       columns: found, scores: foundScores)
                while true {
                    let c = next.add(1, ordering: .relaxed).oldValue
                    if c >= chunks { break }
                    let i0 = c * chunkRows, i1 = min(n, i0 + chunkRows)
                    chunk.reset(rows: i1 - i0, floor: floor)
                    // Worker t sweeps the tiles from its own starting tile, around.
                    for step in 0..<tiles {
                        let j0 = (t * tiles / workersCount + step) % tiles * tile
                        let j1 = min(m, j0 + tile)
                        let u = gemmRange(j0 / tile)
                        if packed {
                            let panels: UnsafePointer<Float>
                            if let gemmPanels {
                                panels = gemmPanels.tile(j0 / tile)
                            } else {
                                lm_pack_panels(shared.p + u.lowerBound * d, Int32(d), Int32(u.count), Int32(d), visitPanels!)
                                panels = UnsafePointer(visitPanels!)
                            }
                            lm_gemm_panels(cfg.scanLevel, shared.w + i0 * d, Int32(d), Int32(i1 - i0), panels,
                                           Int32(u.count), Int32(d), buffer, Int32(u.count))
                        } else {
                            BLAS.sgemmNT(m: i1 - i0, n: u.count, k: d, a: shared.w + i0 * d, lda: d,
                                         b: shared.p + u.lowerBound * d, ldb: d, c: buffer, ldc: u.count)
                        }
                        if select {
                            locks.withLock(j0 / tile) {
                                scan.scan(buffer: buffer, rows: i0..<i1, columns: j0..<j1, bufferColumns: u.count, first: step == 0)
                            }
                        }
                    }
                    if select && k > 0 {
                        for r in 0..<(i1 - i0) {
                            chunk.handle(r, salt: TieOrder.salt(shared.wCode[i0 + r]), k: k)
                                .finish(into: shared.wScores! + (i0 + r) * k, shared.wIDs! + (i0 + r) * k, row: toPostRow)
                        }
                    }
                    progress?(i1 - i0)
                }
            }
        }}}}}}}}}}}}}}}

        guard select else { return ScoringResult(byWorker: byWorker, byPost: pk.map { CandidateTable(rows: m, k: $0) }) }
        let byPost = pk.map {
            finishPostLists(keys: &postKeys, counts: postCounts, capacity: pCap, m: m, k: $0, threads: cfg.threads,
                            salts: postSalt, row: toWorkerRow, outputRow: grouped?.order)
        }
        return ScoringResult(byWorker: byWorker, byPost: byPost)
    }

    /// Each post's K best from its reservoir, by (score desc, tie rank asc); list j is the post of row
    /// `outputRow[j]` (nil: row j).
    static func finishPostLists(keys: inout [UInt64], counts: [Int32], capacity: Int, m: Int, k: Int, threads: Int,
                                salts: [UInt32], row: @Sendable (UInt32) -> Int32, outputRow: [Int]? = nil) -> CandidateTable {
        var out = CandidateTable(rows: m, k: k)
        guard k > 0 else { return out }
        out.scores.withUnsafeMutableBufferPointer { os in
        out.ids.withUnsafeMutableBufferPointer { oi in
        keys.withUnsafeMutableBufferPointer { ks in
        counts.withUnsafeBufferPointer { cs in
            let osp = UncheckedPointer(os.baseAddress!), oip = UncheckedPointer(oi.baseAddress!)
            let ksp = UncheckedPointer(ks.baseAddress!), csp = UncheckedPointer(UnsafeMutablePointer(mutating: cs.baseAddress!))
            let parts = min(m, max(1, threads * 4))
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for j in (part * m / parts)..<((part + 1) * m / parts) {
                    let o = outputRow?[j] ?? j
                    ReservoirHandle.finish(keys: ksp.pointer + j * capacity, count: Int(csp.pointer[j]), k: k, salt: salts[j],
                                           into: osp.pointer + o * k, oip.pointer + o * k, row: row)
                }
            }
        }}}}
        return out
    }
}

/// The GEMM's post rows packed for `lm_gemm_panels`, once for a run whose tiles are visited more than once: each
/// tile's rows in panels of 32, the tile's first panel at `tile(t)`.
struct PostPanels: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Float>
    private let offsets: [Int]

    init(posts: FeatureMatrix, tiles: Int, range: @Sendable (Int) -> Range<Int>, threads: Int) {
        let d = posts.columns
        var starts = [0]
        for t in 0..<tiles { starts.append(starts[t] + PostPanels.size(columns: range(t).count, d: d)) }
        let offsets = starts
        self.offsets = offsets
        base = PostPanels.allocate(offsets[tiles])
        let out = UncheckedPointer(base)
        posts.values.withUnsafeBufferPointer { pv in
            let values = UncheckedPointer(UnsafeMutablePointer(mutating: pv.baseAddress!))
            let parts = min(tiles, max(1, threads))
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for t in (part * tiles / parts)..<((part + 1) * tiles / parts) {
                    let r = range(t)
                    lm_pack_panels(values.pointer + r.lowerBound * d, Int32(d), Int32(r.count), Int32(d), out.pointer + offsets[t])
                }
            }
        }
    }

    func tile(_ t: Int) -> UnsafePointer<Float> { UnsafePointer(base + offsets[t]) }

    /// The floats of the panels of `columns` posts.
    static func size(columns: Int, d: Int) -> Int {
        let width = Int(lm_panel_columns())
        return (columns + width - 1) / width * width * d
    }

    /// Room for `count` floats, 64-byte aligned: each panel row of 32 floats is two whole cache lines (a vector load
    /// never splits). Freed through UnsafeMutableRawPointer.
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(1, count))
    }

    func deallocate() { UnsafeMutableRawPointer(base).deallocate() }
}

/// One lock per post tile; none when only one Dispatch worker fills the post reservoirs. POSIX mutexes (a futex:
/// a worker that waits sleeps) rather than Synchronization's Mutex, whose atomics ThreadSanitizer does not see, so
/// that `swift test --sanitize=thread` checks the reservoirs' locking (it reported every shared access as a race
/// under Mutex, and none under these).
struct TileLocks: @unchecked Sendable {
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private let count: Int

    init(count: Int) {
        self.count = count
        locks = .allocate(capacity: count)
        for i in 0..<count {
            (locks + i).initialize(to: pthread_mutex_t())
            let code = pthread_mutex_init(locks + i, nil)
            precondition(code == 0, "pthread_mutex_init failed (\(code))")
        }
    }

    /// Runs `body` holding tile `i`'s lock (directly when there are no locks).
    @inline(__always)
    func withLock(_ i: Int, _ body: () -> Void) {
        guard count > 0 else { return body() }
        assert(i >= 0 && i < count, "tile out of range")
        pthread_mutex_lock(locks + i)
        defer { pthread_mutex_unlock(locks + i) }
        body()
    }

    func deallocate() {
        for i in 0..<count { pthread_mutex_destroy(locks + i) }
        locks.deinitialize(count: count)
        locks.deallocate()
    }
}

/// Base pointers shared by the Dispatch workers. Each worker writes only the worker rows of the chunks it
/// claimed, and the post reservoirs of a tile only while it holds the tile's lock.
struct SharedPointers: @unchecked Sendable {
    let w: UnsafePointer<Float>
    let p: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    /// Tie codes of the workers and of the posts.
    let wCode: UnsafePointer<UInt32>
    let pCode: UnsafePointer<UInt32>
    let wScores: UnsafeMutablePointer<Float>?
    let wIDs: UnsafeMutablePointer<Int32>?
    let pKeys: UnsafeMutablePointer<UInt64>?
    let pCounts: UnsafeMutablePointer<Int32>?
    let pThresh: UnsafeMutablePointer<Float>?
    let pThreshKey: UnsafeMutablePointer<UInt64>?
    let pThreshRank: UnsafeMutablePointer<UInt32>?
    /// `TieOrder.salt` of each post's code, for the vectorised tie test.
    let pSalt: UnsafePointer<UInt32>?
    /// With grouped posts (DistinctPosts), each post's column in its tile's GEMM output; nil: its own column.
    let tileIndex: UnsafePointer<Int32>?
    /// Per post, whether its tile's lists have had their first bound (set at the tile's first post).
    let pSeeded: UnsafeMutablePointer<UInt8>?
}

/// One Dispatch worker's reservoirs for the worker rows of the chunk it is scoring.
struct ChunkReservoirs {
    let keys: UnsafeMutablePointer<UInt64>
    let counts: UnsafeMutablePointer<Int32>
    let thresholds: UnsafeMutablePointer<Float>
    let thresholdKeys: UnsafeMutablePointer<UInt64>
    let thresholdRanks: UnsafeMutablePointer<UInt32>
    let capacity: Int

    init(rows: Int, capacity: Int) {
        keys = .allocate(capacity: rows * capacity)
        counts = .allocate(capacity: rows)
        thresholds = .allocate(capacity: rows)
        thresholdKeys = .allocate(capacity: rows)
        thresholdRanks = .allocate(capacity: rows)
        self.capacity = capacity
    }

    func reset(rows: Int, floor: Float) {
        counts.update(repeating: 0, count: rows)
        thresholds.update(repeating: floor, count: rows)
        thresholdKeys.update(repeating: CandidateKey.ceiling(floor), count: rows)
        thresholdRanks.update(repeating: 0, count: rows)
    }

    @inline(__always)
    func handle(_ r: Int, salt: UInt32, k: Int) -> ReservoirHandle {
        ReservoirHandle(keys: keys + r * capacity, count: counts + r, threshold: thresholds + r,
                        thresholdKey: thresholdKeys + r, thresholdRank: thresholdRanks + r, salt: salt, k: k, capacity: capacity)
    }

    func deallocate() {
        keys.deallocate(); counts.deallocate(); thresholds.deallocate(); thresholdKeys.deallocate(); thresholdRanks.deallocate()
    }
}

struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}

/// The selection scan over one score tile (whose lock the caller holds when several Dispatch workers fill the post
/// reservoirs): adds the bias, quantises, and offers each score to the worker's reservoir and the post's. The filter (CScanKernel, with the widest vectors
/// the CPU has) returns the columns whose score beats a threshold key under the thresholds at the start of the
/// row (faiss's `thresh`; equal scores are settled by tie rank, sixteen lanes at once); most steps return none.
/// The offers then test each column against the thresholds as they stand, since the worker's rises as its
/// reservoir compacts, and the reservoirs keep only keys that beat theirs.
struct TileScanner {
    let k: Int
    let postK: Int
    let pCap: Int
    let quantization: Float?
    let hasBias: Bool
    let shared: SharedPointers
    let chunk: ChunkReservoirs
    /// CScanKernel's instruction set level.
    let level: Int32
    /// The filter's output: columns and their scores (a tile's width + 16 slots each).
    let columns: UnsafeMutablePointer<Int32>
    let scores: UnsafeMutablePointer<Float>

    @inline(__always)
    func scan(buffer: UnsafeMutablePointer<Float>, rows: Range<Int>, columns tile: Range<Int>, bufferColumns: Int, first: Bool) {
        let width = tile.count
        let j0 = tile.lowerBound
        let posts = postK > 0
        // The post reservoirs of the tile's columns (unused when !posts).
        let pThresh = posts ? shared.pThresh! + j0 : chunk.thresholds
        let pThreshKey = posts ? shared.pThreshKey! + j0 : chunk.thresholdKeys
        let pThreshRank = posts ? shared.pThreshRank! + j0 : chunk.thresholdRanks
        let pSalt = posts ? shared.pSalt! + j0 : UnsafePointer<UInt32>(chunk.thresholdRanks)
        let pCounts = posts ? shared.pCounts! + j0 : chunk.counts
        let pKeys = posts ? shared.pKeys! + j0 * pCap : chunk.keys
        let hasWorkers = k > 0
        @inline(__always) func postList(_ jj: Int) -> ReservoirHandle {
            ReservoirHandle(keys: pKeys + jj * pCap, count: pCounts + jj, threshold: pThresh + jj, thresholdKey: pThreshKey + jj,
                            thresholdRank: pThreshRank + jj, salt: pSalt[jj], k: postK, capacity: pCap)
        }
        var args = LMScanRow()
        args.bias = hasBias ? UnsafePointer(shared.bias + j0) : nil
        args.quantization = quantization ?? 0
        args.postCodes = shared.pCode + j0
        args.postThreshold = posts ? UnsafePointer(pThresh) : nil
        args.postThresholdRank = posts ? UnsafePointer(pThreshRank) : nil
        args.postSalt = posts ? pSalt : nil
        args.multiplier = TieOrder.multiplier
        args.width = Int32(width)
        args.columnIndex = shared.tileIndex.map { $0 + j0 }
        // The tile's first visit: each post's list starts with a bound of its K-th best over this chunk's rows
        // (lm_post_bounds, into the filter's score buffer, free until the rows' scans), as the workers' lists do.
        if posts, let seeded = shared.pSeeded, seeded[j0] == 0 {
            seeded[j0] = 1
            args.row = UnsafePointer(buffer)
            lm_post_bounds(&args, Int32(rows.count), Int32(bufferColumns), Int32(postK), scores)
            for jj in 0..<width { postList(jj).raise(toAtLeast: scores[jj]) }
        }
        for i in rows {
            let r = i - rows.lowerBound
            let code = shared.wCode[i]
            let res = chunk.handle(r, salt: TieOrder.salt(code), k: max(k, 1))
            args.row = UnsafePointer(buffer + r * bufferColumns)
            // A worker's list starts at the chunk's first tile with a bound of its K-th best from that tile alone
            // (CScanKernel's lm_row_bound: at least K columns score that much), which admits only those scores
            // and above: a list that starts from nothing is offered 40 % of all its candidates in its first tile.
            if first && hasWorkers { res.raise(toAtLeast: lm_row_bound(&args, Int32(k))) }
            args.workerThreshold = hasWorkers ? res.threshold.pointee : .infinity
            args.workerThresholdRank = res.thresholdRank.pointee
            args.workerSalt = res.salt
            args.workerCode = code
            let found = Int(lm_scan_row(level, &args, columns, scores))
            var wt = args.workerThreshold
            for c in 0..<found {
                let s = scores[c], jj = Int(columns[c])
                if s >= wt {
                    res.offer(s, args.postCodes[jj])
                    wt = res.threshold.pointee
                }
                if posts && s >= pThresh[jj] { postList(jj).offer(s, code) }
            }
        }
    }
}
