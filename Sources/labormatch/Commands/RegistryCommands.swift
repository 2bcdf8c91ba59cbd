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
            abstract: "A worker's status and its evidence, placements, calls and latest proposal (ID and phone masked unless --unmask).",
            discussion: """
            WHO is the person number (人员编号, e.g. LL-004217), the full ID number, or a name; a name that several \
            people share lists them (number, masked ID, township, village).

            Examples:
              labormatch show worker LL-004217
              labormatch show worker 451031199203037771 --json
              labormatch show worker 罗国刚
            """
        )

        @Argument(help: ArgumentHelp("Person number, ID number or name.", valueName: "who"))
        var who: String

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try runMapped {
                let reg = try registry.open(create: false)
                let id = try resolvePerson(who, in: reg, registry: registry, global: global)
                guard var w = try reg.worker(id) else { throw Exit.dataError }
                w.idNumber = global.showID(w.idNumber)
                if !w.phone.isEmpty { w.phone = global.showPhone(w.phone) }
                if json {
                    Console.out(String(decoding: try JSONOutput.encode(w).dropLast(), as: UTF8.self))
                    return
                }
                Console.out("\(w.number)  \(w.name)  \(w.idNumber)  \(w.township) \(w.village)\(w.poorHousehold ? "  贫困户" : "")  电话 \(w.phone.isEmpty ? "-" : w.phone)")
                Console.out("状态 status: \(w.status) (\(w.statusSource), \(w.statusDate))  求职意向: \(w.intentions.isEmpty ? "-" : w.intentions)")
                Console.out("依据 evidence (newest first):")
                if w.evidence.isEmpty { Console.out("  -") }
                for e in w.evidence {
                    let source = EvidenceSource(rawValue: e.source).map { "\($0.chinese) \($0.rawValue)" } ?? e.source
                    Console.out("  \(e.date)  \(e.status)  \(source)\(e.detail.isEmpty ? "" : "  \(e.detail)")")
                }
                Console.out("岗位 placements:")
                if w.placements.isEmpty { Console.out("  -") }
                for p in w.placements {
                    var line = "  \(p.start) → \(p.end ?? "now")  \(p.postID ?? "-")  \(p.employer.isEmpty ? p.creditCode : p.employer)"
                    if let r = p.endReason { line += "  (\(r))" }
                    if let s = p.suspectedSince { line += "  疑似失岗 since \(s)" }
                    if let c = p.confirmedMonth { line += "  社保确认 \(c)" }
                    Console.out(line)
                }
                Console.out("回访 calls:")
                if w.contacts.isEmpty { Console.out("  -") }
                for c in w.contacts { Console.out("  \(c.date)  \(c.outcome)\(c.post.map { " \($0)" } ?? "")\(c.note.isEmpty ? "" : "  \(c.note)")") }
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
            abstract: "Record a follow-up call (回访) by its outcome code, and print what it changed.",
            discussion: """
            Codes: 在岗 (employed: at the placement's employer; clears a suspected loss), 换岗 (job_change: at another \
            employer, --employer optional), 失业 (unemployed: closes the placement), 联系不上 (unreachable: three in a row \
            list the worker for a home visit, 上门), 接受推荐 (accepted: proposal --post becomes a pending placement, \
            its opening held), 拒绝推荐 (declined: --post is never proposed to this worker again), 其他 (other). The call \
            is status evidence dated --date: newer evidence wins, and on the same day a call beats contributions and \
            files. The note is stored, never read.

            Examples:
              labormatch contact LL-004217 --outcome 在岗 --date 2026-01-15
              labormatch contact 451031199203037771 --outcome 接受推荐 --post P000123
              labormatch contact LL-000042 --outcome unreachable --note "关机"
            """
        )

        @Argument(help: ArgumentHelp("Person number, ID number or name.", valueName: "who"))
        var who: String

        @Option(help: ArgumentHelp("The outcome code (see above).", valueName: "code"))
        var outcome: String

        @Option(help: ArgumentHelp("The proposal's post, for 接受推荐 and 拒绝推荐.", valueName: "post-id"))
        var post: String?

        @Option(help: ArgumentHelp("The new employer's credit code, for 换岗.", valueName: "credit-code"))
        var employer: String?

        @Option(help: "A note (stored, never read).")
        var note: String = ""

        @Option(help: ArgumentHelp("Date of the call, YYYY-MM-DD (default: today).", valueName: "date"))
        var date: AsOfDate?

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard let code = Registry.CallOutcome(code: outcome) else {
                throw ValidationError("--outcome '\(outcome)' is not an outcome code (不是回访结果代码); use one of: \(Registry.CallOutcome.listing).")
            }
            if [.accepted, .declined].contains(code) && post == nil {
                throw ValidationError("--outcome \(code.rawValue) needs --post POST_ID (须指明岗位).")
            }
            if let date, date.date > CivilDate.today() {
                throw ValidationError("--date \(date.date) is in the future (日期在未来); a call is recorded on or after the day it was made.")
            }
            if let employer, case .failure(let e) = CreditCode.validate(Normalize.cell(employer)) {
                throw ValidationError("--employer '\(employer)' is not a credit code: \(e.reason)")
            }
        }

        func run() throws {
            try runMapped {
                let lock = try registry.lock()
                defer { withExtendedLifetime(lock) {} }
                let reg = try registry.open(create: false)
                let id = try resolvePerson(who, in: reg, registry: registry, global: global)
                let call = Registry.Call(worker: id, date: date?.date ?? CivilDate.today(), outcome: Registry.CallOutcome(code: outcome)!,
                                         post: post.map { Normalize.cell($0) }, employer: employer.map { Normalize.cell($0).uppercased() }, note: note)
                do {
                    let effect = try reg.recordCall(call)
                    let number = try reg.worker(id)?.number ?? ""
                    Console.out("recorded call with \(number) \(global.showID(id)) on \(call.date): \(call.outcome.rawValue) (\(call.outcome.english))")
                    for line in effect.lines { Console.out("  " + line) }
                } catch let e as Registry.CallError {
                    Console.err("labormatch: error: \(e)")
                    throw Exit.dataError
                }
            }
        }
    }

    /// The ID number of WHO (person number, ID number or name), or a clear error: 查无此人 (exit 65), 校验码错误 for a
    /// full ID with a wrong check character (exit 65), or the list of people sharing a name (exit 65).
    static func resolvePerson(_ who: String, in reg: Registry, registry: RegistryOptions, global: GlobalOptions) throws -> String {
        switch try reg.lookup(who) {
        case .found(let id): return id
        case .none:
            let shown = Normalize.cell(who).count >= 15 && !global.unmask ? Masking.idNumber(Normalize.cell(who)) : who
            Console.err("labormatch: error: no worker '\(shown)' in \(registry.db) (查无此人); give the person number (LL-004217), the full ID number or the name")
        case .badCheckCharacter(let expected):
            Console.err("labormatch: error: '\(global.showID(Normalize.cell(who).uppercased()))': 校验码错误 / wrong check character (expected \(expected)); check the number")
        case .several(let people):
            Console.err("labormatch: error: \(people.count) workers are called '\(who)' (同名); give the person number:")
            for p in people { Console.err("  \(p.number)  \(global.showID(p.idNumber))  \(p.township) \(p.village)") }
        }
        throw Exit.dataError
    }
}
