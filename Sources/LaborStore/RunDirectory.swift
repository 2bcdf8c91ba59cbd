import Foundation
import LaborModel

/// The nightly outputs folder: DIR/runs/<run-id>/ per run and DIR/latest, a symbolic link to the last run that
/// fully succeeded. A run is written to `runs/<id>.partial`, renamed to `runs/<id>` when complete, and `latest`
/// is swapped by rename(2), so a reader never sees a half-written run.
public struct RunDirectory: Sendable {
    public let root: String
    public var runs: String { root + "/runs" }
    public var latestLink: String { root + "/latest" }

    public init(root: String) { self.root = root }

    /// A new, empty `runs/<id>.partial`, after removing partial folders that a killed run left behind.
    public func begin(runID: String) throws -> String {
        let fm = FileManager.default
        try OutputFolder.prepare(root)
        try OutputFolder.prepare(runs)
        for name in try fm.contentsOfDirectory(atPath: runs) where name.hasSuffix(".partial") {
            try fm.removeItem(atPath: runs + "/" + name)
        }
        for name in try fm.contentsOfDirectory(atPath: root) where name.hasPrefix(".latest.tmp-") {
            try? fm.removeItem(atPath: root + "/" + name)
        }
        let dir = runs + "/" + runID + ".partial"
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    public func publish(runID: String) throws {
        guard rename(runs + "/" + runID + ".partial", runs + "/" + runID) == 0 else {
            throw AtomicFileError(path: runs + "/" + runID, errno: errno)
        }
    }

    /// Points `latest` at `runs/<id>` atomically (a new link, then rename over the old one).
    public func pointLatest(runID: String) throws {
        let tmp = root + "/.latest.tmp-\(getpid())"
        unlink(tmp)
        guard symlink("runs/" + runID, tmp) == 0 else { throw AtomicFileError(path: latestLink, errno: errno) }
        guard rename(tmp, latestLink) == 0 else {
            unlink(tmp)
            throw AtomicFileError(path: latestLink, errno: errno)
        }
    }

    /// The run `latest` points at.
    public var latestRunID: String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: latestLink) else { return nil }
        return URL(fileURLWithPath: target).lastPathComponent
    }

    /// Keeps the newest `keep` runs the registry knows (and the one `latest` points at); removes older ones and
    /// folders of runs the registry never recorded (a run killed after its files, before its commit).
    /// - Returns: the removed run ids.
    @discardableResult
    public func prune(keep: Int, known: [String]) throws -> [String] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: runs) else { return [] }
        let keepSet = Set(known.prefix(max(1, keep))).union(latestRunID.map { [$0] } ?? [])
        var removed: [String] = []
        for name in try fm.contentsOfDirectory(atPath: runs).sorted() where !name.hasSuffix(".partial") && !keepSet.contains(name) {
            try fm.removeItem(atPath: runs + "/" + name)
            removed.append(name)
        }
        return removed
    }
}
