import Foundation
import GRDB

/// The labour registry (劳动力人才信息库): an embedded SQLite file through GRDB. Opening it migrates the schema
/// (append-only migrations in `Migrations.swift`); foreign keys are on; every command runs in one transaction.
/// The file is created readable by its owner only (mode 0600): it holds ID and phone numbers.
public struct Registry: Sendable {
    public let dbQueue: DatabaseQueue
    public let path: String?

    /// What can be wrong with a registry file before anything touches it.
    public enum FileProblem: Error, CustomStringConvertible, Equatable {
        /// Not an SQLite database (exit 66): left exactly as it is.
        case notADatabase(path: String)
        /// Written by a newer labormatch (exit 78).
        case newerVersion(path: String, unknown: [String])

        public var description: String {
            switch self {
            case .notADatabase(let path):
                return "\(path) is not a labormatch registry (不是登记册数据库文件); it was left untouched — check --db"
            case let .newerVersion(path, unknown):
                return "\(path) was written by a newer labormatch (schema \(unknown.joined(separator: ", "))) (登记册版本较新); upgrade labormatch"
            }
        }
    }

    /// Checks that an existing file is an SQLite database, reading its first 16 bytes only (no lock, no chmod,
    /// no journal): a wrong --db is refused without being touched.
    public static func checkFile(path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { throw FileProblem.notADatabase(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return } // missing: created later, or said then
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.isEmpty { return }
        guard head == Data("SQLite format 3\0".utf8) else { throw FileProblem.notADatabase(path: path) }
    }

    /// Opens (creating when missing) the registry at `path`.
    public init(path: String) throws {
        try Registry.checkFile(path: path)
        if FileManager.default.fileExists(atPath: path) {
            // Another program's database, or a newer labormatch's: refused through a read-only look, untouched.
            var look = Configuration()
            look.readonly = true
            let probe = try DatabaseQueue(path: path, configuration: look)
            try Registry.refuseNewer(probe, path: path)
            try probe.close()
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 { close(fd) }
        }
        chmod(path, 0o600)
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Write-ahead log: `show` and `stats` read while `nightly` writes; writers are kept apart by RegistryLock.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            // 64 MB of page cache (SQLite's default is 2 MB): a 50,000-person import or night then rewrites each
            // page of the worker, evidence and placement trees once, not every time it falls out of the cache.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Temporary tables and statement journals in memory: a batched statement (BulkRows) keeps the pages it
            // changes in a statement journal, which otherwise spills to a file in /var/tmp after 64 KB (131,000
            // writes there in the first night's commit of the 50k county).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        dbQueue = try DatabaseQueue(path: path, configuration: config)
        self.path = path
        try Registry.migrator.migrate(dbQueue)
        try Registry.stampVersion(dbQueue)
    }

    /// user_version = the number of migrations, so that an older labormatch can tell it is older.
    static func stampVersion(_ queue: DatabaseQueue) throws {
        if try queue.read({ db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }) < schemaVersion {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = \(schemaVersion)") }
        }
    }

    /// A registry that has migrations this version does not know, or a newer user_version, was written by a newer
    /// labormatch: refused before anything is written.
    static func refuseNewer(_ queue: DatabaseQueue, path: String) throws {
        try queue.read { db in
            // Another program's SQLite database: tables, but none of ours.
            if try !db.tableExists("grdb_migrations"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0 > 0 {
                throw FileProblem.notADatabase(path: path)
            }
            let known = Set(migrator.migrations)
            let applied = try migrator.appliedIdentifiers(db)
            let unknown = applied.subtracting(known).sorted()
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            if !unknown.isEmpty || version > schemaVersion {
                throw FileProblem.newerVersion(path: path, unknown: unknown.isEmpty ? ["user_version \(version)"] : unknown)
            }
        }
    }

    /// PRAGMA user_version this version writes (the number of migrations).
    static var schemaVersion: Int { migrator.migrations.count }

    /// An empty in-memory registry (tests).
    public static func inMemory() throws -> Registry {
        try Registry(queue: DatabaseQueue())
    }

    init(queue: DatabaseQueue) throws {
        dbQueue = queue
        path = nil
        try Registry.migrator.migrate(dbQueue)
        try Registry.stampVersion(dbQueue)
    }

    public func write<T>(_ body: (Database) throws -> T) throws -> T { try dbQueue.write(body) }
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try dbQueue.read(body) }
    /// A write transaction that fails at once, rather than waiting, when another process is writing (for work
    /// that may simply be skipped, like keeping a cache).
    func writeWithoutWaiting(_ body: (Database) throws -> Void) throws {
        try dbQueue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = 0")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = 10000") }
            try db.inTransaction(.immediate) {
                try body(db)
                return .commit
            }
        }
    }
}

/// An exclusive lock held for the length of a command (`nightly`, imports): a second one exits at once with
/// exit 75 instead of waiting. flock(2) on `<registry>.lock`; the kernel drops it when the process dies, even
/// by SIGKILL.
public final class RegistryLock {
    let fd: Int32
    public let path: String

    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "the registry is in use by another labormatch command (lock \(path)); try again when it has finished (数据库正被使用)"
        }
    }

    public struct CannotOpen: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot create the lock file \(path): \(reason)" }
    }

    public init(registryPath: String) throws {
        path = registryPath + ".lock"
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw CannotOpen(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw Busy(path: path)
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
