import Foundation
import Testing
@testable import LaborModel

@Suite struct CSVTests {
    @Test func bomCRLFQuotedCommasQuotesAndLineBreaks() throws {
        let text = "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n2,\"two\r\nlines\",3\r\n\r\n"
        let t = try CSVTable.parse(data: Fixtures.csv(text, bom: true), file: "t.csv")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.records.count == 2)
        #expect(t.records[0] == CSVRecord(line: 2, fields: ["1", "x, y", "he said \"hi\""]))
        #expect(t.records[1] == CSVRecord(line: 3, fields: ["2", "two\r\nlines", "3"]))
        #expect(t.encoding == .utf8)
    }

    @Test func lineNumbersCountPhysicalLines() throws {
        let t = try CSVTable.parse(data: Fixtures.csv("h\n\"a\nb\nc\"\nz"), file: "t.csv")
        #expect(t.records.map(\.line) == [2, 5])
    }

    @Test func noTrailingNewlineAndLF() throws {
        let t = try CSVTable.parse(data: Fixtures.csv("h1,h2\nx,y"), file: "t.csv")
        #expect(t.records == [CSVRecord(line: 2, fields: ["x", "y"])])
    }

    @Test func unterminatedQuoteNamesTheLine() {
        #expect(throws: CSVError.unterminatedQuote(file: "t.csv", line: 3)) {
            try CSVTable.parse(data: Fixtures.csv("h\nok\n\"never closed\nmore"), file: "t.csv")
        }
    }

    @Test func emptyFile() {
        #expect(throws: CSVError.empty(file: "e.csv")) { try CSVTable.parse(data: Data(), file: "e.csv") }
    }

    @Test func gb18030IsDetectedAndForced() throws {
        let text = "姓名,乡镇\n罗国刚,金钟山乡\n"
        let gb = text.data(using: TextEncoding.gb18030Foundation)!
        let auto = try CSVTable.parse(data: gb, file: "g.csv")
        #expect(auto.encoding == .gb18030)
        #expect(auto.header == ["姓名", "乡镇"])
        #expect(auto.records[0].fields == ["罗国刚", "金钟山乡"])
        #expect(throws: CSVError.cannotDecode(file: "g.csv", encoding: .utf8, offset: 0)) {
            try CSVTable.parse(data: gb, file: "g.csv", encoding: .utf8)
        }
        let forced = try CSVTable.parse(data: gb, file: "g.csv", encoding: .gb18030)
        #expect(forced.records == auto.records)
    }

    @Test func gb18030SampleReadsToTheSameRecordsAsItsUTF8Twin() throws {
        let tax = Fixtures.taxonomy
        let u = try WorkerIntake.read(path: Fixtures.sample + "/workers.csv", taxonomy: tax, asOf: Fixtures.asOf)
        let g = try WorkerIntake.read(path: Fixtures.sample + "/workers_gb18030.csv", taxonomy: tax, asOf: Fixtures.asOf)
        #expect(u.encoding == .utf8 && g.encoding == .gb18030)
        #expect(u.accepted.count == 2000 && g.accepted.count == 2000)
        #expect(u.rejections.isEmpty && g.rejections.isEmpty)
        for (a, b) in zip(u.accepted, g.accepted) {
            #expect(a.workerID == b.workerID && a.name == b.name && a.intentions == b.intentions
                    && a.destinations == b.destinations && a.phone == b.phone && a.village == b.village)
        }
        let up = try PostIntake.read(path: Fixtures.sample + "/posts.csv", taxonomy: tax)
        let gp = try PostIntake.read(path: Fixtures.sample + "/posts_gb18030.csv", taxonomy: tax)
        #expect(up.accepted.map(\.employer) == gp.accepted.map(\.employer))
        #expect(up.accepted.count == 300)
    }

    /// The score text is built from digits; its oracle is Swift's own Double text (shortest round trip).
    @Test func scoreTextMatchesDoubleDescription() {
        func oracle(_ q: Int) -> String {
            let v = Double(q) / 1024
            return v == v.rounded() ? String(Int(v)) : String(v)
        }
        var mismatches: [Int] = []
        for q in Array(-5000...5000) + [1 << 19, (1 << 19) - 1, 123_457, -987_653, 1_048_575] where Matcher.display(Float(q)) != oracle(q) {
            mismatches.append(q)
        }
        #expect(mismatches.isEmpty, "first: \(mismatches.prefix(5).map { "\($0): \(Matcher.display(Float($0))) vs \(oracle($0))" })")
        #expect(Matcher.display(1536) == "1.5" && Matcher.display(-1) == "-0.0009765625" && Matcher.display(3072) == "3")
        var digits: [UInt8] = []
        for n in [0, 7, -42, Int.max, Int.min + 1] { CSVWriter.appendDecimal(n, to: &digits); digits.append(0x20) }
        #expect(String(decoding: digits, as: UTF8.self) == "0 7 -42 \(Int.max) \(Int.min + 1) ")
    }

    @Test func writerQuotesAndRoundTrips() throws {
        var w = CSVWriter(header: ["a", "b"])
        w.append(["x, y", "say \"hi\""])
        w.append(["two\nlines", " padded "])
        let t = try CSVTable.parse(data: w.data(), file: "w.csv")
        #expect(t.records.map(\.fields) == [["x, y", "say \"hi\""], ["two\nlines", " padded "]])
        #expect(Array(w.data().prefix(3)) == [0xEF, 0xBB, 0xBF])
    }

    @Test func normalisationFoldsFullWidthAndTrims() {
        #expect(Normalize.cell("  ４４０５２４１８８００１０１００１４ ") == "440524188001010014")
        #expect(Normalize.cell("\u{3000}罗国刚\u{3000}") == "罗国刚")
        #expect(Normalize.cell("Ｘ") == "X")
        #expect(Normalize.cell("木工、电工；司机") == "木工、电工;司机")
    }

    /// The characters the fast path leaves alone are their own NFKC form (Foundation's mapping is the oracle), and
    /// so is every taxonomy name.
    @Test func fastPathCharactersAreTheirOwnNFKC() {
        var scalars: [Unicode.Scalar] = [Unicode.Scalar(0x3001)!, Unicode.Scalar(0x3002)!, Unicode.Scalar(0xB7)!]
        for v in stride(from: 0x3400, through: 0x4DBF, by: 7) { scalars.append(Unicode.Scalar(v)!) }
        for v in stride(from: 0x4E00, through: 0x9FFF, by: 7) { scalars.append(Unicode.Scalar(v)!) }
        let changed = scalars.filter { String($0).precomposedStringWithCompatibilityMapping != String($0) }
        #expect(changed.isEmpty, "\(changed.prefix(5).map { String($0.value, radix: 16) })")
        let tax = Fixtures.taxonomy
        for name in tax.occupations.map(\.name) + tax.destinations.map(\.name) + tax.townships.map(\.name) {
            #expect(Normalize.cell(name) == name.precomposedStringWithCompatibilityMapping)
            #expect(Taxonomy.key(name) == name.precomposedStringWithCompatibilityMapping.lowercased())
        }
        for s in ["ABC", "Ｅｘｃｅｌ", "司机Driver", "ÄÖ", "普工"] {
            #expect(Taxonomy.key(s) == s.precomposedStringWithCompatibilityMapping.lowercased())
        }
    }
}
