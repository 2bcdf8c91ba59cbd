/// Reads the cells of one CSV row by column key, normalised, collecting every problem found.
struct RowReader {
    let schema: Schema
    let index: [String: Int]
    let fields: [String]
    var problems: [FieldProblem] = []

    /// Starts with the record's byte-level problems (undecodable bytes, control characters, extra cells), so
    /// that every intake rejects such a row with the column named and personal values masked.
    init(schema: Schema, index: [String: Int], record: CSVRecord) {
        self.schema = schema
        self.index = index
        self.fields = record.fields
        if !record.problems.isEmpty {
            var keyAt: [Int: String] = [:]
            for (k, i) in index { keyAt[i] = k }
            let label = self.label
            problems = record.fieldProblems(
                label: { i in keyAt[i].map(label) ?? "第 \(i + 1) 列 / column \(i + 1)" },
                mask: { i, v in
                    switch keyAt[i] {
                    case "id_number": return Masking.idNumber(v)
                    case "phone": return Masking.phone(v)
                    default: return v
                    }
                })
        }
    }

    func label(_ key: String) -> String { schema.columns.first { $0.key == key }?.label ?? key }

    /// The normalised cell; "" when the column is absent or the row is short.
    func cell(_ key: String) -> String {
        guard let i = index[key], i < fields.count else { return "" }
        return Normalize.cell(fields[i])
    }

    /// Whether the cell is empty once normalised (`cell(key).isEmpty`), usually without normalising it: a printable
    /// ASCII character or a CJK ideograph (a UTF-8 lead byte E4–E9: U+4000–U+9FFF) survives normalisation.
    func isBlank(_ key: String) -> Bool {
        guard let i = index[key], i < fields.count else { return true }
        for u in fields[i].utf8 where (u > 0x20 && u < 0x7F) || (u >= 0xE4 && u <= 0xE9) { return false }
        return Normalize.cell(fields[i]).isEmpty
    }

    mutating func fail(_ key: String, _ value: String, _ reason: String, mask: (String) -> String = { $0 }) {
        problems.append(FieldProblem(column: label(key), shownValue: mask(value), reason: reason, rawValue: value))
    }

    mutating func required(_ key: String) -> String? {
        let v = cell(key)
        if v.isEmpty { fail(key, v, "不能为空 / must not be empty"); return nil }
        return v
    }

    /// A whole number in `range`; nil (no problem) when empty and `optional`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>, optional: Bool) -> Int?? {
        let v = cell(key)
        if v.isEmpty {
            if optional { return .some(nil) }
            fail(key, v, "不能为空 / must not be empty")
            return nil
        }
        var t = v
        t.removeAll { $0 == "," } // 6,500 as Excel may format it
        if t.hasSuffix(".0") || t.hasSuffix(".00") { t = String(t.prefix { $0 != "." }) }
        guard let n = Int(t), range.contains(n) else {
            fail(key, v, "应为 \(range.lowerBound)–\(range.upperBound) 的整数 / must be a whole number \(range.lowerBound)–\(range.upperBound)")
            return nil
        }
        return .some(n)
    }

    mutating func yesNo(_ key: String) -> Bool? {
        let v = cell(key)
        switch v.lowercased() {
        case "是", "yes", "y", "1", "true", "有", "包": return true
        case "否", "no", "n", "0", "false", "无", "不包", "": return false
        default:
            fail(key, v, "应为 是/否 / must be 是/否, yes/no, 1/0 or true/false")
            return nil
        }
    }

    /// A list of taxonomy entries separated by 、 ; | / , or the word 或 (order kept, repeats dropped). The taxonomy
    /// is passed to `lookup` rather than captured by it: a closure captures a struct by copying it, and copying
    /// the taxonomy (a retain of each of its tables, on counters both validating threads share) three times a row
    /// cost a fifth of validating a workers file.
    mutating func list(_ key: String, what: String, in taxonomy: Taxonomy, lookup: (Taxonomy, String) -> Int?) -> [Int] {
        var out: [Int] = []
        for token in RowReader.split(cell(key)) {
            if let i = lookup(taxonomy, token) {
                if !out.contains(i) { out.append(i) }
            } else {
                fail(key, token, "未知\(what), 请检查拼写或在 Data/taxonomy 中添加别名 / unknown \(what == "工种" ? "occupation" : what == "证书" ? "certificate" : "value"); check the spelling or add an alias in Data/taxonomy")
            }
        }
        return out
    }

    /// Splits a list cell at 、 ; | / , (full-width too) and at the word 或 / 或者 ("木工或者司机" → 木工, 司机).
    static func split(_ s: String) -> [String] {
        if s.isEmpty { return [] }
        // Over the UTF-8 bytes: every separator is an ASCII byte or a three-byte sequence (、 E3 80 81, ； EF BC 9B,
        // ， EF BC 8C, ／ EF BC 8F, 或 E6 88 96, 者 E8 80 85) whose first byte only ever starts a character, so a match
        // is always a whole character; tokens are cut as byte ranges (no array of scalars, no string built a
        // scalar at a time, which cost a third of validating a workers row).
        let b = Array(s.utf8)
        var out: [String] = []
        var start = 0, i = 0
        func flush(_ end: Int) {
            let t = Normalize.cell(String(decoding: b[start..<end], as: UTF8.self))
            if !t.isEmpty { out.append(t) }
        }
        func at(_ j: Int, _ x: UInt8, _ y: UInt8, _ z: UInt8) -> Bool { j + 2 < b.count && b[j] == x && b[j + 1] == y && b[j + 2] == z }
        while i < b.count {
            var width = 0
            switch b[i] {
            case UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "/"), UInt8(ascii: ","): width = 1
            case 0xE3: width = at(i, 0xE3, 0x80, 0x81) ? 3 : 0
            case 0xEF: width = at(i, 0xEF, 0xBC, 0x9B) || at(i, 0xEF, 0xBC, 0x8C) || at(i, 0xEF, 0xBC, 0x8F) ? 3 : 0
            // 或, and 或者 as one separator.
            case 0xE6: width = at(i, 0xE6, 0x88, 0x96) ? (at(i + 3, 0xE8, 0x80, 0x85) ? 6 : 3) : 0
            default: break
            }
            if width == 0 {
                i += 1
            } else {
                flush(i)
                i += width
                start = i
            }
        }
        flush(b.count)
        return out
    }
}
