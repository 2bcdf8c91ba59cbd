import Foundation

/// Input text as UTF-8 bytes, with the places where the source could not be decoded.
///
/// Written by hand (no listed package decodes per row with byte offsets): a file is decoded as a whole when it
/// can be (the fast path), and otherwise unit by unit, so that one bad byte rejects the row it is in, with its
/// offset in the file and the encoding that was tried, and every other row goes on.
struct DecodedText {
    /// UTF-8 text; an undecodable source unit stands as the invalid byte 0xFF.
    var bytes: [UInt8]
    var encoding: TextEncoding
    /// True when some bytes are invalid: fields must then be checked as they are cut.
    var checkFields: Bool
    /// For transcoded input: position in `bytes` → the offset and first byte of the bad unit in the file.
    var sources: [Int: (offset: Int, byte: UInt8)] = [:]
    /// For UTF-8 input: how many BOM bytes precede `bytes` in the file.
    var shift = 0

    func problem(at position: Int, byte: UInt8) -> CellProblem.Kind {
        if let s = sources[position] { return .undecodable(offset: s.offset, byte: s.byte, encoding: encoding) }
        return .undecodable(offset: position + shift, byte: byte, encoding: encoding)
    }

    /// The length of the well-formed UTF-8 sequence at `i` (before `end`), nil when it is not one.
    @inline(__always)
    static func utf8Length(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        let c = b[i]
        if c < 0x80 { return 1 }
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        let len: Int
        switch c {
        case 0xC2...0xDF: len = 2
        case 0xE0: len = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: len = 3
        case 0xED: len = 3; hi = 0x9F
        case 0xF0: len = 4; lo = 0x90
        case 0xF1...0xF3: len = 4
        case 0xF4: len = 4; hi = 0x8F
        default: return nil
        }
        guard i + len <= end, b[i + 1] >= lo, b[i + 1] <= hi else { return nil }
        for k in 2..<len where b[i + k] & 0xC0 != 0x80 { return nil }
        return len
    }

    /// The first position in `from..<to` where the bytes are not UTF-8.
    static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            guard let n = utf8Length(b, i, to) else { return i }
            i += n
        }
        return nil
    }

    /// The length of the well-formed GB18030 sequence at `i` (1, 2 or 4 bytes), nil when it is not one.
    @inline(__always)
    static func gb18030Length(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        let c = b[i]
        if c < 0x80 { return 1 }
        guard (0x81...0xFE).contains(c), i + 1 < end else { return nil }
        let d = b[i + 1]
        if (0x40...0x7E).contains(d) || (0x80...0xFE).contains(d) { return 2 }
        guard (0x30...0x39).contains(d), i + 3 < end, (0x81...0xFE).contains(b[i + 2]), (0x30...0x39).contains(b[i + 3]) else { return nil }
        return 4
    }
}

enum TextDecoding {
    static func decode(_ raw: [UInt8], encoding: TextEncoding) -> DecodedText {
        if encoding == .utf16 || (encoding == .auto && utf16Order(raw) != nil) {
            return utf16(raw, littleEndian: utf16Order(raw) ?? true)
        }
        if encoding == .utf8 || encoding == .auto {
            let bom = raw.count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF
            let bytes = bom ? Array(raw[3...]) : raw
            // Count the bytes that are not UTF-8: GB18030 Chinese text is almost never valid UTF-8.
            var errors = 0
            bytes.withUnsafeBufferPointer { b in
                var i = 0
                while i < b.count {
                    if let n = DecodedText.utf8Length(b, i, b.count) {
                        i += n
                    } else {
                        errors += 1
                        i += 1
                    }
                }
            }
            // With errors, the encoding that explains more of the bytes wins: a UTF-8 file with a few bad bytes has
            // fewer UTF-8 errors than GB18030 ones, a GB18030 file the other way round.
            if errors == 0 || encoding == .utf8 || bom || errors <= gb18030Errors(raw) {
                return DecodedText(bytes: bytes, encoding: .utf8, checkFields: errors > 0, shift: bom ? 3 : 0)
            }
        }
        return gb18030(raw)
    }

