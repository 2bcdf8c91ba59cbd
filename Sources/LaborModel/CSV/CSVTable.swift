import Foundation

/// Text encodings accepted on input.
public enum TextEncoding: String, Sendable, CaseIterable {
    /// Detect: a UTF-8 BOM or valid UTF-8 means UTF-8, anything else is read as GB18030.
    case auto
    case utf8
    /// GB18030, which also reads GBK and GB2312 files (it is a superset of both).
    case gb18030

    /// GB18030-2000 lifted into NSStringEncoding. Foundation on Linux decodes it; the GBK value
    /// (0x80000631) returns nil, so GBK files are read as GB18030.
    static let gb18030Foundation = String.Encoding(rawValue: 0x8000_0632)
}

/// One record of a CSV file: its fields and the physical line it starts on (1-based, header = line 1).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
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
    case cannotDecode(file: String, encoding: TextEncoding)
    case empty(file: String)
    case unterminatedQuote(file: String, line: Int)

    public var description: String {
        switch self {
        case let .cannotRead(file, reason):
            return "\(file): cannot read the file (无法读取文件): \(reason)"
        case let .cannotDecode(file, encoding):
            return "\(file): the file is not valid \(encoding.rawValue) text (文件编码无法识别); save it as UTF-8 or GB18030, or choose --encoding"
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

    /// Decodes `data` (UTF-8 with or without BOM, or GB18030/GBK) and parses it as RFC 4180 CSV.
    /// LF and CRLF line ends; quoted fields may hold commas, doubled quotes and line breaks.
    public static func parse(data: Data, file: String, encoding: TextEncoding = .auto) throws -> CSVTable {
        let (utf8, used) = try decode(data: data, file: file, encoding: encoding)
        var rows = try utf8.withUnsafeBufferPointer { try parseRecords($0, file: file) }
        // Drop trailing records that are entirely empty (a blank last line, Excel's stray rows).
        while let last = rows.last, last.fields.allSatisfy({ $0.isEmpty }) { rows.removeLast() }
        guard !rows.isEmpty else { throw CSVError.empty(file: file) }
        let header = rows.removeFirst().fields
        return CSVTable(header: header, records: rows, encoding: used)
    }

    static func decode(data: Data, file: String, encoding: TextEncoding) throws -> ([UInt8], TextEncoding) {
        var bytes = [UInt8](data)
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        switch encoding {
        case .utf8, .auto:
            if hasBOM { bytes.removeFirst(3) }
            if String.validatingUTF8Bytes(bytes) { return (bytes, .utf8) }
            if encoding == .utf8 { throw CSVError.cannotDecode(file: file, encoding: .utf8) }
            fallthrough
        case .gb18030:
            guard let text = String(data: data, encoding: TextEncoding.gb18030Foundation) else {
                throw CSVError.cannotDecode(file: file, encoding: .gb18030)
            }
            return (Array(text.utf8), .gb18030)
        }
    }

    /// RFC 4180 on UTF-8 bytes. Separators and quotes are ASCII, so multi-byte characters pass through.
    static func parseRecords(_ b: UnsafeBufferPointer<UInt8>, file: String) throws -> [CSVRecord] {
        let comma: UInt8 = 0x2C, quote: UInt8 = 0x22, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(64)
        var line = 1
        var recordLine = 1
        var i = 0
        let n = b.count
        var atRecordStart = true
        while i < n {
            if atRecordStart {
                recordLine = line
                atRecordStart = false
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
                    if c == lf { line += 1 }
                    field.append(c)
                    i += 1
                }
                if !closed { throw CSVError.unterminatedQuote(file: file, line: openLine) }
                // Anything between the closing quote and the separator is kept as is (lenient, like Excel).
                while i < n && b[i] != comma && b[i] != lf && b[i] != cr {
                    field.append(b[i])
                    i += 1
                }
                continue
            }
            if c == comma {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                i += 1
                continue
            }
            if c == cr || c == lf {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                records.append(CSVRecord(line: recordLine, fields: fields))
                fields.removeAll(keepingCapacity: true)
                if c == cr && i + 1 < n && b[i + 1] == lf { i += 1 }
                i += 1
                line += 1
                atRecordStart = true
                continue
            }
            field.append(c)
            i += 1
        }
        if !atRecordStart {
            fields.append(String(decoding: field, as: UTF8.self))
            records.append(CSVRecord(line: recordLine, fields: fields))
        }
        return records
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
