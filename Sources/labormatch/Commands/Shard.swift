import ArgumentParser
import Foundation
import LaborModel
import LaborShard
import LaborStore
import MatchCore

extension LaborMatch {
    struct Shard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Province scale: split a match into worker shards (Slurm array tasks), merge to exactly match's files.",
            discussion: """
            A province's registry does not fit one county's machine. 'shard plan' validates and encodes the inputs \
            once and splits the workers into N shards by a fixed hash of worker_id; each 'shard score --index I' \
            (one Slurm array task, one Kubernetes indexed pod, or one after another) scores its shard against all \
            posts; 'shard merge' checks every part and writes exactly what 'match' writes, byte for byte, then \
            assigns. 'shard slurm' writes (and with --submit runs) the Slurm jobs.

            Examples:
              labormatch shard plan --workers w.csv --posts p.csv --shards 8 --out run --as-of 2027-01-05
              labormatch shard slurm --manifest run/manifest.json --out result --submit -- --assign exact
              labormatch shard status --manifest run/manifest.json
            Without Slurm:
              for i in 0 1 2 3 4 5 6 7; do labormatch shard score --manifest run/manifest.json --index $i; done
              labormatch shard merge --manifest run/manifest.json --out result
            """,
            subcommands: [PlanShards.self, Score.self, Merge.self, Status.self, Slurm.self]
        )
    }
}