    /// Bytes that are not well-formed GB18030 sequences.
    static func gb18030Errors(_ raw: [UInt8]) -> Int {
        raw.withUnsafeBufferPointer { b in
            var i = 0, errors = 0
            while i < b.count {
                if let n = DecodedText.gb18030Length(b, i, b.count) { i += n } else { errors += 1; i += 1 }
            }
            return errors
        }
    }

    /// The byte order of a UTF-16 file: its BOM, or NUL bytes beside ASCII in the first two characters.
    static func utf16Order(_ b: [UInt8]) -> Bool? {
        guard b.count >= 2 else { return nil }
        if b[0] == 0xFF && b[1] == 0xFE { return true }
        if b[0] == 0xFE && b[1] == 0xFF { return false }
        guard b.count >= 4 else { return nil }
        if b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0 { return true }
        if b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0 { return false }
        return nil
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    static func utf16(_ raw: [UInt8], littleEndian: Bool) -> DecodedText {
        var out = DecodedText(bytes: [], encoding: .utf16, checkFields: false)
        out.bytes.reserveCapacity(raw.count)
        var i = (raw.count >= 2 && ((raw[0] == 0xFF && raw[1] == 0xFE) || (raw[0] == 0xFE && raw[1] == 0xFF))) ? 2 : 0
        func unit(_ k: Int) -> UInt32 {
            littleEndian ? UInt32(raw[k]) | UInt32(raw[k + 1]) << 8 : UInt32(raw[k]) << 8 | UInt32(raw[k + 1])
        }
        func bad(_ k: Int) {
            out.sources[out.bytes.count] = (k, raw[k])
            out.bytes.append(0xFF)
            out.checkFields = true
        }
        while i < raw.count {
            guard i + 1 < raw.count else { bad(i); break }
            let u = unit(i)
            if u < 0xD800 || u > 0xDFFF {
                appendUTF8(u, to: &out.bytes)
                i += 2
            } else if u <= 0xDBFF, i + 3 < raw.count, (0xDC00...0xDFFF).contains(unit(i + 2)) {
                appendUTF8(0x10000 + ((u - 0xD800) << 10) + (unit(i + 2) - 0xDC00), to: &out.bytes)
                i += 4
            } else {
                bad(i)
                i += 2
            }
        }
        return out
    }

    /// GB18030: the whole file through Foundation when every sequence is well formed; otherwise the well-formed
    /// stretches one by one, and a unit Foundation still refuses stands as a bad byte.
    static func gb18030(_ raw: [UInt8]) -> DecodedText {
        var out = DecodedText(bytes: [], encoding: .gb18030, checkFields: false)
        func foundation(_ s: ArraySlice<UInt8>) -> [UInt8]? {
            String(data: Data(s), encoding: TextEncoding.gb18030Foundation).map { Array($0.utf8) }
        }
        func bad(_ k: Int) {
            out.sources[out.bytes.count] = (k, raw[k])
            out.bytes.append(0xFF)
            out.checkFields = true
        }
        // Well-formed stretches [start, end) and the bad bytes between them.
        var stretches: [Range<Int>] = []
        raw.withUnsafeBufferPointer { b in
            var i = 0, start = 0
            while i < b.count {
                if let n = DecodedText.gb18030Length(b, i, b.count) {
                    i += n
                } else {
                    stretches.append(start..<i)
                    stretches.append(i..<(i + 1)) // the bad byte, marked by its length of one at a non-ASCII byte
                    i += 1
                    start = i
                }
            }
            stretches.append(start..<b.count)
        }
        if stretches.count == 1, let all = foundation(raw[...]) {
            out.bytes = all
            return out
        }
        out.bytes.reserveCapacity(raw.count * 3 / 2)
        for (k, r) in stretches.enumerated() {
            if k % 2 == 1 { bad(r.lowerBound); continue }
            if r.isEmpty { continue }
            if let text = foundation(raw[r]) { out.bytes += text; continue }
            // Foundation refused a well-formed stretch (an unassigned code): unit by unit.
            raw.withUnsafeBufferPointer { b in
                var i = r.lowerBound
                while i < r.upperBound {
                    let n = DecodedText.gb18030Length(b, i, r.upperBound) ?? 1
                    if let t = foundation(raw[i..<(i + n)]) { out.bytes += t } else { bad(i) }
                    i += n
                }
            }
        }
        return out
    }
}
