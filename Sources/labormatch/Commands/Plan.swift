import ArgumentParser
import Foundation
import LaborModel
import LaborPlan
import LaborStore
import MatchCore

extension LaborMatch {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Labour-transfer scenarios side by side from one scoring pass (规划): quotas, poor-household targets, training, buses.",
            discussion: """
            Scores the workers against the posts once, then solves every scenario of the TOML file on the same \
            candidates, exactly as 'match --assign exact' with the same options would (each scenario's objective is \
            the same integer). The first scenario is the baseline. Writes DIR/scenarios.csv (one row per scenario: \
            placed, poor share, objective, differences from the baseline, buses, mean riders), by_township.csv, \
            by_destination.csv (with the shadow price of one more opening there), moves.csv (who goes elsewhere than \
            in the baseline), tradeoff.csv ([sweep]: the poor-share vs total-fit curve), buses.csv ([transport]) and \
            scenarios/<name>/ (assignments and summary.json as match writes them). With --db the plan starts from the \
            registry as the nightly sees it: the free pool against the open capacity, confirmed placements kept.

            Example (Data/plan-example.toml explains every key):
              labormatch plan --scenarios Data/plan-example.toml --workers Data/sample/workers.csv \\
                --posts Data/sample/posts.csv --as-of 2026-01-15 --out plan
            """
        )

        @Option(help: ArgumentHelp("The scenario file (TOML).", valueName: "file"))
        var scenarios: String

        @Option(help: ArgumentHelp("Workers CSV (劳动力信息); with --posts.", valueName: "file"))
        var workers: String?

        @Option(help: ArgumentHelp("Job posts CSV (岗位信息); with --workers.", valueName: "file"))
        var posts: String?

        @Option(help: ArgumentHelp("Plan from the registry instead of files (the nightly's pool and open capacity).", valueName: "path"))
        var db: String?

        @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
        var out: String

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Date ages are computed on, YYYY-MM-DD (default: today in Asia/Shanghai).", valueName: "date"))
        var asOf: AsOfDate?

        @Option(help: "Cores for scoring, the scenarios' solves and writing their folders (default: all cores).")
        var threads: Int?

        @Option(help: "Text encoding of the input files.")
        var encoding: TextEncoding = .auto

        @OptionGroup var staff: StaffFormatOption
        @OptionGroup var weightsOption: WeightsOption

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard (workers != nil && posts != nil) != (db != nil) else {
                throw ValidationError("Give either --workers and --posts, or --db (the registry).")
            }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                let started = Date()
                let taxonomy = try global.taxonomy()
                let date = asOf?.date ?? CivilDate.today()
                // The scenario file first: a misspelt name costs nothing.
                let file: ScenarioFile
                do { file = try ScenarioFile.read(path: scenarios, taxonomy: taxonomy) } catch let e as ScenarioFile.Problem {
                    Console.err("labormatch: error: \(e)")
                    throw Exit.usage
                }
                try OutputFolder.prepare(out)
                let (weights, weightsDigest) = try weightsOption.load(global)
                let inputs: Planner.Inputs
                var hashes: [String: String] = ["scenarios": try FileDigest.sha256Hex(path: scenarios), "weights": weightsDigest]
                if let workers, let posts {
                    let w = try WorkerIntake.read(path: workers, taxonomy: taxonomy, asOf: date, encoding: encoding)
                    try IntakeReporting.report(w, rejectsPath: out + "/workers.rejects.csv", global: global)
                    Console.out("workers: \(w.countsLine)")
                    let p = try PostIntake.read(path: posts, taxonomy: taxonomy, encoding: encoding)
                    try IntakeReporting.report(p, rejectsPath: out + "/posts.rejects.csv", global: global)
                    Console.out("posts: \(p.countsLine)")
                    let ws = w.accepted.sorted { $0.workerID < $1.workerID }, ps = p.accepted.sorted { $0.postID < $1.postID }
                    inputs = Planner.Inputs(workers: ws, posts: ps, capacity: ps.map(\.openings),
                                            rules: MatchRules(taxonomy: taxonomy, weights: weights, asOf: date))
                    hashes["workers"] = try FileDigest.sha256Hex(path: workers)
                    hashes["posts"] = try FileDigest.sha256Hex(path: posts)
                } else {
                    guard FileManager.default.fileExists(atPath: db!) else {
                        Console.err("labormatch: error: no registry at \(db!) (登记册不存在); create it with 'labormatch import workers FILE --db \(db!)'")
                        throw Exit.noInput
                    }
                    let reg = try Registry(path: db!)
                    inputs = try Planner.Inputs.fromRegistry(reg, taxonomy: taxonomy, weights: weights, asOf: date, topK: file.topK ?? 20)
                    hashes["registry"] = db!
                    Console.out("registry \(db!): \(inputs.workers.count) free workers against \(inputs.capacity.reduce(0, +)) open places in \(inputs.posts.count) posts")
                }
                let planner = Planner(inputs: inputs, topK: file.topK ?? 20, threads: threads)
                let read = Date().timeIntervalSince(started)
                let (solved, sweep, timings) = try planner.run(file) { name in
                    if Console.stderrIsTerminal { Console.err("scenario \(name) …") }
                }
                var pres = Matcher.Presentation(english: global.english, unmask: global.unmask, format: staff.format)
                pres.numbers = inputs.numbers
                let outputs = PlanOutputs(planner: planner, file: file, solved: solved, sweep: sweep)
                let writing = Date()
                try outputs.write(to: out, pres: pres, version: LaborMatchVersion.string, inputs: hashes)
                let write = Date().timeIntervalSince(writing)
                for s in solved {
                    if let r = s.report {
                        let a = r.outcome.assignment
                        Console.out("\(s.scenario.name): placed \(a.placed) (\(r.outcome.placedPoor) poor, \(String(format: "%.1f", r.outcome.poorShare * 100))%), objective \(a.objective)"
                                    + (s.trained > 0 ? ", trained \(s.trained)" : "")
                                    + (file.transport != nil ? ", \(s.buses.count) buses" + (s.unscheduled > 0 ? ", \(s.unscheduled) unscheduled (未排车)" : "") : ""))
                    } else {
                        Console.out("\(s.scenario.name): infeasible (不可行): \(s.problem ?? "")")
                    }
                }
                Console.out("wrote \(out)/scenarios.\(staff.format.fileExtension) and the other plan files")
                Console.err(String(format: "seconds: read %.2f, score %.2f, solve %.2f, write %.2f", read, timings.score, timings.solve, write))
            }
        }
    }
}
