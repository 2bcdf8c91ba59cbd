import ArgumentParser
import Foundation
import LaborModel

enum Language: String, ExpressibleByArgument, CaseIterable {
    case zh, en
}

extension TextEncoding: ExpressibleByArgument {}

/// Options every data command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder holding taxonomy/ (default: the package's Data/, found from the executable; env LABORMATCH_DATA_DIR).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .long, help: "Column headers of CSV output: Chinese (default) or English.")
    var lang: Language = .zh

    @Flag(name: .long, help: "Show ID numbers and phone numbers in full in reports and console output.")
    var unmask = false

    func dataDirectory() -> String {
        DataDirectory.locate(explicit: dataDir ?? ProcessInfo.processInfo.environment["LABORMATCH_DATA_DIR"],
                             executablePath: Bundle.main.executablePath ?? CommandLine.arguments.first)
    }

    func taxonomy() throws -> Taxonomy {
        try Taxonomy.load(directory: dataDirectory() + "/taxonomy")
    }

    var english: Bool { lang == .en }

    func showID(_ id: String) -> String { unmask ? id : Masking.idNumber(id) }
    func showPhone(_ p: String) -> String { unmask ? p : Masking.phone(p) }
}

extension StaffFileFormat: ExpressibleByArgument {}

/// `--format csv|xlsx` for the files staff open.
struct StaffFormatOption: ParsableArguments {
    @Option(help: ArgumentHelp("Files staff open (candidates, assignments, calls): csv (UTF-8, opens anywhere) or xlsx (Excel workbooks: ID and phone numbers stay text, scores are numbers).", valueName: "csv|xlsx"))
    var format: StaffFileFormat = .csv
}

/// Parses `--as-of` values.
struct AsOfDate: ExpressibleByArgument {
    var date: CivilDate
    init?(argument: String) {
        guard let d = CivilDate(iso: argument) else { return nil }
        date = d
    }
    var defaultValueDescription: String { "today" }
}
