/// The order of candidates with equal scores in one list: a fixed pseudo-random permutation of the candidates'
/// *tie codes*, different for every list owner. Ties are common (quantised scores, many workers with the same
/// profile); breaking them by plain row order would give every such worker the same first posts and pile
/// everybody onto a few posts.
///
/// Determinism by identity: a tie code is a 32-bit value derived from the row's id (worker_id, post_id; see
/// `TieCodes`), so the order of two candidates does not depend on where their rows stand in the input, on how
/// many other rows there are, on threads, chunking or tiling. Without ids the codes are the row indices.
///
/// rank(o, x) = ((x ⊕ salt(o)) · A) mod 2³², A odd: a bijection on 32-bit codes, inverted with A⁻¹ mod 2³², so
/// a candidate's code is recovered from its rank in the packed 64-bit key.
public enum TieOrder {
    @usableFromInline static let multiplier: UInt32 = 0x9E37_79B1
    /// A⁻¹ mod 2³² (Newton's iteration x ← x(2 − Ax) doubles the correct low bits each step).
    @usableFromInline static let inverse: UInt32 = {
        var x: UInt32 = multiplier
        for _ in 0..<5 { x = x &* (2 &- multiplier &* x) }
        return x
    }()

    /// The salt of a list owner, from its tie code.
    @inlinable @inline(__always)
    public static func salt(_ ownerCode: UInt32) -> UInt32 {
        var h = UInt64(ownerCode) &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    /// The tie rank of a candidate (by code) in the list whose owner has `salt`: a lower rank wins a tie.
    @inlinable @inline(__always)
    public static func rank(salt: UInt32, candidate: UInt32) -> UInt32 {
        (candidate ^ salt) &* multiplier
    }

    @inlinable @inline(__always)
    static func candidate(salt: UInt32, rank: UInt32) -> UInt32 {
        (rank &* inverse) ^ salt
    }

    /// The tie rank of candidate code `candidate` in the list of the owner with code `owner`.
    @inlinable @inline(__always)
    public static func rank(owner: UInt32, candidate: UInt32) -> UInt32 {
        rank(salt: salt(owner), candidate: candidate)
    }

    /// True when (s1, c1) ranks before (s2, c2) in the list of the owner with code `owner` (codes, not rows).
    @inlinable
    public static func before(owner: UInt32, _ s1: Float, _ c1: UInt32, _ s2: Float, _ c2: UInt32) -> Bool {
        s1 > s2 || (s1 == s2 && rank(owner: owner, candidate: c1) < rank(owner: owner, candidate: c2))
    }
}

/// The tie codes of the workers and of the posts of one scoring run: unique within each side.
public struct TieCodes: Sendable, Equatable {
    public var workers: [UInt32]
    public var posts: [UInt32]

    /// Codes from the rows' ids (see `code(of:)`); a rare collision within one side is resolved by re-hashing
    /// the id with a counter, the ids taken in sorted order, so the result still depends only on the ids.
    public init(workerIDs: [String], postIDs: [String]) {
        workers = TieCodes.unique(workerIDs)
        posts = TieCodes.unique(postIDs)
    }

    /// Codes given as they are (a subset of a larger run's codes; unique within each side).
    public init(workerCodes: [UInt32], postCodes: [UInt32]) {
        workers = workerCodes
        posts = postCodes
    }

    /// Row indices as codes (no ids: the order of rows is the identity).
    public init(workers n: Int, posts m: Int) {
        workers = (0..<n).map { UInt32(truncatingIfNeeded: $0) }
        posts = (0..<m).map { UInt32(truncatingIfNeeded: $0) }
    }

    /// FNV-1a (64-bit) of the id's UTF-8 bytes, and `salt`, folded to 32 bits.
    public static func code(of id: String, salt: UInt64 = 0) -> UInt32 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ (salt &* 0x9E37_79B9_7F4A_7C15)
        for b in id.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    static func unique(_ ids: [String]) -> [UInt32] {
        var codes = ids.map { code(of: $0) }
        var seen = [UInt32: Int](minimumCapacity: codes.count)
        var clashes: [Int] = []
        for (i, c) in codes.enumerated() {
            if let j = seen[c] { clashes.append(i); clashes.append(j) } else { seen[c] = i }
        }
        guard !clashes.isEmpty else { return codes }
        // Every row in a clash (and only those) gets a new code, in id order, skipping codes in use.
        let redo = Array(Set(clashes)).sorted { ids[$0] < ids[$1] || (ids[$0] == ids[$1] && $0 < $1) }
        var used = Set(codes.enumerated().filter { !redo.contains($0.offset) }.map(\.element))
        for i in redo {
            var s: UInt64 = 1
            var c = code(of: ids[i], salt: s)
            while used.contains(c) { s += 1; c = code(of: ids[i], salt: s) }
            used.insert(c)
            codes[i] = c
        }
        return codes
    }

    /// Maps codes back to row indices.
    func index(_ codes: [UInt32]) -> [UInt32: Int32] {
        var d = [UInt32: Int32](minimumCapacity: codes.count)
        for (i, c) in codes.enumerated() { d[c] = Int32(i) }
        return d
    }

    var isIdentity: Bool {
        workers.enumerated().allSatisfy { UInt32(truncatingIfNeeded: $0.offset) == $0.element }
            && posts.enumerated().allSatisfy { UInt32(truncatingIfNeeded: $0.offset) == $0.element }
    }
}

extension TieOrder {
    /// The sort key of a candidate in one list, higher first: the score, then the tie rank (the order every
    /// list here keeps). Two different candidates of one owner never have equal keys. Lists scored apart (the
    /// shards of a sharded run) merge into exactly the one list by this key.
    public static func key(score: Float, ownerCode: UInt32, candidateCode: UInt32) -> UInt64 {
        CandidateKey.make(score, salt: salt(ownerCode), candidateCode)
    }
}
