import Foundation

/// Text encodings accepted on input.
public enum TextEncoding: String, Sendable, CaseIterable {
    /// Detect: a BOM (UTF-8 or UTF-16), UTF-8 (valid, or with no more bad bytes than GB18030 would have),
    /// anything else is read as GB18030.
    case auto
    case utf8 = "utf-8"
    /// GB18030, which also reads GBK and GB2312 files (it is a superset of both).
    case gb18030
    /// UTF-16 (Excel's "Unicode text", tab-separated); the BOM gives the byte order, little-endian without one.
    case utf16 = "utf-16"

    /// GB18030-2000 lifted into NSStringEncoding. Foundation on Linux decodes it; the GBK value
    /// (0x80000631) returns nil, so GBK files are read as GB18030.
    static let gb18030Foundation = String.Encoding(rawValue: 0x8000_0632)

    /// Accepts `utf8` and `utf16` without the dash too.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "utf8", "utf-8": self = .utf8
        case "utf16", "utf-16": self = .utf16
        case "gbk", "gb2312", "gb18030": self = .gb18030
        case "auto": self = .auto
        default: return nil
        }
    }
}

/// Something wrong with the bytes of one cell, found while reading: the row is rejected, the others go on.
public struct CellProblem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A byte sequence the encoding cannot decode, at this byte offset of the file (0-based).
        case undecodable(offset: Int, byte: UInt8, encoding: TextEncoding)
        /// A control character (C0 other than tab; line breaks are allowed inside quotes).
        case controlCharacter(UInt8)
        /// Non-empty cells beyond the header's columns.
        case extraCells(count: Int)
    }
    /// 0-based column index.
    public var column: Int
    public var kind: Kind

    public var reason: String {
        switch kind {
        case let .undecodable(offset, byte, encoding):
            return "无法按 \(encoding.rawValue) 解码的字节 0x\(String(byte, radix: 16, uppercase: true)) (文件偏移 \(offset), 从 0 数起) / "
                + "byte 0x\(String(byte, radix: 16, uppercase: true)) at byte offset \(offset) is not valid \(encoding.rawValue)"
        case let .controlCharacter(c):
            return "含控制字符 0x\(c < 16 ? "0" : "")\(String(c, radix: 16, uppercase: true)) / contains the control character 0x\(c < 16 ? "0" : "")\(String(c, radix: 16, uppercase: true))"
        case let .extraCells(n):
            return "多出的单元格: 比表头多 \(n) 个非空单元格 / extra cells: \(n) non-empty beyond the header's columns"
        }
    }
}

