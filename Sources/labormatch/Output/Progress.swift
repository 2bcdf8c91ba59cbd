import Foundation
import Synchronization

/// A one-line progress counter on stderr, shown only when stderr is a terminal.
final class Progress: Sendable {
    let label: String
    let total: Int
    let enabled: Bool
    let state = Mutex<(done: Int, lastPercent: Int)>((0, -1))

    init(label: String, total: Int) {
        self.label = label
        self.total = total
        enabled = Console.stderrIsTerminal && total > 0
    }

    func advance(_ n: Int) {
        guard enabled else { return }
        let line: String? = state.withLock { s in
            s.done += n
            let pct = s.done * 100 / total
            guard pct != s.lastPercent else { return nil }
            s.lastPercent = pct
            return "\r\(label) \(pct)% (\(s.done)/\(total))"
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    var callback: @Sendable (Int) -> Void { { [self] n in self.advance(n) } }
}

/// Wall-clock stopwatch for the phases a command reports.
struct Stopwatch {
    private var start = DispatchTime.now().uptimeNanoseconds
    mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { start = now }
        return Double(now - start) / 1e9
    }
}
