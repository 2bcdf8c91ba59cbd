import ArgumentParser
import Foundation

@main
struct LaborMatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labormatch",
        abstract: "Match Longlin's labour registry against Shenzhen job posts (粤桂劳务协作).",
        version: LaborMatchVersion.string,
        subcommands: [Check.self, Generate.self, Match.self, Assign.self, Plan.self, ReportCommand.self, Import.self, NightlyRun.self, Show.self, Stats.self, Contact.self, SuggestCommand.self, Learn.self, Shard.self, Bench.self]
    )

    /// Suggests the nearest subcommand for a misspelt one, then parses as usual.
    static func main() {
        if let message = SubcommandSuggestion.check(Array(CommandLine.arguments.dropFirst()), root: LaborMatch.self) {
            Console.err("labormatch: error: " + message)
            Foundation.exit(64)
        }
        main(nil)
    }
}

enum LaborMatchVersion {
    static let string = "0.1.0"
}
