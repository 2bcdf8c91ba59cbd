import Foundation

/// Builds CSV text (RFC 4180 quoting) and writes it atomically, UTF-8 with a BOM so that Excel opens it right.
public struct CSVWriter: Sendable {
    public private(set) var text: String = ""

    public init(header: [String]) {
        text.reserveCapacity(1 << 16)
        append(header)
    }

    public mutating func append(_ fields: [String]) {
        var first = true
        for f in fields {
            if !first { text.append(",") }
            first = false
            text.append(CSVWriter.quoted(f))
        }
        text.append("\r\n")
    }

    /// Quotes a field when it holds a comma, quote, line break or leading/trailing space.
    public static func quoted(_ f: String) -> String {
        var needs = false
        for u in f.utf8 where u == 0x2C || u == 0x22 || u == 0x0A || u == 0x0D {
            needs = true
            break
        }
        if !needs, let first = f.utf8.first, let last = f.utf8.last, first == 0x20 || last == 0x20 { needs = true }
        guard needs else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The bytes of the file: a UTF-8 BOM and the text, or GB18030 when asked.
    public func data(encoding: TextEncoding = .utf8) -> Data {
        if encoding == .gb18030, let d = text.data(using: TextEncoding.gb18030Foundation) { return d }
        var d = Data([0xEF, 0xBB, 0xBF])
        d.append(contentsOf: Array(text.utf8))
        return d
    }

    public func write(to path: String, encoding: TextEncoding = .utf8, ownerOnly: Bool = false) throws {
        try AtomicFile.write(data(encoding: encoding), to: path, ownerOnly: ownerOnly)
    }
}

/// Writes files atomically: a temporary file beside the target, then rename(2).
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, ownerOnly: Bool = false) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let mode: mode_t = ownerOnly ? 0o600 : 0o644
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw AtomicFileError(path: path, errno: errno) }
        var ok = true
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let w = Foundation.write(fd, raw.baseAddress! + off, raw.count - off)
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
    public var description: String { "\(path): cannot write the file (无法写入): \(String(cString: strerror(errno)))" }
}
