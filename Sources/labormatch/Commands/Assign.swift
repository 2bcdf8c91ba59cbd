import ArgumentParser
import Foundation
import LaborModel
import LaborStore
import MatchCore

extension LaborMatch {
    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Solve an explicit assignment problem: graph.csv and capacities.csv, as 'match' writes them.",
            discussion: """
            graph.csv: worker_id, post_id, weight (a whole number); capacities.csv: post_id, openings. Ids are opaque \
            strings; Chinese or English headers. Writes DIR/assignments.csv (worker_id, post_id, weight, dual of the \
            post) and DIR/summary.json. Rejected rows are reported (rejects beside the output) and the rest is solved; \
            --strict makes any reject fatal (exit 65).
            """
        )

        @Option(help: ArgumentHelp("Edges: worker_id, post_id, weight.", valueName: "file"))
        var edges: String

        @Option(help: ArgumentHelp("Openings per post: post_id, openings.", valueName: "file"))
        var capacities: String

        @Option(help: "exact (optimal, with dual prices) or greedy.")
        var solver: Placement.Solver = .exact

        @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
        var out: String

        @Flag(help: "Stop with exit 65 when any input row is rejected.")
        var strict = false

        @Flag(help: "Check the optimality certificate (exit 70 if it fails).")
        var verify = false

        @Option(help: "Text encoding of the input files.")
        var encoding: TextEncoding = .auto

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try runMapped {
                var clock = Stopwatch()
                try OutputFolder.prepare(out)
                let g = try GraphIntake.read(edges: edges, capacities: capacities, encoding: encoding)
                try IntakeReporting.report(g.capacities, rejectsPath: out + "/capacities.rejects.csv", global: global)
                Console.out("capacities: \(g.capacities.countsLine)")
                try IntakeReporting.report(g.edges, rejectsPath: out + "/graph.rejects.csv", global: global)
                Console.out("edges: \(g.edges.countsLine)")
                if strict && (g.edges.rejections.count + g.capacities.rejections.count) > 0 {
                    Console.err("labormatch: error: input rows were rejected and --strict is set; nothing was solved")
                    throw Exit.dataError
                }
                let read = clock.lap()
                let p = g.problem
                var a = solver == .exact ? AuctionAssigner.solve(p) : GreedyAssigner.solve(p)
                let solve = clock.lap()
                var verified: Bool?
                if solver == .exact {
                    guard let proven = DualCertificate.withDuals(p, a) else {
                        Console.err("labormatch: error: the exact solution has no dual certificate (internal error)")
                        throw Exit.software
                    }
                    a = proven
                    if verify {
                        if let why = DualCertificate.verify(p, a) {
                            Console.err("labormatch: error: optimality check failed: \(why)")
                            throw Exit.software
                        }
                        verified = true
                    }
                }
                let certificate = clock.lap()
                let greedy = solver == .greedy ? a.objective : GreedyAssigner.solve(p).objective
                let greedySeconds = clock.lap()
                var csv = CSVWriter(header: global.english ? ["worker_id", "post_id", "weight", "post_dual"] : ["工人编号", "岗位编号", "权重", "岗位影子价格"])
                for i in 0..<p.workers where a.postOf[i] >= 0 {
                    let j = Int(a.postOf[i])
                    csv.append([g.workerIDs[i], g.postIDs[j], String(p.weight(worker: i, post: j)!), a.postPrice.map { String($0[j]) } ?? ""])
                }
                try csv.write(to: out + "/assignments.csv", ownerOnly: true)
                let write = clock.lap()
                let summary = RunSummary(
                    version: LaborMatchVersion.string, asOf: nil, workers: p.workers, posts: p.posts, openings: p.openings,
                    candidates: p.edgeCount, placed: a.placed, placedPoor: 0, poorShare: 0, poorBonus: 0, priorityCost: 0,
                    objective: a.objective, greedyObjective: greedy,
                    greedyShareOfOptimum: a.objective > 0 ? Double(greedy) / Double(a.objective) : nil,
                    solver: solver == .exact ? "exact (auction)" : "greedy", verified: verified, topK: nil,
                    seconds: ["read": read, "solve": solve, "certificate": certificate, "greedy": greedySeconds, "write": write],
                    inputs: ["edges": try FileDigest.sha256Hex(path: edges), "capacities": try FileDigest.sha256Hex(path: capacities)],
                    quotas: nil)
                try AtomicFile.write(try summary.json(), to: out + "/summary.json")
                Console.out("placed \(a.placed) of \(p.workers) workers on \(p.openings) openings; objective \(a.objective), greedy \(greedy)")
                Console.out("wrote \(out)/assignments.csv and \(out)/summary.json")
                Console.err(String(format: "seconds: read %.2f, solve %.3f", read, solve))
            }
        }
    }
}
