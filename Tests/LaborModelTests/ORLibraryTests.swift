import Foundation
import Testing
@testable import LaborModel
import MatchCore

/// The 12 OR-Library linear assignment instances and their published optima. They are read from
/// ../shared/testdata/orlib (beside the checkout, as CI lays it) or from $LABORMATCH_ORLIB_DIR.
@Suite struct ORLibraryTests {
    static let optima: [(String, Int64)] = [
        ("assign100", 305), ("assign200", 475), ("assign300", 626), ("assign400", 804), ("assign500", 991),
        ("assign600", 1176), ("assign700", 1362), ("assign800", 1552), ("assignp800", 2239), ("assignp1500", 5839),
        ("assignp3000", 18696), ("assignp5000", 48533),
    ]

    static var directory: String {
        if let d = ProcessInfo.processInfo.environment["LABORMATCH_ORLIB_DIR"] { return d }
        return URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().appendingPathComponent("shared/testdata/orlib").path
    }

    @Test(arguments: optima)
    func publishedOptimum(_ name: String, _ optimum: Int64) throws {
        let path = Self.directory + "/" + name + ".txt"
        try #require(FileManager.default.fileExists(atPath: path),
                     "OR-Library instance missing: \(path) (set LABORMATCH_ORLIB_DIR to the folder holding assign*.txt)")
        let inst = try ORLibraryInstance.read(path: path)
        let r = try inst.solveMinimumCost()
        #expect(r.perfect)
        #expect(r.cost == optimum, "\(name)")
        let proven = try #require(DualCertificate.withDuals(r.problem, r.assignment))
        #expect(DualCertificate.verify(r.problem, proven) == nil)
    }
}
