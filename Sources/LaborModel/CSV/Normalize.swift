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
        return s.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
