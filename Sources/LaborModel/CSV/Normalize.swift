import Foundation

/// Cell normalisation applied before any validation: surrounding white space (including the ideographic
/// space U+3000 and NBSP) trimmed, full-width digits and letters folded (NFKC: `Ｘ０１` → `X01`).
public enum Normalize {
    public static func cell(_ s: String) -> String {
        var ascii = true
        for u in s.utf8 where u >= 0x80 { ascii = false; break }
        if ascii {
            // Fast path: plain ASCII only needs trimming.
            let u = s.utf8
            guard let f = u.first, let l = u.last, f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 else { return s }
            return s.trimmingCharacters(in: .whitespaces)
        }
        // Common CJK ideographs (U+3400–U+4DBF, U+4E00–U+9FFF), the ideographic comma and full stop 、。 (lists as
        // stored are joined by 、) and the middle dot · of transcribed names are their own NFKC form; only cells
        // with other non-ASCII characters (full-width forms, ideographic space, compatibility characters) need the
        // mapping.
        var plain = true
        for u in s.unicodeScalars where u.value >= 0x80 && !(0x4E00...0x9FFF ~= u.value) && !(0x3400...0x4DBF ~= u.value)
            && !(0x3001...0x3002 ~= u.value) && u.value != 0xB7 {
            plain = false
            break
        }
        if plain { return trimmed(s) }
        return trimmed(s.precomposedStringWithCompatibilityMapping)
    }

    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: return true
        default: return false
        }
    }

    /// Surrounding white space removed (without Foundation's bridging, which is slow on Linux).
    static func trimmed(_ s: String) -> String {
        let u = s.unicodeScalars
        guard let first = u.first, let last = u.last, isSpace(first) || isSpace(last) else { return s }
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi && isSpace(u[lo]) { lo = u.index(after: lo) }
        while hi > lo && isSpace(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        return String(u[lo..<hi])
    }
}
