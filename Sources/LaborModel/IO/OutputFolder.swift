import Foundation

/// An output folder that cannot be used: said in one line, in Chinese and English, naming the path.
public enum OutputFolderError: Error, CustomStringConvertible, Equatable {
    case notAFolder(path: String)
    case notWritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notAFolder(path):
            return "\(path): the output path is a file, not a folder (输出路径是文件而不是文件夹); choose a folder with --out"
        case let .notWritable(path, reason):
            return "\(path): cannot write to the output folder (输出文件夹无法写入): \(reason)"
        }
    }
}

public enum OutputFolder {
    /// Creates `path` (and its parents) when missing and checks that files can be written in it, before any work.
    public static func prepare(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw OutputFolderError.notAFolder(path: path) }
        } else {
            // Find the first existing ancestor: a file there also means "not a folder".
            var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
            while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path) {
                ancestor = ancestor.deletingLastPathComponent()
            }
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDir), !isDir.boolValue {
                throw OutputFolderError.notAFolder(path: ancestor.path)
            }
            guard mkdirs(path) else {
                throw OutputFolderError.notWritable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw OutputFolderError.notWritable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// mkdir -p with errno kept for the message (FileManager's errors are Foundation dumps).
    private static func mkdirs(_ path: String) -> Bool {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if parent != path && !FileManager.default.fileExists(atPath: parent) && !mkdirs(parent) { return false }
        return mkdir(path, 0o755) == 0 || errno == EEXIST
    }
}
