/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
/// a tiny, fast, seedable generator. The same seed gives the same stream on every platform, which the
/// generator, the tests and the benchmarks rely on.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<n without modulo bias worth noting for n ≪ 2^64 (Lemire's multiply-shift).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "empty range")
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// A uniform Double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability p.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index drawn with the given (unnormalised) weights.
    public mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            x -= w
            if x < 0 { return i }
        }
        return weights.count - 1
    }
}
