import Foundation
import MatchCore

/// OR-Library linear assignment instances (J. E. Beasley, "Linear programming on Cray supercomputers",
/// JORS 41 (1990) 133–139): minimum-cost n × n perfect assignment, dense (`assignN`: n, then n·n costs) or sparse
/// (`assignpN`: n, then "i j c" lines, 1-based; an absent pair is forbidden).
public struct ORLibraryInstance: Sendable {
    public var n: Int
    public var arcs: [(row: Int, column: Int, cost: Int64)]

    public struct FormatError: Error, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): not an OR-Library assignment instance: \(message)" }
    }

    public static func read(path: String) throws -> ORLibraryInstance {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CSVError.cannotRead(file: path, reason: (error as NSError).localizedDescription)
        }
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        guard let first = numbers.first, let n = Int(first), n > 0 else { throw FormatError(file: path, message: "no size") }
        var values: [Int64] = []
        values.reserveCapacity(numbers.count - 1)
        for t in numbers.dropFirst() {
            guard let v = Int64(t) else { throw FormatError(file: path, message: "'\(t)' is not a whole number") }
            values.append(v)
        }
        var arcs: [(Int, Int, Int64)] = []
        let sparse = URL(fileURLWithPath: path).lastPathComponent.hasPrefix("assignp") || values.count != n * n
        if !sparse {
            for r in 0..<n { for c in 0..<n { arcs.append((r, c, values[r * n + c])) } }
        } else {
            guard values.count % 3 == 0 else { throw FormatError(file: path, message: "sparse lines must be 'i j c'") }
            for k in stride(from: 0, to: values.count, by: 3) {
                let r = Int(values[k]) - 1, c = Int(values[k + 1]) - 1
                guard (0..<n).contains(r), (0..<n).contains(c) else { throw FormatError(file: path, message: "index out of 1...\(n)") }
                arcs.append((r, c, values[k + 2]))
            }
        }
        return ORLibraryInstance(n: n, arcs: arcs)
    }

    /// The maximum-weight problem with weight M − cost, M = n·max cost + 1: any perfect assignment then
    /// outweighs every imperfect one, so the maximum-weight assignment is the minimum-cost perfect one.
    public func maximumWeightProblem() throws -> (problem: AssignmentProblem, offset: Int64) {
        let cmax = arcs.map(\.cost).max() ?? 0
        let big = Int64(n) * max(cmax, 0) + 1
        let edges = arcs.map { (worker: $0.row, post: $0.column, weight: big - $0.cost) }
        return (try AssignmentProblem(workers: n, capacity: Array(repeating: 1, count: n), edges: edges), big)
    }

    /// Solves with the exact solver; returns the minimum cost and whether every row was assigned.
    public func solveMinimumCost() throws -> (cost: Int64, perfect: Bool, assignment: Assignment, problem: AssignmentProblem) {
        let (p, big) = try maximumWeightProblem()
        let a = AuctionAssigner.solve(p)
        return (Int64(a.placed) * big - a.objective, a.placed == n, a, p)
    }
}
