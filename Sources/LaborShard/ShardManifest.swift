import Foundation
import LaborModel
import LaborStore
import MatchCore

/// The plan of a sharded run (`DIR/manifest.json`): what was read, with which parameters, and the encoded
/// blocks every shard job reads, each with its SHA-256. Written once by `shard plan`; shard jobs and the merge
/// check their files against it before trusting them.
public struct ShardManifest: Codable, Sendable, Equatable {
    public static let fileName = "manifest.json"

    /// A file of the run: its path relative to the run's folder, its SHA-256 and size.
    public struct Part: Codable, Sendable, Equatable {
        public var file: String
        public var sha256: String
        public var bytes: Int
    }

    /// An input file as given (absolute path) and its SHA-256 when planned.
    public struct Input: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// One worker block: the shard's encoded rows, their tie codes and their rows in the whole run.
    public struct Block: Codable, Sendable, Equatable {
        public var index: Int
        public var workers: Int
        public var matrix: Part
        public var codes: Part
        public var rows: Part
    }

    /// How the inputs were read: what `shard merge` reads them with again.
    public struct Reading: Codable, Sendable, Equatable {
        public var asOf: String
        public var encoding: String
        public var dataDirectory: String
        public var strict: Bool
        public init(asOf: String, encoding: String, dataDirectory: String, strict: Bool) {
            self.asOf = asOf
            self.encoding = encoding
            self.dataDirectory = dataDirectory
            self.strict = strict
        }
    }

    public var formatVersion = ShardManifest.currentFormat
    public static let currentFormat = 1
    public var version: String
    /// What the encoding depended on (the version, the taxonomy files and the weights file, as one digest): the
    /// merge reads the inputs again, and must read them as the plan did.
    public var encodingKey: String
    public var shards: Int
    public var topK: Int
    /// The quantised floor a candidate must beat (`MatchEncoder.floor`).
    public var floor: Float
    public var workers: Int
    public var posts: Int
    public var columns: Int
    /// workers, posts, weights and (when given) exclude_employers.
    public var inputs: [String: Input]
    public var reading: Reading
    public var postMatrix: Part
    public var postCodes: Part
    public var blocks: [Block]

