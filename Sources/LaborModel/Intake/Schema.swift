import MatchCore
/// A column an input file may carry: its Chinese header, English alias and other accepted spellings.
public struct ColumnSpec: Sendable {
    public var key: String
    public var chinese: String
    public var aliases: [String]
    public var required: Bool

    public init(_ key: String, _ chinese: String, aliases: [String] = [], required: Bool = false) {
        self.key = key
        self.chinese = chinese
        self.aliases = aliases
        self.required = required
    }

    /// How the column is named in messages: `身份证号 id_number`.
    public var label: String { "\(chinese) \(key)" }
}

/// The columns of one kind of input file.
public struct Schema: Sendable {
    public var kind: String
    public var columns: [ColumnSpec]

    /// Every name a column answers to: its key, its Chinese header, its built-in aliases and those of
    /// `Data/taxonomy/columns.csv` (`aliases`, key → names).
    func names(_ c: ColumnSpec, _ aliases: [String: [String]]) -> [String] { [c.chinese, c.key] + c.aliases + (aliases[c.key] ?? []) }

    /// Maps header cells to columns. Unknown columns are returned for a warning; missing required columns throw,
    /// all of them at once, with the headers the file could have used.
    public func map(header: [String], file: String, aliases: [String: [String]] = [:]) throws -> (index: [String: Int], unknown: [String]) {
        var lookup: [String: String] = [:]
        for c in columns {
            for name in names(c, aliases) { lookup[Taxonomy.key(name)] = c.key }
        }
        var index: [String: Int] = [:]
        var unknown: [String] = []
        for (i, h) in header.enumerated() {
            let k = Taxonomy.key(h)
            if let key = lookup[k] {
                if index[key] == nil { index[key] = i } else { unknown.append(h + " (duplicate column, ignored)") }
            } else if !k.isEmpty {
                unknown.append(h)
            }
        }
        let missing = columns.filter { $0.required && index[$0.key] == nil }
        if !missing.isEmpty {
            throw IntakeError.missingColumns(file: file, columns: missing.map(\.label),
                                             known: columns.map { c in "\(c.label)\(c.required ? " *" : "") (\(names(c, aliases).dropFirst(2).joined(separator: ", ")))" })
        }
        return (index, unknown)
    }

    /// The staff files' columns: key and Chinese header here; the other names they answer to are in
    /// `Data/taxonomy/columns.csv`, loaded with the taxonomy.
    public static let workers = Schema(kind: "workers", columns: [
        ColumnSpec("id_number", "身份证号", required: true),
        ColumnSpec("name", "姓名", required: true),
        ColumnSpec("township", "乡镇", required: true),
        ColumnSpec("village", "村"),
        ColumnSpec("poor_household", "贫困户"),
        ColumnSpec("education", "学历"),
        ColumnSpec("skills", "技能"),
        ColumnSpec("certificates", "证书"),
        ColumnSpec("intentions", "求职意向"),
        ColumnSpec("preferred_destinations", "期望地区"),
        ColumnSpec("expected_wage", "期望月薪"),
        ColumnSpec("status", "就业状态"),
        ColumnSpec("phone", "联系电话"),
    ])

    public static let posts = Schema(kind: "posts", columns: [
        ColumnSpec("post_id", "岗位编号", required: true),
        ColumnSpec("employer", "企业名称", required: true),
        ColumnSpec("credit_code", "统一社会信用代码", required: true),
        ColumnSpec("title", "岗位名称"),
        ColumnSpec("occupation", "工种", required: true),
        ColumnSpec("location", "工作地点", required: true),
        ColumnSpec("openings", "招聘人数", required: true),
        ColumnSpec("wage_min", "月薪下限", required: true),
        ColumnSpec("wage_max", "月薪上限", required: true),
        ColumnSpec("education_min", "学历要求"),
        ColumnSpec("age_min", "年龄下限"),
        ColumnSpec("age_max", "年龄上限"),
        ColumnSpec("required_certificates", "所需证书"),
        ColumnSpec("board_lodging", "包吃住"),
    ])
}

public enum IntakeError: Error, CustomStringConvertible, Equatable {
    case missingColumns(file: String, columns: [String], known: [String])

    public var description: String {
        switch self {
        case let .missingColumns(file, columns, known):
            let list = columns.joined(separator: ", ")
            return "\(file): required column\(columns.count > 1 ? "s" : "") \(list) \(columns.count > 1 ? "are" : "is") missing (缺少必需列 \(list)); the file was not read.\n"
                + "Known headers (已知表头; * = required; aliases in Data/taxonomy/columns.csv):\n  " + known.joined(separator: "\n  ")
        }
    }
}

