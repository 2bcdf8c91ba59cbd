import Foundation
import MatchCore

/// An element type `.npy` files hold here: little-endian 4-byte values.
public protocol NPYElement: BitwiseCopyable {
    /// NumPy's dtype string, e.g. `<f4`.
    static var descr: String { get }
}
extension Float: NPYElement { public static var descr: String { "<f4" } }
extension Int32: NPYElement { public static var descr: String { "<i4" } }
extension UInt32: NPYElement { public static var descr: String { "<u4" } }

/// NumPy `.npy` files (format 1.0/2.0, C order, little-endian 4-byte elements): the matrices the benchmark
/// scripts hand to `labormatch bench` (`np.save(path, a.astype('<f4'))`), and the blocks and parts of a
/// sharded run, which anyone can open with `numpy.load`. Written by hand: the format is a short text header
/// and raw values, and no listed package reads or writes it.
public enum NPY {
    public struct FormatError: Error, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): not a usable .npy array: \(message)" }
    }

    /// A file's header: where the values start, the dtype and the shape.
    public struct Header: Sendable {
        public var descr: String
        public var shape: [Int]
        public var dataOffset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// Parses the header at the start of `bytes` (the first bytes of a file; 4096 are always enough here).
    public static func header(_ bytes: [UInt8], file: String) throws -> Header {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw FormatError(file: file, message: "missing the \\x93NUMPY magic")
        }
        let headerLength: Int, start: Int
        if bytes[6] == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else {
            guard bytes.count >= 12 else { throw FormatError(file: file, message: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        }
        guard bytes.count >= start + headerLength else { throw FormatError(file: file, message: "truncated header") }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard let d = text.range(of: "'descr': '"), let dEnd = text[d.upperBound...].firstIndex(of: "'") else {
            throw FormatError(file: file, message: "no dtype")
        }
        guard text.contains("'fortran_order': False") else { throw FormatError(file: file, message: "must be C order") }
        guard let open = text.range(of: "'shape': ("), let close = text[open.upperBound...].firstIndex(of: ")") else {
            throw FormatError(file: file, message: "no shape")
        }
        let dims = text[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return Header(descr: String(text[d.upperBound..<dEnd]), shape: dims, dataOffset: start + headerLength)
    }

    /// Reads a whole array of element type `T`; `dimensions` (when given) is the number of axes it must have.
    public static func read<T: NPYElement>(_: T.Type = T.self, path: String, dimensions: Int? = nil) throws -> (values: [T], shape: [Int]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CSVError.cannotRead(file: path, reason: (error as NSError).localizedDescription)
        }
        let h = try header([UInt8](data.prefix(4096)), file: path)
        guard h.descr == T.descr else { throw FormatError(file: path, message: "dtype must be '\(T.descr)', found '\(h.descr)'") }
        if let dimensions, h.shape.count != dimensions {
            throw FormatError(file: path, message: "shape must have \(dimensions) dimension\(dimensions == 1 ? "" : "s")")
        }
        guard data.count == h.dataOffset + h.count * 4 else {
            throw FormatError(file: path, message: "expected \(h.count * 4) data bytes, found \(data.count - h.dataOffset)")
        }
        var values = [T](repeating: unsafeBitCast(UInt32(0), to: T.self), count: h.count)
        values.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[h.dataOffset...]))
            }
        }
        return (values, h.shape)
    }

    /// A 2-D float32 matrix.
    public static func readMatrix(path: String) throws -> FeatureMatrix {
        let (values, shape) = try read(Float.self, path: path, dimensions: 2)
        return FeatureMatrix(rows: shape[0], columns: shape[1], values: values)
    }

    /// Writes an array as `.npy` version 1.0, atomically.
    public static func write<T: NPYElement>(_ values: [T], shape: [Int], to path: String) throws {
        try AtomicFile.write(encode(values, shape: shape), to: path)
    }

    /// The bytes of an `.npy` version 1.0 file holding `values`.
    public static func encode<T: NPYElement>(_ values: [T], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the values")
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(T.descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        d.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    /// Writes a matrix as `.npy` version 1.0 (used by tests, benchmarks and sharded runs).
    public static func write(_ m: FeatureMatrix, to path: String) throws {
        try write(m.values, shape: [m.rows, m.columns], to: path)
    }

    /// Reads rows of a 2-D array a slice at a time, so that a large file is never held whole (a sharded run's
    /// per-post lists are merged this way).
    public final class RowReader<T: NPYElement> {
        public let path: String
        public let rows: Int
        public let columns: Int
        let handle: FileHandle
        let offset: Int

        public init(path: String) throws {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw CSVError.cannotRead(file: path, reason: "no such file or not readable")
            }
            handle = h
            let head = try NPY.header([UInt8](h.readData(ofLength: 4096)), file: path)
            guard head.descr == T.descr, head.shape.count == 2 else {
                throw FormatError(file: path, message: "expected a 2-D '\(T.descr)' array")
            }
            self.path = path
            rows = head.shape[0]
            columns = head.shape[1]
            offset = head.dataOffset
        }

        deinit { try? handle.close() }

        /// Rows `range` (row-major) into `buffer`, which is resized to fit.
        public func read(_ range: Range<Int>, into buffer: inout [T]) throws {
            precondition(range.lowerBound >= 0 && range.upperBound <= rows)
            let bytes = range.count * columns * 4
            try handle.seek(toOffset: UInt64(offset + range.lowerBound * columns * 4))
            let data = try handle.read(upToCount: bytes) ?? Data()
            guard data.count == bytes else { throw FormatError(file: path, message: "truncated at row \(range.lowerBound)") }
            buffer = [T](repeating: unsafeBitCast(UInt32(0), to: T.self), count: range.count * columns)
            buffer.withUnsafeMutableBytes { dst in data.withUnsafeBytes { dst.copyMemory(from: $0) } }
        }
    }
}
