import Foundation
import Testing
@testable import LaborModel
import MatchCore
import TestSupport

/// The 12 OR-Library linear assignment instances and their published optima. Five ship in Tests/Data/orlib and
/// always run; the seven larger ones run when $LABORMATCH_ORLIB_DIR or ../shared/testdata/orlib holds them.
@Suite struct ORLibraryTests {
    static let optima: [(String, Int64)] = [
        ("assign100", 305), ("assign200", 475), ("assign300", 626), ("assign400", 804), ("assign500", 991),
        ("assign600", 1176), ("assign700", 1362), ("assign800", 1552), ("assignp800", 2239), ("assignp1500", 5839),
        ("assignp3000", 18696), ("assignp5000", 48533),
    ]
    static var bundled: [(String, Int64)] { optima.filter { ORLibraryFiles.bundledNames.contains($0.0) } }
    static var optional: [(String, Int64)] { optima.filter { !ORLibraryFiles.bundledNames.contains($0.0) } }

    @Test func theBundledInstancesAreInTheRepository() {
        #expect(Self.bundled.count == 5)
        for (name, _) in Self.bundled {
            #expect(FileManager.default.fileExists(atPath: ORLibraryFiles.path(name) ?? ""), "\(name) missing from Tests/Data/orlib")
        }
    }

    @Test(arguments: bundled)
    func publishedOptimum(_ name: String, _ optimum: Int64) throws {
        try Self.check(try #require(ORLibraryFiles.path(name)), name, optimum)
    }

    @Test(.enabled(if: ORLibraryFiles.optionalDirectory != nil, "the larger OR-Library instances are not beside the checkout"),
          arguments: optional)
    func publishedOptimumOfTheLargerInstances(_ name: String, _ optimum: Int64) throws {
        try Self.check(try #require(ORLibraryFiles.path(name), "\(name).txt missing"), name, optimum)
    }

    static func check(_ path: String, _ name: String, _ optimum: Int64) throws {
        let inst = try ORLibraryInstance.read(path: path)
        let r = try inst.solveMinimumCost()
        #expect(r.perfect)
        #expect(r.cost == optimum, "\(name)")
        let proven = try #require(DualCertificate.withDuals(r.problem, r.assignment))
        #expect(DualCertificate.verify(r.problem, proven) == nil)
    }
}
