/// The 18-character unified social credit code (统一社会信用代码) of GB 32100-2015: 17 characters from a
/// 31-symbol alphabet (digits and upper-case letters without I, O, Z, S, V) and a MOD 31 check character.
public enum CreditCode {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let valueOf: [Int] = {
        var t = [Int](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = i }
        return t
    }()

    /// Returns the normalised code (upper case) or the reason it is invalid.
    public static func validate(_ raw: String) -> Result<String, ReasonError> {
        let s = raw.uppercased()
        if s.isEmpty { return .failure(ReasonError("统一社会信用代码为空 / credit code is empty")) }
        let u = Array(s.utf8)
        guard u.count == 18 else {
            return .failure(ReasonError("统一社会信用代码应为 18 位, 实为 \(s.count) 位 / credit code must have 18 characters, found \(s.count)"))
        }
        var sum = 0
        for i in 0..<18 {
            guard u[i] < 128, valueOf[Int(u[i])] >= 0 else {
                return .failure(ReasonError("统一社会信用代码含非法字符 / credit code has a character outside 0-9 and A-Y without I, O, Z, S, V"))
            }
            if i < 17 { sum += valueOf[Int(u[i])] * weights[i] }
        }
        let check = (31 - sum % 31) % 31
        guard valueOf[Int(u[17])] == check else {
            return .failure(ReasonError("统一社会信用代码校验码错误 (应为 \(Character(Unicode.Scalar(alphabet[check])))) / wrong check character (expected \(Character(Unicode.Scalar(alphabet[check]))))"))
        }
        return .success(s)
    }

    /// The check character for the first 17 characters (used by the generator and tests).
    public static func checkCharacter(for first17: String) -> Character {
        var sum = 0
        for (i, c) in first17.utf8.enumerated() { sum += valueOf[Int(c)] * weights[i] }
        return Character(Unicode.Scalar(alphabet[(31 - sum % 31) % 31]))
    }
}

/// A validation failure with its bilingual reason.
public struct ReasonError: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
