import ArgumentParser
import Foundation
import LaborModel
import LaborStore
import MatchCore

extension LaborMatch {
    struct NightlyRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nightly",
            abstract: "The nightly service (每晚运行): reconcile social insurance, re-match everyone free, write the day's call list.",
            discussion: """
            Reconciles each open placement against the latest complete month of contributions (confirmed; 换岗 job \
            change; 疑似失岗 suspected loss, closed after a second month without contributions), keeps confirmed \
            placements where they are, re-matches the free workers and suspected losses against the open capacity \
            with the exact solver (keeping last night's proposals among equally good choices), and writes assignments, \
            candidates, summary.json and the contact lists under DIR/runs/<run-id>/: calls (today's, at most --calls), \
            backlog (everyone else who should be called, with days waiting) and visits (no phone, or unreachable three \
            times in a row). DIR/latest points at the last run that fully succeeded. A second nightly on the same \
            registry exits 75 at once.
            """
        )

        @OptionGroup var registry: RegistryOptions

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The run's date, YYYY-MM-DD (default: today in Asia/Shanghai).", valueName: "date"))
        var asOf: AsOfDate?

        @Option(help: "At most this many rows in the day's call list.")
        var calls: Int = 200

        @Option(help: ArgumentHelp("Output folder: runs/<run-id>/ and latest go there.", valueName: "dir"))
        var out: String = "labormatch-runs"

        @Option(help: "Keep this many runs under runs/ and delete older ones.")
        var keep: Int = 30

        @Option(name: .customLong("top-k"), help: "Candidates listed per worker and per post.")
        var topK: Int = 20

        @Option(help: "Threads (default: all cores).")
        var threads: Int?

        enum Bootstrap: String, ExpressibleByArgument, CaseIterable {
            case sample, large
        }

        @Option(help: "When the registry does not exist yet: create it from the bundled sample (sample) or a generated 50,000-person county (large).")
        var bootstrap: Bootstrap?

        @Flag(name: .customLong("allow-backdate"), help: "Allow an --as-of earlier than the latest run's.")
        var allowBackdate = false

        @OptionGroup var staff: StaffFormatOption

        @OptionGroup var weightsOption: WeightsOption

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard calls >= 0 else { throw ValidationError("--calls must be 0 or more.") }
            guard keep >= 1 else { throw ValidationError("--keep must be at least 1.") }
            guard topK >= 1 else { throw ValidationError("--top-k must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                var clock = Stopwatch()
                let date = asOf?.date ?? CivilDate.today()
                try OutputFolder.prepare(out)
                try registry.checkFile()
                let lock = try registry.lock()
                defer { withExtendedLifetime(lock) {} }
                let taxonomy = try global.taxonomy()
                let (weights, weightsDigest) = try weightsOption.load(global)
                if !FileManager.default.fileExists(atPath: registry.db), let bootstrap {
                    try self.bootstrap(bootstrap, taxonomy: taxonomy, date: date)
                }
                let reg = try registry.open(create: false)
                var options = Nightly.Options(asOf: date)
                options.topK = topK
                options.calls = calls
                options.threads = threads
                var configuration = NightlyService.Configuration(options: options, out: out)
                configuration.keep = keep
                configuration.presentation = Matcher.Presentation(english: global.english, unmask: global.unmask, format: staff.format)
                configuration.version = LaborMatchVersion.string
                configuration.registryPath = registry.db
                configuration.weightsDigest = weightsDigest
                configuration.encodingKey = try? global.encodingKey(weightsDigest: weightsDigest)   // no key: no cache
                configuration.allowBackdate = allowBackdate
                var service = NightlyService(registry: reg, taxonomy: taxonomy, weights: weights, configuration: configuration)
                service.checkpoint = pause
                service.notice = { plan in
                    for n in plan.notes { Console.err("labormatch: note: \(n)") }
                    for p in plan.problems.prefix(20) { Console.err("labormatch: warning: stored row no longer valid, not matched: \(p)") }
                    if plan.counts.openPosts == 0 {
                        Console.err("labormatch: warning: NO OPEN POST: every opening is held or no post is registered; nobody can be proposed tonight (没有空缺岗位) — import posts with 'labormatch import posts FILE'")
                    }
                }
                let setup = clock.lap()
                let report = try service.run()
                if let r = report.republished {
                    Console.out("published run \(r), which was committed but never reached latest (its calls are in \(out)/runs/\(r)/)")
                }
                print(plan: report.plan, removed: report.removed, seconds: setup + clock.lap())
            }
        }

        /// For the crash-safety tests: stop here (and wait to be killed) when LABORMATCH_TEST_PAUSE names this point.
        func pause(_ point: String) {
            guard ProcessInfo.processInfo.environment["LABORMATCH_TEST_PAUSE"] == point else { return }
            _ = FileManager.default.createFile(atPath: out + "/.paused-" + point, contents: Data())
            sleep(120)
        }

        func print(plan: Nightly.Plan, removed: [String], seconds: Double) {
            let c = plan.counts
            Console.out("run \(plan.runID) as of \(plan.options.asOf): reconciled \(plan.reconciledMonth.map(\.description) ?? "nothing")")
            Console.out("placements: \(c.confirmed) confirmed, \(c.jobChanges) job changes (换岗), \(c.suspected) suspected losses (疑似失岗), \(c.lost) closed as lost")
            Console.out("re-matched \(c.pool) free workers against \(c.openCapacity) open places in \(c.openPosts) posts: \(c.proposals) proposals")
            Console.out("since the previous run: \(c.newProposals) new, \(c.changedProposals) changed, \(c.keptProposals) kept, \(c.withdrawnProposals) withdrawn")
            let ext = staff.format.fileExtension
            Console.out("calls for today: \(c.calls) (calls.\(ext)); waiting: \(c.waiting)" + (c.waiting > 0 ? ", the oldest for \(c.oldestWaitDays) days" : "")
                        + " (backlog.\(ext)); home visits: \(c.visits) (visits.\(ext))")
            Console.out("wrote \(out)/runs/\(plan.runID)/ and pointed \(out)/latest at it" + (removed.isEmpty ? "" : "; removed \(removed.count) old runs"))
            Console.out("a report of it: labormatch report --from \(out) --out 报告.html")
            Console.err(String(format: "seconds: %.2f", seconds))
        }

        /// Creates the registry from the sample (Data/sample, with its history) or a generated 50,000-person county.
        func bootstrap(_ kind: Bootstrap, taxonomy: Taxonomy, date: CivilDate) throws {
            var dir = global.dataDirectory() + "/sample"
            var asOf = Generator.defaultAsOf
            // Generated files hold (synthetic) ID numbers: written owner-only to a temporary folder, removed after,
            // whatever happens.
            let generated = NSTemporaryDirectory() + "labormatch-bootstrap-\(getpid())"
            defer { if kind == .large { try? FileManager.default.removeItem(atPath: generated) } }
            if kind == .large {
                dir = generated
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                asOf = date
                let files = Generator(workers: 50_000, posts: 50_000, seed: 1, asOf: asOf).generate(history: true)
                try files.workers.write(to: dir + "/workers.csv", ownerOnly: true)
                try files.posts.write(to: dir + "/posts.csv")
                try files.placements!.write(to: dir + "/placements.csv", ownerOnly: true)
                try files.contributions!.write(to: dir + "/contributions.csv", ownerOnly: true)
            }
            Console.err("labormatch: no registry at \(registry.db): creating it from \(dir) (\(kind.rawValue))")
            // Built under a temporary name and renamed into place, so an interrupted bootstrap leaves no half registry.
            let building = registry.db + ".bootstrap"
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(building + suffix) }
            func log<R>(_ k: String, _ r: IntakeResult<R>) -> ImportLog {
                ImportLog(kind: k, file: dir + "/" + k + ".csv", asOf: asOf, read: r.read, rejected: r.rejections.count)
            }
            var wc = ImportCounts(), pc = ImportCounts(), plc = ImportCounts(), coc = ImportCounts()
            do {
                let reg = try Registry(path: building)
                let w = try WorkerIntake.read(path: dir + "/workers.csv", taxonomy: taxonomy, asOf: asOf)
                wc = try reg.importWorkers(w.accepted, taxonomy: taxonomy, date: asOf, log: log("workers", w))
                let p = try PostIntake.read(path: dir + "/posts.csv", taxonomy: taxonomy)
                pc = try reg.importPosts(p.accepted, taxonomy: taxonomy, date: asOf, log: log("posts", p))
                var pl = try HistoryIntake.placements(path: dir + "/placements.csv", asOf: asOf, aliases: taxonomy.columnAliases["placements"] ?? [:])
                plc = try reg.importPlacements(&pl, date: asOf, log: log("placements", pl))
                var co = try HistoryIntake.contributions(path: dir + "/contributions.csv", asOf: asOf, aliases: taxonomy.columnAliases["contributions"] ?? [:])
                coc = try reg.importContributions(&co, log: log("contributions", co))
            }
            guard rename(building, registry.db) == 0 else { throw AtomicFileError(path: registry.db, errno: errno) }
            Console.err("labormatch: imported workers (\(wc)), posts (\(pc)), placements (\(plc)), contributions (\(coc))")
        }
    }
}
