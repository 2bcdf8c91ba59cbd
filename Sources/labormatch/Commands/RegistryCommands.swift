import ArgumentParser
import Foundation
import LaborModel
import LaborStore

extension LaborMatch {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a record of the registry.",
            subcommands: [ShowWorker.self]
        )
    }

    struct ShowWorker: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "worker",
            abstract: "A worker's status, placements, contacts and latest proposal (ID and phone masked unless --unmask)."
        )

        @Argument(help: ArgumentHelp("The worker's ID number (身份证号).", valueName: "id"))
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try runMapped {
                let reg = try registry.open(create: false)
                let key = Normalize.cell(id).uppercased()
                guard var w = try reg.worker(key) else {
                    Console.err("labormatch: error: no worker \(global.showID(key)) in \(registry.db) (查无此人)")
                    throw Exit.dataError
                }
                w.idNumber = global.showID(w.idNumber)
                if !w.phone.isEmpty { w.phone = global.showPhone(w.phone) }
                if json {
                    Console.out(String(decoding: try JSONOutput.encode(w).dropLast(), as: UTF8.self))
                    return
                }
                Console.out("\(w.name)  \(w.idNumber)  \(w.township) \(w.village)\(w.poorHousehold ? "  贫困户" : "")  电话 \(w.phone.isEmpty ? "-" : w.phone)")
                Console.out("状态 status: \(w.status) (\(w.statusSource), \(w.statusDate))  求职意向: \(w.intentions.isEmpty ? "-" : w.intentions)")
                Console.out("岗位 placements:")
                if w.placements.isEmpty { Console.out("  -") }
                for p in w.placements {
                    var line = "  \(p.start) → \(p.end ?? "now")  \(p.postID ?? "-")  \(p.employer.isEmpty ? p.creditCode : p.employer)"
                    if let r = p.endReason { line += "  (\(r))" }
                    if let s = p.suspectedSince { line += "  疑似失岗 since \(s)" }
                    if let c = p.confirmedMonth { line += "  社保确认 \(c)" }
                    Console.out(line)
                }
                Console.out("回访 contacts:")
                if w.contacts.isEmpty { Console.out("  -") }
                for c in w.contacts { Console.out("  \(c.date)  \(c.outcome)\(c.note.isEmpty ? "" : "  \(c.note)")") }
                if let p = w.latestProposal {
                    Console.out("最新推荐 latest proposal: \(p.postID) \(p.employer) \(p.location), score \(p.score) (run \(p.runID))")
                } else {
                    Console.out("最新推荐 latest proposal: -")
                }
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registry counts by status, township and poor household (统计).")

        @OptionGroup var registry: RegistryOptions

        func run() throws {
            try runMapped {
                let s = try registry.open(create: false).stats()
                Console.out("workers \(s.workers) (poor households \(s.poor)); posts \(s.posts) with \(s.openings) openings; open placements \(s.openPlacements) (\(s.suspected) suspected losses); excluded employers \(s.excludedEmployers); runs \(s.runs)")
                Console.out("status,workers,poor")
                for (status, n, p) in s.byStatus { Console.out("\(status),\(n),\(p)") }
                Console.out("township,workers,poor,employed")
                for (t, n, p, e) in s.byTownship { Console.out("\(t),\(n),\(p),\(e)") }
            }
        }
    }

    struct Contact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a follow-up call (回访).",
            discussion: "An outcome that says the job is lost (失岗, 失业, 离职, lost) closes the open placement; one that says 在岗/employed clears a suspected loss."
        )

        @Argument(help: ArgumentHelp("The worker's ID number.", valueName: "id"))
        var id: String

        @Option(help: ArgumentHelp("What the call found, e.g. 在岗, 失岗, 未接通.", valueName: "text"))
        var outcome: String

        @Option(help: "A note.")
        var note: String = ""

        @Option(help: ArgumentHelp("Date of the call, YYYY-MM-DD (default: today).", valueName: "date"))
        var date: AsOfDate?

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !outcome.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--outcome must say what the call found.") }
        }

        func run() throws {
            try runMapped {
                let lock = try registry.lock()
                defer { withExtendedLifetime(lock) {} }
                let key = Normalize.cell(id).uppercased()
                guard try registry.open(create: false).recordContact(key, date: date?.date ?? CivilDate.today(), outcome: outcome, note: note) else {
                    Console.err("labormatch: error: no worker \(global.showID(key)) in \(registry.db) (查无此人)")
                    throw Exit.dataError
                }
                Console.out("recorded call with \(global.showID(key)): \(outcome)")
            }
        }
    }
}
