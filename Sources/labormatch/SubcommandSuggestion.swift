import ArgumentParser
import Foundation

/// `labormatch matc ...` → "unknown subcommand 'matc'; did you mean 'match'?" (exit 64). ArgumentParser only says
/// "Unexpected argument", so the command tree is walked here before parsing.
enum SubcommandSuggestion {
    /// The message for the first word that should be a subcommand and is not one; nil when the words are fine.
    static func check(_ args: [String], root: any ParsableCommand.Type) -> String? {
        var subs: [any ParsableCommand.Type] = root.configuration.subcommands
        var path = [root._commandName]
        for word in args {
            if subs.isEmpty || word.hasPrefix("-") || word == "help" { return nil }
            var next: (any ParsableCommand.Type)?
            for s in subs where s._commandName == word || s.configuration.aliases.contains(word) { next = s }
            if let next {
                subs = next.configuration.subcommands
                path.append(next._commandName)
                continue
            }
            var names: [String] = []
            for s in subs { names.append(s._commandName) }
            var best = names[0]
            for n in names where distance(word, n) < distance(word, best) { best = n }
            let hint = distance(word, best) <= max(2, best.count / 2) ? "; did you mean '\(best)'? (您是不是要输入 \(best))" : ""
            let command = path.joined(separator: " ")
            return "unknown subcommand '\(word)' (未知子命令)\(hint)\n"
                + "Subcommands of '\(command)': \(names.joined(separator: ", ")). See '\(command) --help'."
        }
        return nil
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var prev = row[0]
            row[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (x[i - 1] == y[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return x.isEmpty ? y.count : row[y.count]
    }
}
