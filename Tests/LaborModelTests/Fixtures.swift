import Foundation
import LaborModel
import TestSupport

/// Paths into the package: Data/ and the sample files.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let data = root + "/Data"
    static let sample = data + "/sample"
    static let taxonomy: Taxonomy = {
        // swiftlint:disable:next force_try
        try! Taxonomy.load(directory: data + "/taxonomy")
    }()
    static let asOf = CivilDate(year: 2026, month: 1, day: 1)!

    static func tempDir() -> String { TemporaryFolders.make("model") }

    static func csv(_ text: String, bom: Bool = false) -> Data {
        var d = Data()
        if bom { d.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        d.append(contentsOf: Array(text.utf8))
        return d
    }
}
