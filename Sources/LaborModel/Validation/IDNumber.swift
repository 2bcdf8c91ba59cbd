/// The 18-character resident identity number of GB 11643-1999: a 6-digit region code, the birth date
/// YYYYMMDD, a 3-digit sequence (odd for men, even for women) and a check character (ISO 7064 MOD 11-2).
public struct IDNumber: Sendable, Hashable, CustomStringConvertible {
    /// The normalised number: 17 digits and a check character, `X` in upper case.
    public let value: String
    public let birthDate: CivilDate
    public let isMale: Bool

    public enum Problem: Sendable, Equatable {
        case empty
        case scientificNotation
        case length(Int)
        case notDigits
        case checkCharacter(expected: Character)
        case birthDate
        case birthInFuture
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkChars: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Validates a (normalised: trimmed, NFKC) cell. `asOf` bounds the birth date.
    public static func parse(_ raw: String, asOf: CivilDate) -> Result<IDNumber, IDNumberError> {
        let s = raw.uppercased()
        if s.isEmpty { return .failure(IDNumberError(problem: .empty)) }
        let chars = Array(s.utf8)
        // "4.51031E+17" as Excel shows a long number (bytes scanned: Foundation's `contains` normalises both strings).
        var exponent = false, dot = false
        for (i, c) in chars.enumerated() {
            if c == 0x2E { dot = true }
            if c == 0x45, i + 1 < chars.count, chars[i + 1] == 0x2B || chars[i + 1] == 0x2D { exponent = true }
        }
        if exponent || (dot && s.count < 18) {
            return .failure(IDNumberError(problem: .scientificNotation))
        }
        guard chars.count == 18 else { return .failure(IDNumberError(problem: .length(s.count))) }
        var sum = 0
        for i in 0..<17 {
            let c = chars[i]
            guard c >= 0x30 && c <= 0x39 else { return .failure(IDNumberError(problem: .notDigits)) }
            sum += Int(c - 0x30) * weights[i]
        }
        let last = chars[17]
        guard (last >= 0x30 && last <= 0x39) || last == UInt8(ascii: "X") else {
            return .failure(IDNumberError(problem: .notDigits))
        }
        let expected = checkChars[sum % 11]
        guard Character(Unicode.Scalar(last)) == expected else {
            return .failure(IDNumberError(problem: .checkCharacter(expected: expected)))
        }
        func num(_ a: Int, _ b: Int) -> Int {
            var v = 0
            for i in a..<b { v = v * 10 + Int(chars[i] - 0x30) }
            return v
        }
        guard let birth = CivilDate(year: num(6, 10), month: num(10, 12), day: num(12, 14)), birth.year >= 1800 else {
            return .failure(IDNumberError(problem: .birthDate))
        }
        guard birth <= asOf else { return .failure(IDNumberError(problem: .birthInFuture)) }
        return .success(IDNumber(value: s, birthDate: birth, isMale: num(16, 17) % 2 == 1))
    }

    /// The check character for 17 digits (used by the generator).
    public static func checkCharacter(for digits17: String) -> Character {
        var sum = 0
        for (i, c) in digits17.utf8.enumerated() { sum += Int(c - 0x30) * weights[i] }
        return checkChars[sum % 11]
    }

    public var description: String { Masking.idNumber(value) }
}

public struct IDNumberError: Error, Sendable, Equatable {
    public var problem: IDNumber.Problem

    public var reason: String {
        switch problem {
        case .empty: return "身份证号为空 / ID number is empty"
        case .scientificNotation:
            return "身份证号被 Excel 转成了科学计数法, 请把身份证号列设为文本后重新导出 / the ID number was turned into a number by Excel (scientific notation); format that column as text (把身份证号列设为文本) and export again"
        case .length(let n): return "身份证号应为 18 位, 实为 \(n) 位 / ID number must have 18 characters, found \(n)"
        case .notDigits: return "身份证号前 17 位须为数字, 末位为数字或 X / ID number must be 17 digits and a digit or X"
        case .checkCharacter(let e): return "身份证号校验码错误 (应为 \(e)) / wrong check character (expected \(e))"
        case .birthDate: return "身份证号中的出生日期不存在 / the birth date in the ID number does not exist"
        case .birthInFuture: return "身份证号中的出生日期在未来 / the birth date in the ID number is in the future"
        }
    }
}
