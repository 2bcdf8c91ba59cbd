import Testing
@testable import LaborModel

@Suite struct IDNumberTests {
    let asOf = CivilDate(year: 2026, month: 1, day: 1)!

    @Test(arguments: ["11010519491231002X", "440524188001010014", "11010219840406970X", "360426199101010071",
                      "44011320141005001x"])
    func validNumbers(_ s: String) throws {
        let id = try IDNumber.parse(s, asOf: asOf).get()
        #expect(id.value == s.uppercased())
    }

    @Test(arguments: ["11010219840506970X", "440524189001010014", "11020519491231002X", "36042619910102009X",
                      "110105194912310021"])
    func badCheckCharacter(_ s: String) {
        guard case .failure(let e) = IDNumber.parse(s, asOf: asOf), case .checkCharacter = e.problem else {
            Issue.record("\(s) should fail its check character")
            return
        }
    }

    @Test func monthThirteenWithCorrectCheckCharacter() {
        #expect(IDNumber.parse("360426199113010079", asOf: asOf) == .failure(IDNumberError(problem: .birthDate)))
    }

    @Test func derivedSexAndAge() throws {
        let man = try IDNumber.parse("360426199101010071", asOf: asOf).get()
        #expect(man.isMale)
        #expect(man.birthDate == CivilDate(year: 1991, month: 1, day: 1))
        #expect(man.birthDate.age(on: asOf) == 35)
        let woman = try IDNumber.parse("11010519491231002X", asOf: asOf).get()
        #expect(!woman.isMale)
        #expect(woman.birthDate.age(on: asOf) == 76)
        #expect(woman.birthDate.age(on: CivilDate(year: 2025, month: 12, day: 30)!) == 75)
    }

    @Test func otherProblems() {
        #expect(IDNumber.parse("4.51031E+17", asOf: asOf) == .failure(IDNumberError(problem: .scientificNotation)))
        #expect(IDNumber.parse("", asOf: asOf) == .failure(IDNumberError(problem: .empty)))
        #expect(IDNumber.parse("44052418800101001", asOf: asOf) == .failure(IDNumberError(problem: .length(17))))
        #expect(IDNumber.parse("4405241880010100A4", asOf: asOf) == .failure(IDNumberError(problem: .notDigits)))
        // Born 2014-10-05: in the future for an as-of date in 2010.
        #expect(IDNumber.parse("44011320141005001X", asOf: CivilDate(year: 2010, month: 1, day: 1)!)
                == .failure(IDNumberError(problem: .birthInFuture)))
        let reason = IDNumberError(problem: .scientificNotation).reason
        #expect(reason.contains("把身份证号列设为文本"))
    }

    @Test func checkCharacterAgreesWithParse() {
        #expect(IDNumber.checkCharacter(for: "11010519491231002") == "X")
        #expect(IDNumber.checkCharacter(for: "44052418800101001") == "4")
    }
}

@Suite struct CreditCodeTests {
    @Test func knownValidCode() throws {
        #expect(try CreditCode.validate("91350100M000100Y43").get() == "91350100M000100Y43")
        #expect(try CreditCode.validate("91350100m000100y43").get() == "91350100M000100Y43")
    }

    @Test func computedCodesAreValidAndEveryFlipIsCaught() throws {
        var rng = SplitMix64Local(seed: 42)
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        for _ in 0..<200 {
            var first = "91440303"
            for _ in 0..<9 { first.append(alphabet[rng.below(alphabet.count)]) }
            let code = first + String(CreditCode.checkCharacter(for: first))
            #expect((try? CreditCode.validate(code).get()) == code)
            // Change one character to another symbol of the alphabet: always detected.
            var chars = Array(code)
            let i = rng.below(18)
            var c = alphabet[rng.below(alphabet.count)]
            if c == chars[i] { c = alphabet[(alphabet.firstIndex(of: c)! + 1) % alphabet.count] }
            chars[i] = c
            if case .success = CreditCode.validate(String(chars)) { Issue.record("flip not caught: \(String(chars))") }
        }
    }

    @Test func badShapes() {
        if case .success = CreditCode.validate("91350100M000100Y4") { Issue.record("17 characters accepted") }
        if case .success = CreditCode.validate("91350100M00O100Y43") { Issue.record("letter O accepted") }
        if case .success = CreditCode.validate("") { Issue.record("empty accepted") }
    }
}

@Suite struct MaskingAndPhoneTests {
    @Test func masks() {
        #expect(Masking.idNumber("11010519491231002X") == "110105********002X")
        #expect(Masking.phone("13812341234") == "138****1234")
    }

    @Test func phones() throws {
        #expect(try Phone.validate("13812341234").get() == "13812341234")
        #expect(try Phone.validate("+86 139-0000-1234").get() == "13900001234")
        for bad in ["12345", "12812341234", "138123412345", "1381234123a"] {
            if case .success = Phone.validate(bad) { Issue.record("\(bad) accepted") }
        }
    }

    @Test func dates() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(iso: "2026-11-26")?.description == "2026-11-26")
        #expect(CivilDate(iso: "2026-1-26") == nil)
    }
}

/// A local SplitMix64 so these tests do not depend on the generator's own stream.
struct SplitMix64Local {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
