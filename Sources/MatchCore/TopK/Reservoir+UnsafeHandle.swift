/// A candidate packed into one sortable 64-bit key: the score's bits made order-preserving in the high
/// half, `UInt32.max − id` in the low half. A larger key is a better candidate: a higher score, or an equal
/// score and a lower id, so one integer comparison applies the tie rule.
@usableFromInline
enum CandidateKey {
    @inline(__always) static func make(_ score: Float, _ id: Int32) -> UInt64 {
        let b = score.bitPattern
        let sortable = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
        return UInt64(sortable) << 32 | UInt64(UInt32.max - UInt32(bitPattern: id))
    }

    @inline(__always) static func score(_ key: UInt64) -> Float {
        let s = UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: s & 0x8000_0000 != 0 ? s & 0x7FFF_FFFF : ~s)
    }

    @inline(__always) static func id(_ key: UInt64) -> Int32 {
        Int32(bitPattern: UInt32.max - UInt32(truncatingIfNeeded: key))
    }
}

/// A top-K collector as a reservoir (faiss `ReservoirTopN`): candidates that beat the threshold are appended
/// unsorted to a buffer of `capacity` (2K) keys; when it fills, a quickselect keeps the K best and the
/// threshold rises to the K-th best score. An entry costs one compare and one store, a compaction
/// O(capacity), so each accepted candidate costs O(1) amortised instead of a heap's O(log K) branches.
///
/// Callers offer ids in increasing order, so a later candidate whose score equals the threshold can never
/// beat the kept K-th and a strict `>` test on the score suffices.
///
/// All pointer work of the reservoirs lives in this file; the handle is used only inside the scan.
struct ReservoirHandle {
    let keys: UnsafeMutablePointer<UInt64>
    let count: UnsafeMutablePointer<Int32>
    let threshold: UnsafeMutablePointer<Float>
    let k: Int
    let capacity: Int

    @inline(__always)
    init(keys: UnsafeMutablePointer<UInt64>, count: UnsafeMutablePointer<Int32>,
         threshold: UnsafeMutablePointer<Float>, k: Int, capacity: Int) {
        assert(k >= 1 && capacity > k, "a reservoir needs room beyond K")
        self.keys = keys
        self.count = count
        self.threshold = threshold
        self.k = k
        self.capacity = capacity
    }

    /// Appends a candidate known to beat the threshold; compacts when full.
    @inline(__always)
    func append(_ s: Float, _ id: Int32) {
        let c = Int(count.pointee)
        keys[c] = CandidateKey.make(s, id)
        if c + 1 == capacity {
            compact()
        } else {
            count.pointee = Int32(c + 1)
        }
    }

    /// Keeps the K best of the full buffer and raises the threshold to the K-th best score.
    @inline(never)
    func compact() {
        ReservoirHandle.selectLargest(keys, count: capacity, k: k)
        var worst = keys[0]
        for i in 1..<k where keys[i] < worst { worst = keys[i] }
        threshold.pointee = CandidateKey.score(worst)
        count.pointee = Int32(k)
    }

    /// Moves the `k` largest of the first `count` keys to the front (unordered): quickselect (Hoare, 1961,
    /// "Algorithm 65: Find") with a median-of-three pivot. Keys are distinct (ids are).
    static func selectLargest(_ a: UnsafeMutablePointer<UInt64>, count: Int, k: Int) {
        guard k < count, k > 0 else { return }
        var lo = 0, hi = count - 1
        let target = k - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if a[mid] > a[lo] { a.swapAt(mid, lo) }
            if a[hi] > a[lo] { a.swapAt(hi, lo) }
            if a[hi] > a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] > pivot { i += 1 }
                while a[j] < pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { return }
        }
    }

    /// Writes the K best, best first, to `outScores`/`outIDs` (k slots; unused slots get −∞ and id −1).
    func finish(into outScores: UnsafeMutablePointer<Float>, _ outIDs: UnsafeMutablePointer<Int32>) {
        let c = Int(count.pointee)
        ReservoirHandle.selectLargest(keys, count: c, k: k)
        let kept = min(c, k)
        var best = UnsafeMutableBufferPointer(start: keys, count: kept)
        best.sort(by: >)
        for i in 0..<k {
            if i < kept {
                outScores[i] = CandidateKey.score(keys[i])
                outIDs[i] = CandidateKey.id(keys[i])
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