/// One reason a row was rejected.
public struct FieldProblem: Sendable, Equatable {
    public var column: String
    /// The value as shown to people: ID numbers and phones masked.
    public var shownValue: String
    public var reason: String
    /// The value as read (shown with `--unmask`).
    public var rawValue: String?

    public init(column: String, shownValue: String, reason: String, rawValue: String? = nil) {
        self.column = column
        self.shownValue = shownValue
        self.reason = reason
        self.rawValue = rawValue
    }

    /// Values are shown with control characters escaped (\x1B), so that no message carries them to a terminal.
    public var description: String { "\(column) '\(CSVRecord.visible(shownValue))': \(reason)" }

    public func description(unmask: Bool) -> String {
        "\(column) '\(CSVRecord.visible(unmask ? rawValue ?? shownValue : shownValue))': \(reason)"
    }
}

/// A rejected input row, with every reason that applies.
public struct Rejection: Sendable {
    public var line: Int
    public var fields: [String]
    public var problems: [FieldProblem]
}

/// What reading one input file produced. `read == accepted.count + rejections.count` always.
public struct IntakeResult<Record: Sendable>: Sendable {
    public var file: String
    public var header: [String]
    public var accepted: [Record]
    public var rejections: [Rejection]
    public var warnings: [String]
    public var encoding: TextEncoding
    /// The columns the file has (keys): an import leaves the others' stored values alone.
    public var columns: Set<String> = []
    public var read: Int { accepted.count + rejections.count }

    public init(file: String, header: [String], accepted: [Record], rejections: [Rejection], warnings: [String], encoding: TextEncoding) {
        self.file = file
        self.header = header
        self.accepted = accepted
        self.rejections = rejections
        self.warnings = warnings
        self.encoding = encoding
    }

    public var countsLine: String { "read \(read), accepted \(accepted.count), rejected \(rejections.count)" }

    /// The one skeleton of the intakes: each row validated on its own, in parallel (rows never depend on each
    /// other), then, in file order, a row whose key an earlier accepted row has is rejected too, with
    /// `duplicate(key, first line)` after its other problems (rows without a key, as placements and contributions,
    /// whose repeats the registry counts as unchanged, are never duplicates).
    mutating func validateRows(_ table: CSVTable,
                               _ row: @Sendable (CSVRecord) -> (record: Record?, key: String?, problems: [FieldProblem]),
                               duplicate: (String, Int) -> FieldProblem = { _, _ in preconditionFailure("keyless rows have no duplicates") }) {
        let rows = table.records
        let parts = Matcher.inParallel(count: rows.count, threads: ScoringConfiguration.availableCores) { range in
            range.map { row(rows[$0]) }
        }
        var firstLine: [String: Int] = [:]
        var k = 0
        for part in parts {
            for r in part {
                let rec = rows[k]
                k += 1
                var problems = r.problems
                if let key = r.key, let first = firstLine[key] { problems.append(duplicate(key, first)) }
                if problems.isEmpty, let record = r.record {
                    if let key = r.key { firstLine[key] = rec.line }
                    accepted.append(record)
                } else {
                    rejections.append(Rejection(line: rec.line, fields: rec.fields, problems: problems))
                }
            }
        }
    }

    /// Lines for people: `file:line: column 'value': reason` (ID and phone numbers masked unless `unmask`).
    public func rejectionMessages(unmask: Bool = false) -> [String] {
        rejections.map { r in "\(file):\(r.line): " + r.problems.map { $0.description(unmask: unmask) }.joined(separator: "; ") }
    }

    /// The rejects file: line number, the original fields as read, reasons; cells beyond the header's columns
    /// (a row rejected for extra cells) go to columns of their own after the reasons, so nothing shifts.
    public func rejectsCSV(english: Bool) -> CSVWriter {
        let extra = rejections.map { max(0, $0.fields.count - header.count) }.max() ?? 0
        let extraHeader = (0..<extra).map { english ? "extra cell \($0 + 1)" : "多出的单元格 \($0 + 1)" }
        var w = CSVWriter(header: [english ? "line" : "行号"] + header + [english ? "reasons" : "原因"] + extraHeader)
        for r in rejections {
            var f = Array(r.fields.prefix(header.count))
            if f.count < header.count { f += Array(repeating: "", count: header.count - f.count) }
            w.append(["\(r.line)"] + f + [r.problems.map(\.description).joined(separator: "; ")] + Array(r.fields.dropFirst(header.count)))
        }
        return w
    }
}
