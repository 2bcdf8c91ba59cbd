/// The order of candidates with equal scores in one list: a fixed pseudo-random permutation of the candidate
/// ids, different for every list owner. Ties are common (quantised scores, many workers with the same profile);
/// breaking them by plain id order would give every such worker the same lowest-numbered posts and pile
/// everybody onto a few posts. The permutation is a pure function of (owner, candidate), so results stay
/// identical for any thread count, chunking or tiling.
///
/// rank(o, x) = ((x ⊕ salt(o)) · A) mod 2³², A odd: a bijection on 32-bit values, inverted with A⁻¹ mod 2³².
public enum TieOrder {
    @usableFromInline static let multiplier: UInt32 = 0x9E37_79B1
    /// A⁻¹ mod 2³² (Newton's iteration x ← x(2 − Ax) doubles the correct low bits each step).
    @usableFromInline static let inverse: UInt32 = {
        var x: UInt32 = multiplier
        for _ in 0..<5 { x = x &* (2 &- multiplier &* x) }
        return x
    }()

    @inlinable @inline(__always)
    static func salt(_ owner: Int) -> UInt32 {
        var h = UInt64(truncatingIfNeeded: owner) &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    /// The tie rank of `candidate` in `owner`'s list: a lower rank wins a tie.
    @inlinable @inline(__always)
    public static func rank(owner: Int, candidate: Int32) -> UInt32 {
        (UInt32(bitPattern: candidate) ^ salt(owner)) &* multiplier
    }

    @inlinable @inline(__always)
    static func candidate(owner: Int, rank: UInt32) -> Int32 {
        Int32(bitPattern: (rank &* inverse) ^ salt(owner))
    }

    /// True when (s1, c1) ranks before (s2, c2) in `owner`'s list.
    @inlinable
    public static func before(owner: Int, _ s1: Float, _ c1: Int32, _ s2: Float, _ c2: Int32) -> Bool {
        s1 > s2 || (s1 == s2 && rank(owner: owner, candidate: c1) < rank(owner: owner, candidate: c2))
    }
}
