import Foundation

/// Temporary folders for tests: all under one folder per test process, removed when the process exits, so a
/// test run leaves nothing behind in /tmp (a test may also remove its own folder sooner).
public enum TemporaryFolders {
    /// `$TMPDIR/labormatch-tests-<pid>`, created on first use, removed at exit.
    public static let root: String = {
        let r = NSTemporaryDirectory() + "labormatch-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: r, withIntermediateDirectories: true)
        atexit { TemporaryFolders.removeRoot() }
        return r
    }()

    static func removeRoot() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A new empty folder under `root`.
    public static func make(_ prefix: String = "t") -> String {
        let d = root + "/" + prefix + "-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
