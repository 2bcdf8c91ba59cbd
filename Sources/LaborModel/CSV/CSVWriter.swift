import Foundation

/// Builds CSV text (RFC 4180 quoting) and writes it atomically, UTF-8 with a BOM so that Excel opens it right.
/// Rows are built as UTF-8 bytes (large outputs as parts, built in parallel and kept in order) and written part by
/// part, never joined: appending bytes copies them, where appending to a String goes through the String runtime's
/// checks and growth on every field (the candidate lists write millions of rows).
public struct CSVWriter: Sendable {
    private var parts: [[UInt8]] = [[]]

    public init(header: [String]) {
        parts[0].reserveCapacity(1 << 12)
        append(header)
    }

    /// The whole text (joins the parts: for tests and small files).
    public var text: String { String(decoding: Array(parts.joined()), as: UTF8.self) }

    public mutating func append(_ fields: [String]) {
        CSVWriter.appendRow(fields, to: &parts[parts.count - 1])
    }

    /// Appends rows already formatted by `appendRow(_:to:)` and `appendField(_:to:)` (built in parallel, kept in
    /// order).
    public mutating func appendFormatted(_ rows: [UInt8]) {
        parts.append(rows)
    }

    /// One CSV row with its CRLF.
    public static func appendRow(_ fields: [String], to out: inout [UInt8]) {
        var first = true
        for f in fields {
            if !first { out.append(0x2C) }
            first = false
            appendField(f, to: &out)
        }
        out.append(0x0D); out.append(0x0A)
    }

    /// One field, quoted when it holds a comma, quote, line break or a leading/trailing space. A cell that a
    /// spreadsheet would run as a formula (it starts with = + - @, tab or CR and is not a plain number) gets a
    /// leading single quote, so that a name like `=HYPERLINK(...)` stays text in Excel (OWASP's CSV injection
    /// advice); every CSV the product writes goes through here.
    @inline(__always)
    public static func appendField(_ f: String, to out: inout [UInt8]) {
        let u = f.utf8
        guard let first = u.first else { return }
        let guarded = startsFormula(first) && !isPlainNumber(f)
        var needs = false
        for c in u where c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D {
            needs = true
            break
        }
        // The guard's quote, when added, is the field's first character.
        if !needs { needs = (!guarded && first == 0x20) || u.last == 0x20 }
        if needs { out.append(0x22) }
        if guarded { out.append(0x27) }
        if needs {
            for c in u {
                if c == 0x22 { out.append(0x22) }
                out.append(c)
            }
            out.append(0x22)
        } else {
            out.append(contentsOf: u)
        }
    }

    /// `= + - @`, tab or CR: a first character with which a spreadsheet runs the cell as a formula.
    @inline(__always)
    static func startsFormula(_ c: UInt8) -> Bool {
        c == 0x3D || c == 0x2B || c == 0x2D || c == 0x40 || c == 0x09 || c == 0x0D
    }

    /// `-12`, `3.5`, `-0.25`: a number a spreadsheet reads as a number, never as a formula.
    static func isPlainNumber(_ f: String) -> Bool {
        var u = f.utf8[...]
        if u.first == 0x2D { u = u.dropFirst() }
        guard let d = u.first, (0x30...0x39).contains(d) else { return false }
        var dot = false
        for c in u {
            if c == 0x2E, !dot { dot = true; continue }
            guard (0x30...0x39).contains(c) else { return false }
        }
        return u.last != 0x2E
    }

    /// A non-negative or negative whole number in decimal, without building a String.
    @inline(__always)
    public static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        var m = n.magnitude
        if n < 0 { out.append(0x2D) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30
                m /= 10
                count += 1
            } while m != 0
            out.append(contentsOf: d[(20 - count)...])
        }
    }

    public static func quoted(_ f: String) -> String {
        var t: [UInt8] = []
        appendField(f, to: &t)
        return String(decoding: t, as: UTF8.self)
    }

    /// The bytes of the file: a UTF-8 BOM and the text, or GB18030 when asked.
    public func data(encoding: TextEncoding = .utf8) -> Data {
        if encoding == .gb18030, let d = text.data(using: TextEncoding.gb18030Foundation) { return d }
        var d = Data([0xEF, 0xBB, 0xBF])
        for p in parts { d.append(contentsOf: p) }
        return d
    }

    public func write(to path: String, encoding: TextEncoding = .utf8, ownerOnly: Bool = false) throws {
        if encoding == .gb18030 {
            try AtomicFile.write(data(encoding: encoding), to: path, ownerOnly: ownerOnly)
            return
        }
        try AtomicFile.write(to: path, ownerOnly: ownerOnly) { sink in
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            bom.withUnsafeBufferPointer { sink($0) }
            for p in parts {
                p.withUnsafeBufferPointer { sink($0) }
            }
        }
    }
}

/// Writes files atomically: a temporary file beside the target, then rename(2).
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, ownerOnly: Bool = false) throws {
        try write(to: path, ownerOnly: ownerOnly) { sink in
            data.withUnsafeBytes { sink(UnsafeBufferPointer(start: $0.baseAddress?.assumingMemoryBound(to: UInt8.self), count: $0.count)) }
        }
    }

    /// Writes what `produce` hands to its sink into a temporary file, fsyncs, then renames it over `path`.
    public static func write(to path: String, ownerOnly: Bool = false,
                             _ produce: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let mode: mode_t = ownerOnly ? 0o600 : 0o644
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw AtomicFileError(path: path, errno: errno) }
        var ok = true
        produce { buf in
            guard ok, let base = buf.baseAddress else { return }
            var off = 0
            while off < buf.count {
                let w = Foundation.write(fd, base + off, buf.count - off)
                if w <= 0 { ok = false; break }
                off += w
            }
        }
        let err = errno
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw AtomicFileError(path: path, errno: ok ? errno : err)
        }
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }
    public var description: String { "\(path): cannot write the file (无法写入): \(String(cString: strerror(errno)))" }
}
