import Foundation
import ZIPFoundation

/// Output format of the files staff open in a spreadsheet (calls, assignments, candidate lists).
public enum StaffFileFormat: String, Sendable, CaseIterable {
    /// UTF-8 CSV with a BOM: small, opens anywhere, feeds other tools. Excel shows 18-digit IDs as 4.51031E+17
    /// and loses their last digits if the sheet is saved.
    case csv
    /// A real workbook: IDs, phones, post IDs and credit codes are text cells, scores are numbers.
    case xlsx

    public var fileExtension: String { rawValue }
}

/// Writes one sheet of an .xlsx workbook (Office Open XML, SpreadsheetML): a bold, frozen header row, column
/// widths that fit the text (CJK characters count double), text cells as inline strings in the text format
/// (numFmt 49, "@"), and numbers as numbers in the columns named number columns. The package ZIP is written
/// with ZIPFoundation; the sheet XML is written here, since no listed package writes SpreadsheetML.
public enum XLSXWriter {
    /// Header names (Chinese and English) of columns that hold numbers the product computed.
    public static let numberColumns: Set<String> = [
        "排名", "rank", "匹配分", "score", "招聘人数", "openings", "placed", "已安置", "权重", "weight", "dual", "影子价格",
        "行号", "line", "等待天数", "days_waiting",
    ]

    /// Writes `csv` (as the product built it) as `path` atomically. A cell the CSV writer prefixed with a quote
    /// against formula injection is written without it: a workbook's text cell is never a formula.
    public static func write(_ csv: CSVWriter, to path: String, sheetName: String, ownerOnly: Bool = false) throws {
        let table = try CSVTable.parse(data: csv.data(), file: path)
        try write(header: table.header, rows: table.records.map(\.fields), to: path, sheetName: sheetName, ownerOnly: ownerOnly)
    }

    /// Rows a sheet holds, header included (Excel's limit).
    public static let maxRows = 1_048_576

    public static func write(header: [String], rows: [[String]], to path: String, sheetName: String, ownerOnly: Bool = false) throws {
        guard rows.count < maxRows else { throw XLSXError.tooManyRows(path: path, rows: rows.count) }
        let numeric = header.map { numberColumns.contains($0) }
        var widths = header.map(displayWidth)
        for row in rows {
            for (c, v) in row.enumerated() where c < widths.count { widths[c] = max(widths[c], displayWidth(v)) }
        }
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
            </sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>
            """
        for (c, w) in widths.enumerated() {
            xml += "<col min=\"\(c + 1)\" max=\"\(c + 1)\" width=\"\(min(80, max(6, w + 2)))\" customWidth=\"1\"/>"
        }
        xml += "</cols><sheetData>"
        let letters = header.indices.map(columnName)
        func row(_ r: Int, _ cells: [String], style: Int?) {
            xml += "<row r=\"\(r)\">"
            for (c, v) in cells.enumerated() where c < letters.count {
                let ref = letters[c] + String(r)
                if style == nil, numeric[c], !v.isEmpty, Double(v) != nil {
                    xml += "<c r=\"\(ref)\"><v>\(v)</v></c>"
                } else {
                    let text = unquoted(v)
                    if text.isEmpty { continue }
                    xml += "<c r=\"\(ref)\" s=\"\(style ?? 1)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                    appendEscaped(text, to: &xml)
                    xml += "</t></is></c>"
                }
            }
            xml += "</row>"
        }
        row(1, header, style: 2)
        for (i, cells) in rows.enumerated() { row(i + 2, cells, style: nil) }
        xml += "</sheetData></worksheet>"
        let name = sheetName.prefix(31).map { "[]:*?/\\".contains($0) ? "_" : String($0) }.joined()
        var parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(contentTypes.utf8)),
            ("_rels/.rels", Data(rootRels.utf8)),
            ("xl/workbook.xml", Data(workbook(sheet: name).utf8)),
            ("xl/_rels/workbook.xml.rels", Data(workbookRels.utf8)),
            ("xl/styles.xml", Data(styles.utf8)),
        ]
        parts.append(("xl/worksheets/sheet1.xml", Data(xml.utf8)))
        try writeArchive(parts, to: path, ownerOnly: ownerOnly)
    }

    /// The package, built in memory and written like every other file (`AtomicFile`: created owner-only when
    /// asked, fsynced, renamed into place).
    static func writeArchive(_ parts: [(String, Data)], to path: String, ownerOnly: Bool) throws {
        let archive = try Archive(accessMode: .create)
        // A fixed date keeps the bytes of the same sheet the same from run to run.
        let date = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01
        for (entry, data) in parts {
            try archive.addEntry(with: entry, type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        guard let bytes = archive.data else { throw XLSXError.noArchive(path: path) }
        try AtomicFile.write(bytes, to: path, ownerOnly: ownerOnly)
    }

    /// A cell the CSV writer guarded against formulas ("'=..."), as the text it stands for.
    static func unquoted(_ v: String) -> String {
        guard v.utf8.count >= 2, v.utf8.first == 0x27, let second = v.utf8.dropFirst().first,
              CSVWriter.startsFormula(second) else { return v }
        return String(v.dropFirst())
    }

    /// A, B, …, Z, AA, AB, …
    static func columnName(_ i: Int) -> String {
        var n = i + 1, s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Columns a text takes: 2 for CJK and other wide characters, 1 otherwise.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
    }

    /// XML text: & < > escaped; characters XML 1.0 cannot carry become U+FFFD.
    static func appendEscaped(_ s: String, to xml: inout String) {
        for u in s.unicodeScalars {
            switch u {
            case "&": xml += "&amp;"
            case "<": xml += "&lt;"
            case ">": xml += "&gt;"
            case "\t", "\n", "\r": xml.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) { xml += "\u{FFFD}" } else { xml.unicodeScalars.append(u) }
            }
        }
    }

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        </Types>
        """
    static let rootRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """
    static func workbook(sheet: String) -> String {
        var name = ""
        appendEscaped(sheet, to: &name)
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets><sheet name="\(name.replacingOccurrences(of: "\"", with: "&quot;"))" sheetId="1" r:id="rId1"/></sheets></workbook>
            """
    }
    static let workbookRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
        </Relationships>
        """
    /// Cell formats: 0 general, 1 text ("@", so Excel keeps an edited ID as text), 2 bold text (the header).
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """
}

public enum XLSXError: Error, CustomStringConvertible {
    case tooManyRows(path: String, rows: Int)
    case noArchive(path: String)

    public var description: String {
        switch self {
        case let .tooManyRows(path, rows):
            return "\(path): \(rows) rows do not fit in one Excel sheet (at most \(XLSXWriter.maxRows - 1)) (超过 Excel 行数上限); use --format csv or a smaller --top-k"
        case let .noArchive(path):
            return "\(path): the workbook could not be assembled (无法生成工作簿)"
        }
    }
}

extension CSVWriter {
    /// Writes the file staff open as `base.csv` or `base.xlsx`; returns the path written.
    @discardableResult
    public func write(staffFile base: String, format: StaffFileFormat, sheetName: String, ownerOnly: Bool = false) throws -> String {
        let path = base + "." + format.fileExtension
        switch format {
        case .csv: try write(to: path, ownerOnly: ownerOnly)
        case .xlsx: try XLSXWriter.write(self, to: path, sheetName: sheetName, ownerOnly: ownerOnly)
        }
        return path
    }
}
