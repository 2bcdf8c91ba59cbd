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
        // Common CJK ideographs (U+3400–U+4DBF, U+4E00–U+9FFF) are their own NFKC form; only cells with other
        // non-ASCII characters (full-width forms, ideographic space, compatibility characters) need the mapping.
        var plain = true
        for u in s.unicodeScalars where u.value >= 0x80 && !(0x4E00...0x9FFF ~= u.value) && !(0x3400...0x4DBF ~= u.value) {
            plain = false
            break
        }
        if plain { return s.trimmingCharacters(in: .whitespacesAndNewlines) }
        return s.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
