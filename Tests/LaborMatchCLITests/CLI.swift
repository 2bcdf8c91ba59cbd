import Foundation
import TestSupport

/// Runs the built `labormatch` binary and captures what it prints.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let sample = root + "/Data/sample"

    /// The binary SwiftPM built beside this test bundle.
    static var binary: String {
        var candidates: [String] = []
        for b in Bundle.allBundles where b.bundlePath.hasSuffix(".xctest") {
            candidates.append(b.bundleURL.deletingLastPathComponent().appendingPathComponent("labormatch").path)
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("labormatch").path)
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("labormatch").path)
        candidates.append(root + "/.build/debug/labormatch")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting so a chatty command cannot block on a full pipe.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        let q = DispatchQueue(label: "cli.read", attributes: .concurrent)
        nonisolated(unsafe) var o = Data(), r = Data()
        group.enter(); q.async { o = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); q.async { r = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        outData = o
        errData = r
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func tempDir() -> String { TemporaryFolders.make("cli") }

    /// Runs another program (mount, umount) and returns its exit status.
    static func runTool(_ path: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
