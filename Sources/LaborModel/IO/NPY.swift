import Foundation
import MatchCore

/// Reads NumPy `.npy` files holding a 2-D little-endian float32 C-order matrix (`np.save(path, a.astype('<f4'))`),
/// the format the benchmark scripts hand to `labormatch bench`.
public enum NPY {
    public struct FormatError: Error, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): not a 2-D float32 .npy matrix: \(message)" }
    }

    public static func readMatrix(path: String) throws -> FeatureMatrix {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CSVError.cannotRead(file: path, reason: (error as NSError).localizedDescription)
        }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw FormatError(file: path, message: "missing the \\x93NUMPY magic")
        }
        let major = bytes[6]
        let headerLength: Int, start: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else {
            guard bytes.count >= 12 else { throw FormatError(file: path, message: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        }
        guard data.count >= start + headerLength else { throw FormatError(file: path, message: "truncated header") }
        let header = String(decoding: data[start..<(start + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else { throw FormatError(file: path, message: "dtype must be '<f4'") }
        guard header.contains("'fortran_order': False") else { throw FormatError(file: path, message: "must be C order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw FormatError(file: path, message: "no shape")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw FormatError(file: path, message: "shape must have two dimensions") }
        let count = dims[0] * dims[1]
        let offset = start + headerLength
        guard data.count == offset + count * 4 else {
            throw FormatError(file: path, message: "expected \(count * 4) data bytes, found \(data.count - offset)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset...]))
            }
        }
        return FeatureMatrix(rows: dims[0], columns: dims[1], values: values)
    }

    /// Writes a matrix as `.npy` version 1.0 (used by tests and benchmarks).
    public static func write(_ m: FeatureMatrix, to path: String) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(m.rows), \(m.columns)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        d.append(contentsOf: Array(header.utf8))
        m.values.withUnsafeBytes { d.append(contentsOf: $0) }
        try AtomicFile.write(d, to: path)
    }
}
