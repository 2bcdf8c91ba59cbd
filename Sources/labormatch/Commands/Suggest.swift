import ArgumentParser
import Foundation
import LaborModel
import LaborStore

extension LaborMatch {
    struct SuggestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "suggest",
            abstract: "At the counter (窗口推荐): one worker's best open posts, or one post's best free workers, as the nightly would list them.",
            discussion: """
            Scores one row against the registry's open posts (openings minus the places open placements hold; \
            excluded employers left out) or its free pool (no open placement and not 在岗, or a suspected loss), with \
            the nightly's rules and tie order: the list equals the nightly's candidates for that row on the same day.

            Examples:
              labormatch suggest worker 451031199001011234 --as-of 2026-01-15
              labormatch suggest worker --file 新登记.csv --top-k 5
              labormatch suggest post P000027
            """
        )

        enum Side: String, ExpressibleByArgument, CaseIterable { case worker, post }

        @Argument(help: "worker or post.")
        var side: Side

        @Argument(help: "The worker's ID number or the post's ID, as stored in the registry.")
        var id: String?

        @Option(help: ArgumentHelp("A CSV file with the one row (workers.csv or posts.csv columns), e.g. a person registering now.", valueName: "file"))
        var file: String?

        @Option(name: .customLong("top-k"), help: "How many to list.")
        var topK = 10

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Date ages are computed on, YYYY-MM-DD (default: today).", valueName: "date"))
        var asOf: AsOfDate?

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var weightsOption: WeightsOption
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard (id == nil) != (file == nil) else { throw ValidationError("Give the \(side.rawValue)'s ID or --file ONE_ROW.csv (one of them).") }
            guard topK >= 1 else { throw ValidationError("--top-k must be at least 1.") }
        }

        func run() throws {
            try runMapped {
                let date = asOf?.date ?? CivilDate.today()
                let taxonomy = try global.taxonomy()
                let (weights, digest) = try weightsOption.load(global)
                try registry.checkFile()
                let reg = try registry.open(create: false)
                let s = try Suggest(registry: reg, taxonomy: taxonomy, weights: weights, asOf: date,
                                    cacheKey: try? global.encodingKey(weightsDigest: digest))
                switch side {
                case .worker:
                    let w = try one({ try WorkerIntake.read(path: $0, taxonomy: taxonomy, asOf: date) }, { try s.worker(id: $0) },
                                    missing: "no worker \(global.showID(id ?? "")) in \(registry.db) (查无此人); register them, or give --file")
                    Console.out("\(global.showID(w.workerID)) \(global.unmask ? w.name : Masking.name(w.name)), \(taxonomy.townships[w.township].name): best \(topK) open posts")
                    let list = try s.posts(for: w, k: topK)
                    if list.isEmpty { Console.out("  no eligible open post: " + (try s.whyNoPost(for: w)).replacingOccurrences(of: "无符合条件的岗位: ", with: "")) }
                    for (p, l) in list {
                        Console.out("\(String(l.rank).leftPad(3))  \(Matcher.display(l.score).leftPad(6))  \(p.postID)  \(p.employer)  \(taxonomy.occupations[p.occupation].name)  \(taxonomy.destinations[p.location].name)  \(p.wageMin)–\(p.wageMax)  \(l.reasons)")
                    }
                case .post:
                    let p = try one({ try PostIntake.read(path: $0, taxonomy: taxonomy) }, { try s.post(id: $0) },
                                    missing: "no post \(id ?? "") in \(registry.db) (查无此岗位); import it, or give --file")
                    Console.out("\(p.postID) \(p.employer), \(taxonomy.occupations[p.occupation].name), \(taxonomy.destinations[p.location].name): best \(topK) free workers")
                    let list = try s.workers(for: p, k: topK)
                    if list.isEmpty { Console.out("  no eligible free worker") }
                    for (w, l) in list {
                        Console.out("\(String(l.rank).leftPad(3))  \(Matcher.display(l.score).leftPad(6))  \(global.showID(w.workerID))  \(global.unmask ? w.name : Masking.name(w.name))  \(taxonomy.townships[w.township].name)  \(l.reasons)")
                    }
                }
            }
        }

        /// The one row: from --file through intake, or from the registry by id (missing: exit 66; a stored row that
        /// no longer validates: exit 65).
        func one<T>(_ read: (String) throws -> IntakeResult<T>, _ find: (String) throws -> T?, missing: String) throws -> T {
            if let file { return try oneRow(try read(file), file: file) }
            let found: T?
            do { found = try find(id!) } catch let e as Suggest.Problem {
                Console.err("labormatch: error: the stored row no longer validates: \(e)")
                throw Exit.dataError
            }
            guard let found else {
                Console.err("labormatch: error: \(missing)")
                throw Exit.noInput
            }
            return found
        }

        func oneRow<T>(_ r: IntakeResult<T>, file: String) throws -> T {
            for m in r.rejectionMessages(unmask: global.unmask) { Console.err("labormatch: error: \(m)") }
            guard r.rejections.isEmpty, r.accepted.count == 1 else {
                if r.rejections.isEmpty { Console.err("labormatch: error: \(file): \(r.accepted.count) rows; give a file with exactly one") }
                throw Exit.dataError
            }
            return r.accepted[0]
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
