import ArgumentParser
import Foundation
import LaborModel
import MatchCore
import LaborStore

extension LaborMatch {
    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Match every worker against every post and write both candidate lists (推荐岗位, 推荐人才).",
            discussion: """
            Writes DIR/candidates_by_worker.csv (each worker's best posts) and DIR/candidates_by_post.csv (each \
            post's best workers), with plain reasons; then, unless --assign none, the placements: assignments.csv, \
            summary.json, graph.csv and capacities.csv (the problem solved, for audit and 'assign'), post_duals.csv \
            and destination_duals.csv (what one more opening there would add). Rejected input rows are reported as \
            by 'check' (rejects in DIR/workers.rejects.csv and DIR/posts.rejects.csv) and the run goes on with the \
            valid ones; --strict makes any reject fatal (exit 65). Quotas that cannot be met exit 65; cap families \
            that cross exit 64.
            """
        )

        @OptionGroup var inputs: MatchInputs

        @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
        var out: String

        @Option(name: .customLong("top-k"), help: "Candidates listed per worker and per post.")
        var topK: Int = 20

        @Option(help: "Threads (default: all cores).")
        var threads: Int?

        @OptionGroup(title: "Placement") var placement: PlacementOptions

        @OptionGroup var staff: StaffFormatOption

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard topK >= 1 else { throw ValidationError("--top-k must be at least 1.") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                var clock = Stopwatch()
                // Options first (quota names against the taxonomy, the output folder), before any file is read.
                _ = try placement.quotas(taxonomy: global.taxonomy())
                try OutputFolder.prepare(out)
                let loaded = try inputs.load(global: global, rejectsDirectory: out)
                let read = clock.lap()
                let matcher = Matcher(rules: loaded.rules)
                let progress = Progress(label: "scoring", total: loaded.workers.count)
                let result = matcher.candidates(workers: loaded.workers, posts: loaded.posts, k: topK, threads: threads,
                                                progress: progress.callback)
                progress.finish()
                let solve = clock.lap()
                try Match.writeOutputs(loaded: loaded, result: result, topK: topK, out: out, inputs: inputs, placement: placement,
                                       staff: staff, global: global, clock: &clock, read: read, score: solve)
            }
        }

        /// Writes everything `match` writes from the scored lists: the staff files, unmet lists and, unless
        /// --assign none, the placements and summary.json. `shard merge` calls it too, so a sharded run writes the
        /// same bytes.
        static func writeOutputs(loaded: MatchInputs.Loaded, result: ScoringResult, topK: Int, out: String, inputs: MatchInputs,
                                 placement: PlacementOptions, staff: StaffFormatOption, global: GlobalOptions,
                                 clock: inout Stopwatch, read: Double, score: Double) throws {
            let pres = Matcher.Presentation(english: global.english, unmask: global.unmask, format: staff.format)
            let matcher = Matcher(rules: loaded.rules)
            // The placements (graph, auction on one core, certificate) are computed while the candidate files are
            // written, and their files too: the two share nothing but their inputs, and the files come out the same.
            // Both branches finish before an error of either is thrown (the candidate files' first), so a failed
            // candidate file may leave fresh placement files beside it; PlacementRun's messages on stderr may come
            // before the "matched" lines.
            nonisolated(unsafe) var placed: Result<(PlacementRun, Double, Double), any Error>?
            nonisolated(unsafe) var written: Result<(String, String, Double), any Error>?
            DispatchQueue.concurrentPerform(iterations: placement.assign == .none ? 1 : 2) { branch in
                if branch == 1 {
                    var placeClock = Stopwatch()
                    placed = Result {
                        let run = try PlacementRun(loaded: loaded, result: result, options: placement, global: global)
                        let placeSeconds = placeClock.lap()
                        try run.write(to: out, pres: pres)
                        return (run, placeSeconds, placeClock.lap())
                    }
                    return
                }
                written = Result {
                    var writeClock = Stopwatch()
                    let byWorker = matcher.byWorkerCSV(result, workers: loaded.workers, posts: loaded.posts, as: pres)
                    let workerFile = try byWorker.write(staffFile: out + "/candidates_by_worker", format: staff.format,
                                                        sheetName: global.english ? "posts for each worker" : "推荐岗位", ownerOnly: global.unmask)
                    let byPost = matcher.byPostCSV(result, workers: loaded.workers, posts: loaded.posts, as: pres)
                    let postFile = try byPost.write(staffFile: out + "/candidates_by_post", format: staff.format,
                                                    sheetName: global.english ? "workers for each post" : "推荐人才", ownerOnly: global.unmask)
                    try matcher.unmetCSV(result, workers: loaded.workers, posts: loaded.posts, as: pres)
                        .write(staffFile: out + "/unmet", format: staff.format, sheetName: global.english ? "no eligible post" : "无合适岗位", ownerOnly: global.unmask)
                    try matcher.unmetPostsCSV(result, workers: loaded.workers, posts: loaded.posts, english: global.english)
                        .write(to: out + "/unmet_posts.csv")
                    return (workerFile, postFile, writeClock.lap())
                }
            }
            // Seconds of each branch on its own (they overlap): the candidate files, then the placements.
            let (workerFile, postFile, candidateSeconds) = try written!.get()
            _ = clock.lap()
            var write = candidateSeconds
            let noPost = (0..<loaded.workers.count).filter { result.byWorker.count(of: $0) == 0 }.count
            Console.out("matched \(loaded.workers.count) workers × \(loaded.posts.count) posts (top \(topK)); \(noPost) workers have no eligible post")
            Console.out("wrote \(workerFile), \(postFile) unmet.\(staff.format.fileExtension) and unmet_posts.csv")
            guard let placed else {
                Console.err(String(format: "seconds: read %.2f, score %.2f, write %.2f", read, score, write))
                return
            }
            let (run, placeSeconds, placementFileSeconds) = try placed.get()
            let solveSeconds = run.outcome.solveSeconds
            write += placementFileSeconds
            var digests = ["workers": try FileDigest.sha256Hex(path: inputs.workers), "posts": try FileDigest.sha256Hex(path: inputs.posts),
                          "weights": loaded.weightsDigest]
            if let x = inputs.excludeEmployers { digests["exclude_employers"] = try FileDigest.sha256Hex(path: x) }
            let summary = run.summary(seconds: ["read": read, "score": score, "solve": solveSeconds,
                                                "certificate": run.outcome.certificateSeconds, "greedy": run.outcome.greedySeconds,
                                                "graph": placeSeconds - solveSeconds - run.outcome.certificateSeconds - run.outcome.greedySeconds,
                                                "write": write],
                                      inputs: digests, topK: topK, asOf: loaded.date.description)
            try AtomicFile.write(try summary.json(), to: out + "/summary.json")
            run.printSummary(summary, out: out, format: staff.format)
            Console.err(String(format: "seconds: read %.2f, score %.2f, solve %.2f, write %.2f", read, score, solveSeconds, write))
        }
    }
}

