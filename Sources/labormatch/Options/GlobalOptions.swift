import ArgumentParser
import Foundation
import LaborModel
import LaborStore

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

    /// What encoded rows depend on, as one digest: this version and build of labormatch (the executable's size and
    /// time, since a new build may encode differently under the same version), the taxonomy files and the weights
    /// file. The key of suggest's cache in the registry and of a sharded run's plan.
    /// `build: false` for a sharded run, whose nodes may run copies of the same version built elsewhere.
    func encodingKey(weightsDigest: String, build: Bool = true) throws -> String {
        let dir = dataDirectory() + "/taxonomy"
        var text = "labormatch " + LaborMatchVersion.string + "\nweights " + weightsDigest + "\n"
        if build, let exe = Bundle.main.executablePath, let a = try? FileManager.default.attributesOfItem(atPath: exe) {
            text += "build \((a[.size] as? Int) ?? 0) \((a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)\n"
        }
        for f in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir + "/" + f, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            text += f + " " + (try FileDigest.sha256Hex(path: dir + "/" + f)) + "\n"
        }
        return FileDigest.sha256Hex(Data(text.utf8))
    }

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

/// `--weights FILE`: the score's weights (default: the data folder's weights.csv, e.g. one written by `learn`).
struct WeightsOption: ParsableArguments {
    @Option(help: ArgumentHelp("Score weights (weights.csv format, e.g. written by 'learn'; default: the data folder's weights.csv).", valueName: "file"))
    var weights: String?

    func path(_ global: GlobalOptions) -> String { weights ?? global.dataDirectory() + "/weights.csv" }

    /// The weights and their file's SHA-256 (recorded in summary.json). A missing or bad file is named (exit 66/65).
    func load(_ global: GlobalOptions) throws -> (weights: ScoringWeights, digest: String) {
        let p = path(global)
        guard FileManager.default.fileExists(atPath: p) else {
            Console.err("labormatch: error: \(p): no such weights file (权重文件不存在)")
            throw Exit.noInput
        }
        return (try ScoringWeights.load(path: p), try FileDigest.sha256Hex(path: p))
    }
}
