import ArgumentParser
import LaborModel
import MatchCore

enum AssignChoice: String, ExpressibleByArgument, CaseIterable {
    case exact, greedy, none
}

extension Placement.Solver: ExpressibleByArgument {}

/// Options that decide who goes where: solver, poor-household priority, quotas.
struct PlacementOptions: ParsableArguments {
    @Option(help: "Placement solver: exact (optimal, with dual prices), greedy (best edge first) or none.")
    var assign: AssignChoice = .exact

    @Option(name: .customLong("poor-bonus"), help: ArgumentHelp("Score added to every edge of a poor-household worker (建档立卡贫困户).", valueName: "score"))
    var poorBonus: Double = 0

    @Option(name: .customLong("poor-share"), help: ArgumentHelp("Target share of poor-household placements, e.g. 0.35; the bonus is tuned by bisection.", valueName: "share"))
    var poorShare: Double?

    @Option(name: .customLong("township-min"), help: ArgumentHelp("At least N placements from a township (repeatable).", valueName: "乡镇=N"))
    var townshipMin: [String] = []

    @Option(name: .customLong("township-max"), help: ArgumentHelp("At most N placements from a township (repeatable).", valueName: "乡镇=N"))
    var townshipMax: [String] = []

    @Option(name: .customLong("max-destination"), help: ArgumentHelp("At most N placements in a destination (repeatable).", valueName: "地点=N"))
    var maxDestination: [String] = []

    @Option(name: .customLong("max-employer"), help: ArgumentHelp("At most N placements with an employer, by credit code (repeatable).", valueName: "CODE=N"))
    var maxEmployer: [String] = []

    @Option(name: .customLong("max-employer-destination"), help: ArgumentHelp("At most N placements with an employer in one destination (repeatable).", valueName: "CODE@地点=N"))
    var maxEmployerDestination: [String] = []

    @Flag(help: "Check the optimality certificate of the exact solution before writing (exit 70 if it fails).")
    var verify = false

    func validate() throws {
        if let s = poorShare, !(0...1).contains(s) { throw ValidationError("--poor-share must be between 0 and 1, e.g. 0.35.") }
        guard poorBonus >= 0, poorBonus <= 1000, (poorBonus * 1024).rounded() == poorBonus * 1024 else {
            throw ValidationError("--poor-bonus must be 0–1000 in steps of 1/1024 (e.g. 0.5, 2).")
        }
        if assign == .greedy && !(townshipMin + townshipMax + maxDestination + maxEmployer + maxEmployerDestination).isEmpty {
            throw ValidationError("Quotas need the exact solver: drop --assign greedy.")
        }
    }

    /// Quotas resolved against the taxonomy; called before any file is read, so that a misspelt name costs
    /// nothing. Unknown townships and destinations, and credit codes that fail their check, are usage errors (64).
    func quotas(taxonomy: Taxonomy) throws -> Quotas {
        var q = Quotas()
        func township(_ s: String, _ option: String) throws -> (Int, Int) {
            let (name, n) = try QuotaSpec.pair(s, option: option)
            guard let t = taxonomy.township(name) else {
                throw ValidationError("\(option) \(s): '\(name)' is not a Longlin township (不是隆林的乡镇); use a name such as 新州镇 or 新州, or a code such as 451031100.")
            }
            return (t, n)
        }
        func destination(_ name: String, _ s: String, _ option: String) throws -> Int {
            guard let d = taxonomy.destination(name) else {
                throw ValidationError("\(option) \(s): '\(name)' is not a destination (未知工作地点); use a Shenzhen district such as 龙岗区 or a city such as 东莞.")
            }
            return d
        }
        func creditCode(_ code: String, _ s: String, _ option: String) throws -> String {
            switch CreditCode.validate(code) {
            case .success(let c): return c
            case .failure(let e): throw ValidationError("\(option) \(s): '\(code)' is not a credit code: \(e.reason)")
            }
        }
        do {
            for s in townshipMin { let (t, n) = try township(s, "--township-min"); q.townshipMin[t] = n }
            for s in townshipMax { let (t, n) = try township(s, "--township-max"); q.townshipMax[t] = n }
            for s in maxDestination {
                let (name, n) = try QuotaSpec.pair(s, option: "--max-destination")
                if taxonomy.destination(name) == nil, let group = taxonomy.group(name) {
                    // 深圳 / 深圳市: one cap over every Shenzhen district, as files accept it.
                    guard group != nil else { throw ValidationError("--max-destination \(s): '\(name)' means anywhere; cap the destinations themselves.") }
                    q.destinationGroupMax[taxonomy.groupName(name) ?? name] = n
                } else {
                    q.destinationMax[try destination(name, s, "--max-destination")] = n
                }
            }
            for s in maxEmployer {
                let (code, n) = try QuotaSpec.pair(s, option: "--max-employer")
                q.employerMax[try creditCode(code, s, "--max-employer")] = n
            }
            for s in maxEmployerDestination {
                let (key, n) = try QuotaSpec.pair(s, option: "--max-employer-destination")
                let parts = key.split(separator: "@", maxSplits: 1).map { Normalize.cell(String($0)) }
                guard parts.count == 2 else {
                    throw ValidationError("--max-employer-destination \(s): must be CREDIT_CODE@DESTINATION=N (e.g. 91440300MA5DABCDE1@龙岗区=10).")
                }
                let code = try creditCode(parts[0], s, "--max-employer-destination")
                let d = try destination(parts[1], s, "--max-employer-destination")
                q.employerDestinationMax[code + "@" + taxonomy.destinations[d].name] = n
            }
        } catch let e as QuotaSpec.Problem {
            throw ValidationError(e.message)
        }
        return q
    }

    var options: Placement.Options {
        var o = Placement.Options()
        o.solver = assign == .greedy ? .greedy : .exact
        o.poorBonus = poorBonus
        o.poorShare = poorShare
        o.verify = verify
        return o
    }
}
