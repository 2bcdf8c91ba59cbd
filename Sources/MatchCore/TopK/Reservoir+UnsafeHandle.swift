import CScanKernel

/// A candidate packed into one sortable 64-bit key: the score's bits made order-preserving in the high half,
/// `UInt32.max − tie rank` in the low half. A larger key is a better candidate: a higher score, or an equal
/// score and a lower tie rank (`TieOrder`), so one integer comparison applies the whole order.
@usableFromInline
enum CandidateKey {
    @inline(__always) static func sortable(_ score: Float) -> UInt64 {
        let b = score.bitPattern
        return UInt64(b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000)
    }

    /// The key of a candidate (by tie code) in the list of the owner with `salt`.
    @inline(__always) static func make(_ score: Float, salt: UInt32, _ code: UInt32) -> UInt64 {
        sortable(score) << 32 | UInt64(UInt32.max - TieOrder.rank(salt: salt, candidate: code))
    }

    /// The largest key of a score: the threshold that admits only scores strictly above it.
    @inline(__always) static func ceiling(_ score: Float) -> UInt64 { sortable(score) << 32 | 0xFFFF_FFFF }

    @inline(__always) static func score(_ key: UInt64) -> Float {
        let s = UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: s & 0x8000_0000 != 0 ? s & 0x7FFF_FFFF : ~s)
    }

    /// The candidate's tie code.
    @inline(__always) static func code(_ key: UInt64, salt: UInt32) -> UInt32 {
        TieOrder.candidate(salt: salt, rank: UInt32.max - UInt32(truncatingIfNeeded: key))
    }
}

/// A top-K collector as a reservoir (faiss `ReservoirTopN`): candidates whose key beats the threshold key are
/// appended unsorted to a buffer of `capacity` (2K) keys; when it fills, a quickselect keeps the K best and the
/// threshold rises to the K-th best key. An entry costs one compare and one store, a compaction O(capacity),
/// so each accepted candidate costs O(1) amortised instead of a heap's O(log K) branches.
///
/// The scan first tests scores (`score >= threshold score`, sixteen at a time), then the full key.
///
/// The reservoirs' own pointer work lives in this file: the scan (ScoreBlocks) hands each handle its list's slots,
/// and finishing a list is `finish`.
struct ReservoirHandle {
    let keys: UnsafeMutablePointer<UInt64>
    let count: UnsafeMutablePointer<Int32>
    let threshold: UnsafeMutablePointer<Float>
    let thresholdKey: UnsafeMutablePointer<UInt64>
    /// The tie rank of the threshold key (a candidate with the threshold score enters only with a lower rank).
    let thresholdRank: UnsafeMutablePointer<UInt32>
    /// `TieOrder.salt` of the list's owner.
    let salt: UInt32
    let k: Int
    let capacity: Int

    @inline(__always)
    init(keys: UnsafeMutablePointer<UInt64>, count: UnsafeMutablePointer<Int32>, threshold: UnsafeMutablePointer<Float>,
         thresholdKey: UnsafeMutablePointer<UInt64>, thresholdRank: UnsafeMutablePointer<UInt32>, salt: UInt32, k: Int, capacity: Int) {
        assert(k >= 1 && capacity > k, "a reservoir needs room beyond K")
        self.keys = keys
        self.count = count
        self.threshold = threshold
        self.thresholdKey = thresholdKey
        self.thresholdRank = thresholdRank
        self.salt = salt
        self.k = k
        self.capacity = capacity
    }

    /// Offers a candidate (by tie code) whose score reached the threshold score; keeps it when its key beats the
    /// threshold key.
    @inline(__always)
    func offer(_ s: Float, _ code: UInt32) {
        let key = CandidateKey.make(s, salt: salt, code)
        guard key > thresholdKey.pointee else { return }
        let c = Int(count.pointee)
        keys[c] = key
        if c + 1 == capacity {
            compact()
        } else {
            count.pointee = Int32(c + 1)
        }
    }

    /// Keeps the K best of the full buffer and raises the threshold to the K-th best key (every key in the
    /// buffer beats the threshold, so the K-th best does too).
    @inline(never)
    func compact() {
        ReservoirHandle.selectLargest(keys, count: capacity, k: k)
        var worst = keys[0]
        for i in 1..<k where keys[i] < worst { worst = keys[i] }
        count.pointee = Int32(k)
        assert(worst > thresholdKey.pointee, "a compaction never lowers the threshold")
        thresholdKey.pointee = worst
        thresholdRank.pointee = UInt32.max - UInt32(truncatingIfNeeded: worst)
        threshold.pointee = CandidateKey.score(worst)
    }

    /// Raises the threshold, when lower, to admit only scores of at least `bound`: a bound some K candidates the
    /// list will be offered reach (so nothing below it can be among the K best). Ties at the bound are admitted.
    @inline(__always)
    func raise(toAtLeast bound: Float) {
        let below = bound.nextDown
        guard below > threshold.pointee else { return }
        threshold.pointee = below
        thresholdRank.pointee = 0
        thresholdKey.pointee = CandidateKey.ceiling(below)
    }

    /// Moves the `k` largest of the first `count` keys to the front (unordered): quickselect (Hoare, 1961,
    /// "Algorithm 65: Find") with a median-of-three pivot and branch-free partitions (CScanKernel's
    /// `lm_select_largest`: a branching partition mispredicts on every other key). Keys in one list are distinct.
    static func selectLargest(_ a: UnsafeMutablePointer<UInt64>, count: Int, k: Int) {
        lm_select_largest(ScoringConfiguration.bestScanLevel, a, Int32(count), Int32(k))
    }

    /// Writes the K best, best first, to `outScores`/`outIDs` (k slots; unused slots get −∞ and id −1), ids as
    /// rows through `row` (tie code → row index).
    func finish(into outScores: UnsafeMutablePointer<Float>, _ outIDs: UnsafeMutablePointer<Int32>, row: (UInt32) -> Int32) {
        ReservoirHandle.finish(keys: keys, count: Int(count.pointee), k: k, salt: salt, into: outScores, outIDs, row: row)
    }

    /// `finish` of the reservoir whose first `count` keys are at `keys` (reordered), for the list of the owner
    /// with `salt`.
    static func finish(keys: UnsafeMutablePointer<UInt64>, count c: Int, k: Int, salt: UInt32, into outScores: UnsafeMutablePointer<Float>,
                       _ outIDs: UnsafeMutablePointer<Int32>, row: (UInt32) -> Int32) {
        ReservoirHandle.selectLargest(keys, count: c, k: k)
        let kept = min(c, k)
        var best = UnsafeMutableBufferPointer(start: keys, count: kept)
        best.sort(by: >)
        for i in 0..<k {
            if i < kept {
                outScores[i] = CandidateKey.score(keys[i])
                outIDs[i] = row(CandidateKey.code(keys[i], salt: salt))
            } else {
                outScores[i] = -.infinity
                outIDs[i] = -1
            }
        }
    }
}

extension UnsafeMutablePointer where Pointee == UInt64 {
    @inline(__always) func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
