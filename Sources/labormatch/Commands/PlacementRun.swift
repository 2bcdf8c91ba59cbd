import ArgumentParser
import Foundation
import LaborModel
import MatchCore

/// The placement step shared by `match` (and the nightly run): graph, quotas, solve, files, summary.
struct PlacementRun {
    let loaded: MatchInputs.Loaded
    let outcome: Placement.Outcome
    let report: PlacementReport
    let options: PlacementOptions
    let quotas: Quotas

    init(loaded: MatchInputs.Loaded, result: ScoringResult, options: PlacementOptions, global: GlobalOptions) throws {
        self.loaded = loaded
        self.options = options
        let taxonomy = loaded.rules.taxonomy
        quotas = try options.quotas(taxonomy: taxonomy)
        let graph = try Placement.graph(result, workers: loaded.workers.count, capacities: loaded.posts.map(\.openings))
        do {
            report = try PlacementReport.solve(graph, rules: loaded.rules, workers: loaded.workers, posts: loaded.posts,
                                               quotas: quotas, options: options.options)
        } catch let e as AssignmentError where { if case .beyondSafeRange = e { true } else { false } }() {
            throw e // exit 65, said by exitCode(for:)
        } catch let e as AssignmentError where { if case .crossingCapFamilies = e { true } else { false } }() {
            Console.err("labormatch: error: \(e) (交叉的上限无法构成网络流); cap one family, or employers within destinations")
            throw Exit.usage
        } catch let e as QuotaSpec.Problem {
            Console.err("labormatch: error: \(e)")
            throw Exit.usage
        } catch AssignmentError.infeasibleMinimum(let g, let minimum, let reached) {
            Console.err("labormatch: error: quota --township-min \(taxonomy.townships[g].name)=\(minimum) cannot be met: at most \(reached) of its workers can be placed (short by \(minimum - reached)) (最低名额无法满足)")
            throw Exit.dataError
        } catch let e as AssignmentError {
            Console.err("labormatch: error: \(e)")
            throw Exit.software
        }
        outcome = report.outcome
        if !outcome.targetReached, let target = options.poorShare {
            Console.err("labormatch: warning: the poor-household share \(String(format: "%.1f", target * 100))% cannot be reached: with full priority \(String(format: "%.1f", outcome.poorShare * 100))% (\(outcome.placedPoor) of \(outcome.assignment.placed) placements); kept that solution (贫困户比例目标无法达到)")
        }
    }

    func write(to out: String, pres: Matcher.Presentation) throws {
        try report.assignmentsCSV(pres).write(staffFile: out + "/assignments", format: pres.format, sheetName: pres.english ? "assignments" : "安置方案", ownerOnly: pres.unmask)
        // The audit graph keeps ids as read: it is the input of `labormatch assign` and the peer scripts.
        try report.graphCSV(english: pres.english).write(to: out + "/graph.csv", ownerOnly: true)
        try report.capacitiesCSV(english: pres.english).write(to: out + "/capacities.csv")
        if let d = report.postDualsCSV(english: pres.english) { try d.write(to: out + "/post_duals.csv") }
        if let d = report.destinationDualsCSV(english: pres.english) { try d.write(to: out + "/destination_duals.csv") }
        try report.byTownshipCSV(english: pres.english).write(to: out + "/by_township.csv")
        try report.byOccupationCSV(english: pres.english).write(to: out + "/by_occupation.csv")
    }

    func summary(seconds: [String: Double], inputs: [String: String], topK: Int, asOf: String) -> RunSummary {
        report.summary(version: LaborMatchVersion.string, asOf: asOf, quotas: quotas, solver: options.options.solver, topK: topK,
                       seconds: seconds, inputs: inputs)
    }

    func printSummary(_ s: RunSummary, out: String, format: StaffFileFormat) {
        Console.out("placed \(s.placed) of \(s.workers) workers on \(s.openings) openings (\(s.placedPoor) poor households, \(String(format: "%.1f", s.poorShare * 100))%); objective \(s.objective)" + (s.greedyObjective.map { ", greedy \($0)" } ?? ""))
        if options.poorShare != nil || options.poorBonus > 0 {
            Console.out("poor-household bonus \(s.poorBonus): share \(String(format: "%.1f", s.poorShare * 100))%, cost \(s.priorityCost) in total weight (\(Matcher.display(Float(s.priorityCost))) score)")
        }
        if let v = s.verified { Console.out("optimality certificate: \(v ? "verified" : "FAILED")") }
        Console.out("wrote \(out)/assignments.\(format.fileExtension), summary.json, graph.csv, capacities.csv, post_duals.csv, destination_duals.csv, by_township.csv, by_occupation.csv")
    }
}
