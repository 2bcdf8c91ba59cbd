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
        do {
            var r = QuotaSpec.Request()
            r.townshipMin = try townshipMin.map { try QuotaSpec.pair($0, option: "--township-min") }
            r.townshipMax = try townshipMax.map { try QuotaSpec.pair($0, option: "--township-max") }
            r.maxDestination = try maxDestination.map { try QuotaSpec.pair($0, option: "--max-destination") }
            r.maxEmployer = try maxEmployer.map { try QuotaSpec.pair($0, option: "--max-employer") }
            r.maxEmployerDestination = try maxEmployerDestination.map { try QuotaSpec.pair($0, option: "--max-employer-destination") }
            return try QuotaSpec.resolve(r, taxonomy: taxonomy)
        } catch let e as QuotaSpec.Problem {
            throw ValidationError(e.message)
        }
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
