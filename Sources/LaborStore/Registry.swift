import Foundation
import GRDB

/// The labour registry (劳动力人才信息库): an embedded SQLite file through GRDB. Opening it migrates the schema
/// (append-only migrations in `Migrations.swift`); foreign keys are on; every command runs in one transaction.
/// The file is created readable by its owner only (mode 0600): it holds ID and phone numbers.
public struct Registry: Sendable {
    public let dbQueue: DatabaseQueue
    public let path: String?

    /// Opens (creating when missing) the registry at `path`.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
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
        }
        dbQueue = try DatabaseQueue(path: path, configuration: config)
        self.path = path
        try Registry.migrator.migrate(dbQueue)
    }

    /// An empty in-memory registry (tests).
    public static func inMemory() throws -> Registry {
        try Registry(queue: DatabaseQueue())
    }

    init(queue: DatabaseQueue) throws {
        dbQueue = queue
        path = nil
        try Registry.migrator.migrate(dbQueue)
    }

    public func write<T>(_ body: (Database) throws -> T) throws -> T { try dbQueue.write(body) }
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try dbQueue.read(body) }
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