/// The inputs of a matching run, shared by `match` (and later commands): the two CSV files, the as-of date,
/// the employer exclusion list, encoding and strictness.
struct MatchInputs: ParsableArguments {
    @Option(help: ArgumentHelp("Workers CSV (劳动力信息).", valueName: "file"))
    var workers: String

    @Option(help: ArgumentHelp("Job posts CSV (岗位信息).", valueName: "file"))
    var posts: String

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Date ages are computed on, YYYY-MM-DD (default: today in Asia/Shanghai).", valueName: "date"))
    var asOf: AsOfDate?

    @Option(name: .customLong("exclude-employers"), help: ArgumentHelp("Credit codes of employers under rights-violation follow-up, one per line; their posts are never listed.", valueName: "file"))
    var excludeEmployers: String?

    @Option(help: "Text encoding of the input files.")
    var encoding: TextEncoding = .auto

    @OptionGroup var weightsOption: WeightsOption

    @Flag(help: "Stop with exit 65 when any input row is rejected.")
    var strict = false

    struct Loaded {
        var workers: [Worker]
        var posts: [JobPost]
        var rules: MatchRules
        var date: CivilDate
        /// SHA-256 of the weights file.
        var weightsDigest: String
    }

    func load(global: GlobalOptions, rejectsDirectory: String) throws -> Loaded {
        let taxonomy = try global.taxonomy()
        let (weights, weightsDigest) = try weightsOption.load(global)
        let date = asOf?.date ?? CivilDate.today()
        // The two files are read and validated at the same time.
        nonisolated(unsafe) var wr: Result<IntakeResult<Worker>, Error>?
        nonisolated(unsafe) var pr: Result<IntakeResult<JobPost>, Error>?
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                wr = Result { try WorkerIntake.read(path: workers, taxonomy: taxonomy, asOf: date, encoding: encoding) }
            } else {
                pr = Result { try PostIntake.read(path: posts, taxonomy: taxonomy, encoding: encoding) }
            }
        }
        let w = try wr!.get()
        try IntakeReporting.report(w, rejectsPath: rejectsDirectory + "/workers.rejects.csv", global: global)
        Console.out("workers: \(w.countsLine)")
        let p = try pr!.get()
        try IntakeReporting.report(p, rejectsPath: rejectsDirectory + "/posts.rejects.csv", global: global)
        Console.out("posts: \(p.countsLine)")
        var rejected = w.rejections.count + p.rejections.count
        var excluded = Set<String>()
        if let excludeEmployers {
            let list = try ExclusionList.read(path: excludeEmployers, encoding: encoding)
            for r in list.rejections {
                Console.err("\(excludeEmployers):\(r.line): " + r.problems.map(\.description).joined(separator: "; "))
            }
            Console.out("excluded employers: \(list.countsLine)")
            rejected += list.rejections.count
            excluded = list.codes
        }
        if strict && rejected > 0 {
            Console.err("labormatch: error: \(rejected) input rows were rejected and --strict is set; nothing was matched")
            throw Exit.dataError
        }
        // Rows in the order of their ids, not of the file: with ties keyed on ids too, the same rows in any order
        // give byte-identical candidates and placements.
        return Loaded(workers: w.accepted.sorted { $0.workerID < $1.workerID }, posts: p.accepted.sorted { $0.postID < $1.postID },
                      rules: MatchRules(taxonomy: taxonomy, weights: weights, asOf: date, excludedEmployers: excluded), date: date,
                      weightsDigest: weightsDigest)
    }
}