    /// Reads and checks a manifest: a file that is not one, or whose blocks do not match its shard count, is
    /// named with what is wrong in one line.
    public static func read(path: String) throws -> ShardManifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw ShardError.noManifest(path) }
        let m: ShardManifest
        do { m = try JSONDecoder().decode(ShardManifest.self, from: data) } catch let e as DecodingError {
            throw ShardError.badManifest(path, ShardManifest.describe(e))
        }
        guard m.formatVersion == currentFormat else {
            throw ShardError.badManifest(path, "format \(m.formatVersion), this labormatch reads format \(currentFormat)")
        }
        guard m.shards >= 1, m.blocks.count == m.shards, m.blocks.enumerated().allSatisfy({ $0.offset == $0.element.index }),
              m.blocks.map(\.workers).reduce(0, +) == m.workers else {
            throw ShardError.badManifest(path, "its \(m.blocks.count) blocks do not make the \(m.shards) shards of \(m.workers) workers it names")
        }
        return m
    }

    /// Shard jobs and the merge run the version that planned (another one may encode or list differently).
    public func check(version current: String, path: String) throws {
        guard version == current else {
            throw ShardError.badManifest(path, "planned by labormatch \(version), this is \(current); run the same version everywhere, or plan again")
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func at(_ c: DecodingError.Context) -> String { c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch e {
        case .keyNotFound(let k, let c): return "no \"\((at(c).isEmpty ? "" : at(c) + ".") + k.stringValue)\" field"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\"\(at(c))\" has the wrong type"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not JSON" : "\"\(at(c))\" is not valid"
        @unknown default: return "not a manifest"
        }
    }

    /// The folder of a manifest file.
    public static func directory(of manifestPath: String) -> String {
        URL(fileURLWithPath: manifestPath).standardizedFileURL.deletingLastPathComponent().path
    }

    /// The shard a worker belongs to: a fixed hash of its worker_id, so the split does not depend on row order.
    public static func shard(of workerID: String, shards: Int) -> Int {
        Int(TieCodes.code(of: workerID, salt: 0x5348_4152_44) % UInt32(shards))
    }
}

/// What a shard job leaves when it has finished (`parts/shard-I.json`, written last and atomically): its part
/// files with their SHA-256, and what it cost.
public struct ShardResult: Codable, Sendable, Equatable {
    public var index: Int
    /// SHA-256 of the manifest file the shard was scored from.
    public var manifestSHA256: String
    public var workers: Int
    public var byWorkerScores: ShardManifest.Part
    public var byWorkerIDs: ShardManifest.Part
    public var byPostScores: ShardManifest.Part
    public var byPostIDs: ShardManifest.Part
    public var seconds: Double
    public var peakRSSMegabytes: Double
    public var threads: Int

    public var parts: [ShardManifest.Part] { [byWorkerScores, byWorkerIDs, byPostScores, byPostIDs] }

    public static func path(directory: String, index: Int) -> String { directory + "/parts/shard-\(index).json" }
}

/// Failures of a sharded run, each naming the file or the shard.
public enum ShardError: Error, CustomStringConvertible, Equatable {
    case noManifest(String)
    case badManifest(String, String)
    case indexOutOfRange(Int, shards: Int)
    /// A block written by the plan is missing or does not match its checksum.
    case damagedBlock(index: Int?, file: String, reason: String)
    /// Shards whose parts are missing or damaged (index, why).
    case parts([(Int, String)])
    /// An input file changed since the plan.
    case inputChanged(name: String, path: String)

    public var description: String {
        switch self {
        case .noManifest(let p): return "\(p): no such manifest (分片清单不存在); run 'labormatch shard plan' first"
        case .badManifest(let p, let why): return "\(p): not a shard manifest (分片清单无法读取): \(why)"
        case .indexOutOfRange(let i, let n): return "shard index \(i) is out of range: the plan has \(n) shards (0…\(n - 1))"
        case .damagedBlock(let i, _, let why):
            return (i.map { "shard \($0): " } ?? "") + "\(why) (分片输入文件损坏); run 'labormatch shard plan' again"
        case .parts(let list):
            let named = list.map { "shard \($0.0): \($0.1)" }.joined(separator: "; ")
            return "\(list.count) shard\(list.count == 1 ? "" : "s") not finished or damaged (分片结果缺失或损坏): \(named); rerun them with 'labormatch shard score --manifest M --index I' (or 'shard slurm --submit'), then merge again"
        case .inputChanged(let name, let path):
            return "\(path): the \(name) file changed since 'shard plan' (输入文件已改变); plan again"
        }
    }

    public static func == (a: ShardError, b: ShardError) -> Bool { a.description == b.description }
}

extension ShardManifest.Part {
    /// Encodes and writes `values` as `.npy` under `directory/file`, returning the part with its checksum.
    static func write<T: NPYElement>(_ values: [T], shape: [Int], directory: String, file: String) throws -> ShardManifest.Part {
        let data = NPY.encode(values, shape: shape)
        try AtomicFile.write(data, to: directory + "/" + file)
        return ShardManifest.Part(file: file, sha256: FileDigest.sha256Hex(data), bytes: data.count)
    }

    /// Nil when the file is there with its checksum; otherwise why not.
    func problem(directory: String) -> String? {
        let path = directory + "/" + file
        guard let data = FileManager.default.contents(atPath: path) else { return "\(file) is missing" }
        guard data.count == bytes else { return "\(file) has \(data.count) bytes, expected \(bytes)" }
        guard FileDigest.sha256Hex(data) == sha256 else { return "\(file) does not match its SHA-256" }
        return nil
    }
}

/// Peak resident memory of this process, in MB (Linux getrusage: kilobytes).
public func peakResidentMegabytes() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}
