import Foundation

/// Where the OR-Library assignment instances are. The dense 100–400 and the sparse 800 ship in the repository
/// (Tests/Data/orlib, public data); the others are optional, from $LABORMATCH_ORLIB_DIR or ../shared/testdata/orlib.
public enum ORLibraryFiles {
    /// The package root (three levels above this file).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    public static let bundled = packageRoot + "/Tests/Data/orlib"
    public static let bundledNames: Set<String> = ["assign100", "assign200", "assign300", "assign400", "assignp800"]

    /// The folder holding the instances that do not ship, when there is one.
    public static var optionalDirectory: String? {
        if let d = ProcessInfo.processInfo.environment["LABORMATCH_ORLIB_DIR"] { return d }
        let shared = URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/testdata/orlib").path
        return FileManager.default.fileExists(atPath: shared) ? shared : nil
    }

    /// The path of an instance: bundled, or in the optional folder (nil when it is not there).
    public static func path(_ name: String) -> String? {
        if bundledNames.contains(name) { return bundled + "/" + name + ".txt" }
        guard let d = optionalDirectory else { return nil }
        let p = d + "/" + name + ".txt"
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }
}