extension LaborMatch.Shard {
    struct PlanShards: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Validate the inputs once; write the encoded posts, one worker block per shard and manifest.json.",
            discussion: "Rejected rows are reported as by 'match' (DIR/workers.rejects.csv, DIR/posts.rejects.csv). Workers go to shards by a hash of worker_id, so the split does not depend on row order.")

        @OptionGroup var inputs: MatchInputs

        @Option(help: "Number of shards (jobs).")
        var shards: Int

        @Option(help: ArgumentHelp("Folder of the sharded run (created if missing).", valueName: "dir"))
        var out: String

        @Option(name: .customLong("top-k"), help: "Candidates listed per worker and per post.")
        var topK: Int = 20

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard shards >= 1 else { throw ValidationError("--shards must be at least 1.") }
            guard topK >= 1 else { throw ValidationError("--top-k must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                var clock = Stopwatch()
                try OutputFolder.prepare(out)
                let loaded = try inputs.load(global: global, rejectsDirectory: out)
                var files = ["workers": inputs.workers, "posts": inputs.posts, "weights": inputs.weightsOption.path(global)]
                if let x = inputs.excludeEmployers { files["exclude_employers"] = x }
                let recorded = try files.mapValues { path in
                    ShardManifest.Input(path: URL(fileURLWithPath: path).standardizedFileURL.path, sha256: try FileDigest.sha256Hex(path: path))
                }
                let reading = ShardManifest.Reading(asOf: loaded.date.description, encoding: inputs.encoding.rawValue,
                                                    dataDirectory: URL(fileURLWithPath: global.dataDirectory()).standardizedFileURL.path,
                                                    strict: inputs.strict)
                let directory = URL(fileURLWithPath: out).standardizedFileURL.path
                let key = try global.encodingKey(weightsDigest: recorded["weights"]!.sha256, build: false)
                let m = try ShardRun.plan(workers: loaded.workers, posts: loaded.posts, matcher: Matcher(rules: loaded.rules), shards: shards,
                                          topK: topK, inputs: recorded, reading: reading, version: LaborMatchVersion.string,
                                          encodingKey: key, directory: directory)
                let sizes = m.blocks.map(\.workers)
                let empty = sizes.filter { $0 == 0 }.count
                if empty > 0 {
                    Console.err("labormatch: warning: \(empty) of the \(shards) shards have no workers (\(m.workers) workers in all); they finish at once, but fewer shards would do")
                }
                Console.out("planned \(m.workers) workers × \(m.posts) posts in \(shards) shards (\(sizes.min() ?? 0)–\(sizes.max() ?? 0) workers each), top \(topK), as of \(reading.asOf)")
                Console.out("wrote \(directory)/\(ShardManifest.fileName); next: labormatch shard score --manifest \(directory)/\(ShardManifest.fileName) --index I (0…\(shards - 1)), or shard slurm")
                Console.err(String(format: "seconds: %.2f", clock.lap()))
            }
        }
    }

    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score one shard against all posts; write its parts atomically with their checksums.",
            discussion: "Idempotent: a shard whose parts are already there and sound is left alone. A damaged or missing block exits 66 naming the file.")

        @OptionGroup var planned: PlannedRun
        var manifest: String { planned.manifest }

        @Option(help: ArgumentHelp("Shard index, 0…N−1 (Slurm: $SLURM_ARRAY_TASK_ID; Kubernetes: $JOB_COMPLETION_INDEX).", valueName: "i"))
        var index: Int

        @Option(help: "Threads (default: all cores; under Slurm give the task's CPUs).")
        var threads: Int?

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                let m = try ShardManifest.read(path: manifest)
                let workers = (0..<m.shards).contains(index) ? m.blocks[index].workers : 0
                let progress = Progress(label: "shard \(index)", total: workers)
                let outcome = try ShardRun.score(manifestPath: manifest, index: index, version: LaborMatchVersion.string, threads: threads,
                                                 progress: progress.callback)
                progress.finish()
                switch outcome {
                case .alreadyDone(let r):
                    Console.out("shard \(index): already scored (\(r.workers) workers); its parts check out, nothing to do")
                case .scored(let r):
                    Console.out("shard \(index): scored \(r.workers) workers × \(m.posts) posts in \(String(format: "%.2f", r.seconds)) s, peak \(Int(r.peakRSSMegabytes)) MB")
                }
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every shard's parts, merge the lists and write exactly what 'match' writes, then assign.",
            discussion: "Reads the inputs again (their SHA-256 must match the plan's) for names and reasons. A missing or damaged part exits 66 naming the shard. The per-post lists are merged a slice at a time, never all shards' lists at once.")

        @OptionGroup var planned: PlannedRun
        var manifest: String { planned.manifest }

        @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
        var out: String

        @OptionGroup(title: "Placement") var placement: PlacementOptions

        @OptionGroup var staff: StaffFormatOption

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try runMapped {
                var clock = Stopwatch()
                // Every shard's parts first (a missing one is named before anything is read or written), then
                // the plan's version, taxonomy and weights: the merge reads the inputs again as the plan did.
                let (m, results) = try ShardRun.finishedShards(manifestPath: manifest)
                try m.check(version: LaborMatchVersion.string, path: manifest)
                var global = self.global
                if global.dataDir == nil { global.dataDir = m.reading.dataDirectory }
                guard let weights = m.inputs["weights"], try global.encodingKey(weightsDigest: weights.sha256, build: false) == m.encodingKey else {
                    throw ShardError.badManifest(manifest, "the taxonomy in \(global.dataDirectory()) or the weights differ from the plan's (\(m.reading.dataDirectory)); merge with the plan's, or plan again")
                }
                _ = try placement.quotas(taxonomy: global.taxonomy())
                try OutputFolder.prepare(out)
                // The inputs as planned: same files (checked by hash), same reading options.
                for (name, input) in m.inputs.sorted(by: { $0.key < $1.key }) {
                    guard FileManager.default.fileExists(atPath: input.path) else { throw CSVError.cannotRead(file: input.path, reason: "the \(name) file of the plan is gone") }
                    guard try FileDigest.sha256Hex(path: input.path) == input.sha256 else { throw ShardError.inputChanged(name: name, path: input.path) }
                }
                var args = ["--workers", m.inputs["workers"]!.path, "--posts", m.inputs["posts"]!.path, "--as-of", m.reading.asOf,
                            "--encoding", m.reading.encoding, "--weights", m.inputs["weights"]!.path]
                if let x = m.inputs["exclude_employers"] { args += ["--exclude-employers", x.path] }
                if m.reading.strict { args.append("--strict") }
                let inputs = try MatchInputs.parse(args)
                let loaded = try inputs.load(global: global, rejectsDirectory: out)
                guard loaded.workers.count == m.workers, loaded.posts.count == m.posts else {
                    throw ShardError.badManifest(manifest, "the plan has \(m.workers) workers and \(m.posts) posts, the inputs now give \(loaded.workers.count) and \(loaded.posts.count)")
                }
                let read = clock.lap()
                let codes = TieCodes(workerIDs: loaded.workers.map(\.workerID), postIDs: loaded.posts.map(\.postID))
                let result = try ShardRun.mergedCandidates(manifest: m, directory: ShardManifest.directory(of: manifest), results: results,
                                                           workerCodes: codes.workers, postCodes: codes.posts)
                let merge = clock.lap()
                Console.out("merged \(m.shards) shards")
                try LaborMatch.Match.writeOutputs(loaded: loaded, result: result, topK: m.topK, out: out, inputs: inputs, placement: placement,
                                                  staff: staff, global: global, clock: &clock, read: read, score: merge)
                Console.err(String(format: "peak memory: %.0f MB", peakResidentMegabytes()))
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each shard's state: scored (with its time and memory), not scored yet, or damaged.",
            discussion: "With --pending, prints only the indices still to score, comma-separated (what submit.sh hands to sbatch --array).")

        @OptionGroup var planned: PlannedRun
        var manifest: String { planned.manifest }

        @Flag(help: "Print only the shards still to score, e.g. 0,2,5.")
        var pending = false

        func run() throws {
            try runMapped {
                let (m, states) = try ShardRun.status(manifestPath: manifest)
                if pending {
                    Console.out(states.indices.filter { if case .failure = states[$0] { true } else { false } }.map(String.init).joined(separator: ","))
                    return
                }
                var done = 0
                for (i, s) in states.enumerated() {
                    switch s {
                    case .success(let r):
                        done += 1
                        Console.out("shard \(i): scored, \(r.workers) workers, \(String(format: "%.2f", r.seconds)) s, peak \(Int(r.peakRSSMegabytes)) MB, \(r.threads) threads")
                    case .failure(.parts(let list)):
                        Console.out("shard \(i): \(list.map(\.1).joined(separator: "; ")) (\(m.blocks[i].workers) workers)")
                    case .failure(let e):
                        Console.out("shard \(i): \(e)")
                    }
                }
                Console.out("\(done) of \(m.shards) shards scored" + (done == m.shards ? "; ready to merge" : ""))
            }
        }
    }

    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the Slurm jobs (shard array, merge after it, submit.sh); with --submit, run them and wait.",
            discussion: """
            Writes DIR/slurm/shards.sbatch, merge.sbatch, submit.sh and kubernetes-job.yaml (an Indexed Job for sites \
            that run Kubernetes; not tested here) beside the manifest. submit.sh submits only the shards not scored \
            yet, then the merge with --dependency=afterok, polls squeue and checks every job's state; it exits 1 \
            naming the failed shards. Running it again reruns only those and the merge. Arguments after -- go to \
            'shard merge' (e.g. -- --assign greedy --format xlsx).
            """)

        @OptionGroup var planned: PlannedRun
        var manifest: String { planned.manifest }

        @Option(help: ArgumentHelp("The merge's output folder.", valueName: "dir"))
        var out: String

        @Option(help: "Slurm partition (default: the cluster's default).")
        var partition: String?

        @Option(name: .customLong("cpus-per-shard"), help: "CPUs per shard task (and OPENBLAS_NUM_THREADS).")
        var cpusPerShard: Int = 2

        @Flag(help: "Submit the jobs and wait for them (needs sbatch, squeue, scontrol).")
        var submit = false

        @Argument(parsing: .postTerminator, help: "Arguments for 'shard merge'.")
        var mergeArguments: [String] = []

        func validate() throws {
            if let partition, partition.isEmpty || !partition.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.,-".contains($0)) }) {
                throw ValidationError("--partition '\(partition)' is not a Slurm partition name (letters, digits, _ . - and commas).")
            }
            guard cpusPerShard >= 1 else { throw ValidationError("--cpus-per-shard must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                let manifestPath = URL(fileURLWithPath: manifest).standardizedFileURL.path
                let m = try ShardManifest.read(path: manifestPath)
                let outPath = URL(fileURLWithPath: out).standardizedFileURL.path
                // The merge's arguments are checked now, not when the cluster gets to them.
                do { _ = try Merge.parse(["--manifest", manifestPath, "--out", outPath] + mergeArguments) } catch {
                    Console.err("labormatch: error: arguments after -- are not valid for 'shard merge': \(Merge.message(for: error))")
                    throw Exit.usage
                }
                let executable = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).resolvingSymlinksInPath().path
                let job = SlurmJob(manifestPath: manifestPath, out: outPath, executable: executable, partition: partition,
                                   cpusPerShard: cpusPerShard, mergeArguments: mergeArguments)
                let files = try job.write(shards: m.shards)
                Console.out("wrote " + files.joined(separator: ", "))
                guard submit else {
                    Console.out("submit with: bash \(job.directory)/submit.sh   (or add --submit)")
                    return
                }
                for tool in ["sbatch", "squeue", "scontrol"] where !Slurm.onPath(tool) {
                    Console.err("labormatch: error: \(tool) not found: install slurm-client (Debian) or run on a Slurm login node")
                    throw ExitCode(69)
                }
                let status = try job.submit()
                if status != 0 { throw ExitCode(status) }
            }
        }

        static func onPath(_ tool: String) -> Bool {
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
                .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        }
    }
}

/// `--manifest FILE`, the plan every shard command after `shard plan` works from.
struct PlannedRun: ParsableArguments {
    @Option(help: ArgumentHelp("The plan's manifest.json.", valueName: "file"))
    var manifest: String
}
