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

    /// Runs another program (a script that starts daemons, mount, umount) and returns its exit status and what it
    /// printed (stdout and stderr together, through a file). Spawned and reaped here with posix_spawn and waitpid
    /// rather than Foundation's Process: a script whose daemons outlive it left Process.waitUntilExit waiting on a
    /// reaped-never child in a parallel test run.
    static func runToolOutput(_ path: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let log = TemporaryFolders.make("tool") + "/output.txt"
        defer { try? FileManager.default.removeItem(atPath: (log as NSString).deletingLastPathComponent) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (code, text)
    }

    /// Runs another program and returns its exit status (output discarded).
    static func runTool(_ path: String, _ args: [String]) throws -> Int32 {
        try runToolOutput(path, args).status
    }
}