/// One record of a CSV file: its fields and the physical line it starts on (1-based, header = line 1).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
    /// Bytes that could not be read as text: the row must be rejected with these.
    public var problems: [CellProblem]
    public init(line: Int, fields: [String], problems: [CellProblem] = []) {
        self.line = line
        self.fields = fields
        self.problems = problems
    }

    /// The problems as rejection reasons; `label` names column i, `mask` hides personal values.
    public func fieldProblems(label: (Int) -> String, mask: (Int, String) -> String = { $1 }) -> [FieldProblem] {
        problems.map { p in
            let raw: String
            switch p.kind {
            case .extraCells: raw = fields[p.column...].filter { !Normalize.cell($0).isEmpty }.joined(separator: " | ")
            default: raw = p.column < fields.count ? fields[p.column] : ""
            }
            let shown = CSVRecord.visible(mask(p.column, raw))
            let column = if case .extraCells = p.kind { "第 \(p.column + 1) 列起 / from column \(p.column + 1)" } else { label(p.column) }
            return FieldProblem(column: column, shownValue: shown, reason: p.reason, rawValue: CSVRecord.visible(raw))
        }
    }

    /// Control characters shown as \x00 so that a message or rejects file never carries them.
    public static func visible(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 && u.value != 0x09 {
                out += "\\x" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// A parsed CSV file: header and records, fields as read (not yet trimmed or normalised).
public struct CSVTable: Sendable {
    public var header: [String]
    public var records: [CSVRecord]
    /// The encoding the bytes were decoded with.
    public var encoding: TextEncoding

    public init(header: [String], records: [CSVRecord], encoding: TextEncoding) {
        self.header = header
        self.records = records
        self.encoding = encoding
    }
}

public enum CSVError: Error, CustomStringConvertible, Equatable {
    case cannotRead(file: String, reason: String)
    /// The header row itself cannot be decoded (line 1, at this byte offset).
    case cannotDecode(file: String, encoding: TextEncoding, offset: Int)
    case empty(file: String)
    case unterminatedQuote(file: String, line: Int)

    public var description: String {
        switch self {
        case let .cannotRead(file, reason):
            return "\(file): cannot read the file (无法读取文件): \(reason)"
        case let .cannotDecode(file, encoding, offset):
            return "\(file):1: the header row is not valid \(encoding.rawValue) text at byte offset \(offset) (表头无法按 \(encoding.rawValue) 解码); save the file as UTF-8 or GB18030, or choose --encoding"
        case let .empty(file):
            return "\(file): the file is empty; it needs a header row (文件为空, 缺少表头)"
        case let .unterminatedQuote(file, line):
            return "\(file):\(line): a quoted field is never closed (引号未闭合)"
        }
    }
}

extension CSVTable {
    /// Reads and parses a CSV file.
    public static func read(path: String, encoding: TextEncoding = .auto) throws -> CSVTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CSVError.cannotRead(file: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(data: data, file: path, encoding: encoding)
    }

    /// Decodes `data` (UTF-8 with or without BOM, GB18030/GBK, or UTF-16 with a BOM) and parses it as RFC 4180
    /// CSV (comma-separated, or tab-separated when the header has tabs and no comma). LF and CRLF line ends;
    /// quoted fields may hold separators, doubled quotes and line breaks. Bytes the encoding cannot decode and
    /// control characters are attached to their record (`CSVRecord.problems`), never dropped: every byte is
    /// accounted for.
    public static func parse(data: Data, file: String, encoding: TextEncoding = .auto) throws -> CSVTable {
        let text = TextDecoding.decode([UInt8](data), encoding: encoding)
        var rows = try text.bytes.withUnsafeBufferPointer { try parseRecords($0, file: file, text: text) }
        // Drop trailing records that are entirely empty (a blank last line, Excel's stray rows).
        while let last = rows.last, last.problems.isEmpty, last.fields.allSatisfy({ $0.isEmpty }) { rows.removeLast() }
        guard !rows.isEmpty else { throw CSVError.empty(file: file) }
        let head = rows.removeFirst()
        if let p = head.problems.first(where: { if case .undecodable = $0.kind { true } else { false } }),
           case let .undecodable(offset, _, enc) = p.kind {
            throw CSVError.cannotDecode(file: file, encoding: enc, offset: offset)
        }
        let width = head.fields.count
        for i in rows.indices where rows[i].fields.count > width {
            let extra = rows[i].fields[width...].filter { !Normalize.cell($0).isEmpty }.count
            if extra > 0 { rows[i].problems.append(CellProblem(column: width, kind: .extraCells(count: extra))) }
        }
        return CSVTable(header: head.fields, records: rows, encoding: text.encoding)
    }

    /// RFC 4180 on UTF-8 bytes. Separators and quotes are ASCII, so multi-byte characters pass through.
    static func parseRecords(_ b: UnsafeBufferPointer<UInt8>, file: String, text: DecodedText) throws -> [CSVRecord] {
        let quote: UInt8 = 0x22, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
        let sep = separator(b)
        var records: [CSVRecord] = []
        var fields: [String] = []
        var problems: [CellProblem] = []
        var field: [UInt8] = []
        field.reserveCapacity(64)
        var line = 1
        var recordLine = 1
        var i = 0
        let n = b.count
        var atRecordStart = true
        var fieldStart = 0
        var control: UInt8 = 0xFF
        /// Ends the current field: decodes it and notes a bad byte or control character.
        func endField() {
            if text.checkFields, let bad = DecodedText.firstInvalidUTF8(b, from: fieldStart, to: i) {
                problems.append(CellProblem(column: fields.count, kind: text.problem(at: bad, byte: b[bad])))
            }
            if control != 0xFF {
                problems.append(CellProblem(column: fields.count, kind: .controlCharacter(control)))
                control = 0xFF
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < n {
            if atRecordStart {
                recordLine = line
                atRecordStart = false
                fieldStart = i
            }
            var c = b[i]
            if c == quote && field.isEmpty {
                // Quoted field.
                let openLine = line
                i += 1
                var closed = false
                while i < n {
                    c = b[i]
                    if c == quote {
                        if i + 1 < n && b[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    if c == lf { line += 1 } else if c < 0x20 && c != cr && c != 0x09 && control == 0xFF { control = c }
                    field.append(c)
                    i += 1
                }
                if !closed { throw CSVError.unterminatedQuote(file: file, line: openLine) }
                // Anything between the closing quote and the separator is kept as is (lenient, like Excel).
                while i < n && b[i] != sep && b[i] != lf && b[i] != cr {
                    if b[i] < 0x20 && b[i] != 0x09 && control == 0xFF { control = b[i] }
                    field.append(b[i])
                    i += 1
                }
                continue
            }
            if c == sep {
                endField()
                i += 1
                fieldStart = i
                continue
            }
            if c == cr || c == lf {
                endField()
                records.append(CSVRecord(line: recordLine, fields: fields, problems: problems))
                fields.removeAll(keepingCapacity: true)
                problems.removeAll(keepingCapacity: true)
                if c == cr && i + 1 < n && b[i + 1] == lf { i += 1 }
                i += 1
                line += 1
                atRecordStart = true
                continue
            }
            if c < 0x20 && c != 0x09 && control == 0xFF { control = c }
            field.append(c)
            i += 1
        }
        if !atRecordStart {
            endField()
            records.append(CSVRecord(line: recordLine, fields: fields, problems: problems))
        }
        return records
    }

    /// Comma, or tab when the first line has a tab and no comma (Excel's "Unicode text" and TSV files).
    static func separator(_ b: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var tab = false
        for c in b {
            if c == 0x0A || c == 0x0D { break }
            if c == 0x2C { return 0x2C }
            if c == 0x09 { tab = true }
        }
        return tab ? 0x09 : 0x2C
    }
}

extension String {
    /// True when `bytes` is well-formed UTF-8.
    static func validatingUTF8Bytes(_ bytes: [UInt8]) -> Bool {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
