import Testing
@testable import MatchCore

@Suite struct SplitMix64Tests {
    @Test func knownStream() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func belowStaysInRange() {
        var g = SplitMix64(seed: 7)
        for n in [1, 2, 3, 10, 1000] {
            for _ in 0..<1000 { #expect((0..<n).contains(g.below(n))) }
        }
    }
}
