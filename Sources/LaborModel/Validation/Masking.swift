/// Masking of personal data (PIPL): reports, console output and logs show ID numbers as
/// `110105********002X` and phones as `138****1234` unless the user asks for `--unmask`.
public enum Masking {
    public static func idNumber(_ s: String) -> String {
        let u = Array(s.utf8)
        if u.count == 18 && u.allSatisfy({ $0 < 0x80 }) {
            // The common case, on bytes: 6 + 8 stars + 4.
            return String(decoding: u[0..<6] + Array(repeating: UInt8(ascii: "*"), count: 8) + u[14..<18], as: UTF8.self)
        }
        let c = Array(s)
        guard c.count >= 10 else { return String(repeating: "*", count: c.count) }
        return String(c[0..<6]) + String(repeating: "*", count: c.count - 10) + String(c[(c.count - 4)...])
    }

    /// A name keeps its first character (the surname, mostly): 谭军德 → 谭**.
    public static func name(_ s: String) -> String {
        guard let first = s.first else { return s }
        return String(first) + String(repeating: "*", count: max(1, s.count - 1))
    }

    public static func phone(_ s: String) -> String {
        let c = Array(s)
        guard c.count >= 7 else { return String(repeating: "*", count: c.count) }
        return String(c[0..<3]) + String(repeating: "*", count: c.count - 7) + String(c[(c.count - 4)...])
    }
}

/// Phone numbers: empty, or an 11-digit mainland mobile number 1[3-9]xxxxxxxxx.
public enum Phone {
    public static func validate(_ s: String) -> Result<String, ReasonError> {
        var t = s
        t.removeAll { $0 == "-" || $0 == " " }
        if t.hasPrefix("+86") { t.removeFirst(3) }
        let u = Array(t.utf8)
        guard u.count == 11, u[0] == UInt8(ascii: "1"), u[1] >= UInt8(ascii: "3"), u[1] <= UInt8(ascii: "9"),
              u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(ReasonError("联系电话应为 11 位手机号 (1[3-9] 开头) / phone must be an 11-digit mobile number starting 13–19"))
        }
        return .success(t)
    }
}
