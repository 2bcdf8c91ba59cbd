import Foundation

/// Reads an .xlsx back with a real spreadsheet reader (openpyxl, installed by .ci/install-deps), so that the
/// tests see the cells as Excel-compatible software sees them: value, type ('s' text, 'n' number, 'f' formula)
/// and number format.
public enum SpreadsheetReader {
    public struct Cell: Decodable, Equatable {
        public var value: String?
        public var type: String
        public var format: String
        public init(value: String?, type: String, format: String) {
            self.value = value
            self.type = type
            self.format = format
        }
    }

    public struct Sheet: Decodable {
        public var title: String
        public var freeze: String?
        public var widths: [String: Double]
        public var bold: [Bool]
        public var rows: [[Cell]]
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let script = """
        import json, sys, openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb.active
        rows = [[{"value": None if c.value is None else (repr(c.value) if isinstance(c.value, float) else str(c.value)),
                  "type": c.data_type, "format": c.number_format} for c in r] for r in ws.iter_rows()]
        json.dump({"title": ws.title, "freeze": ws.freeze_panes,
                   "widths": {k: v.width for k, v in ws.column_dimensions.items()},
                   "bold": [bool(c.font.b) for c in ws[1]], "rows": rows}, sys.stdout)
        """

    public static func read(_ path: String) throws -> Sheet {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "openpyxl could not read \(path) (run .ci/install-deps): " + String(decoding: message, as: UTF8.self))
        }
        return try JSONDecoder().decode(Sheet.self, from: data)
    }
}
