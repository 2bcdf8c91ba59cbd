import Foundation
import Testing
@testable import LaborModel
import MatchCore

/// An ID number born on `birth` (check character computed), for age tests.
func idNumber(born birth: String, seq: String = "123") -> String {
    let digits = "451031" + birth.replacingOccurrences(of: "-", with: "") + seq
    return digits + String(IDNumber.checkCharacter(for: digits))
}

@Suite struct AgeRuleTests {
    // On Fixtures.asOf (2026-01-01).
    static let age15 = idNumber(born: "2010-06-01"), age16 = idNumber(born: "2009-06-01")
    static let age17 = idNumber(born: "2008-06-01"), age18 = idNumber(born: "2007-06-01")
    static let age60 = idNumber(born: "1965-06-01"), age61 = idNumber(born: "1964-06-01")

    func workers(_ ids: [String]) throws -> IntakeResult<Worker> {
        let text = "身份证号,姓名,乡镇,求职意向\n" + ids.enumerated().map { "\($1),人\($0),新州镇,普工" }.joined(separator: "\n")
        let t = try CSVTable.parse(data: Fixtures.csv(text), file: "w.csv")
        return try WorkerIntake.validate(table: t, file: "w.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf)
    }

    @Test func underSixteenIsRejectedWithTheLawsReason() throws {
        let r = try workers([Self.age15, Self.age16])
        #expect(r.accepted.map(\.workerID) == [Self.age16])
        #expect(r.rejections.map(\.line) == [2])
        let message = r.rejectionMessages().joined()
        #expect(message.contains("未满16周岁") && message.contains("aged 15"))
        #expect(!message.contains(Self.age15)) // masked
    }

    static let postsCSV = """
        岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限,年龄下限,年龄上限
        NONE,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,,
        MIN16,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,16,
        MIN17,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,17,40
        MIN18,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,18,
        MAX45,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,,45
        MAX65,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,,65
        """

    /// Which posts each age may take: a post without a range means 18–60; 16–17 only where 年龄下限 ≤ 17.
    @Test func minorsOnlyOnPostsThatSetALowEnoughMinimumAndNoRangeMeans18To60() throws {
        let ws = try workers([Self.age16, Self.age17, Self.age18, Self.age60, Self.age61]).accepted
        #expect(ws.count == 5)
        let t = try CSVTable.parse(data: Fixtures.csv(Self.postsCSV), file: "p.csv")
        let ps = try PostIntake.validate(table: t, file: "p.csv", taxonomy: Fixtures.taxonomy).accepted
        let weights = try ScoringWeights.load(path: Fixtures.data + "/weights.csv")
        let rules = MatchRules(taxonomy: Fixtures.taxonomy, weights: weights, asOf: Fixtures.asOf)
        let reference = RuleBook(taxonomy: Fixtures.taxonomy, weights: weights, asOf: Fixtures.asOf)
        let want: [[String]] = [
            ["MIN16"],                                   // 16
            ["MIN16", "MIN17"],                          // 17
            ["NONE", "MIN16", "MIN17", "MIN18", "MAX45", "MAX65"], // 18
            ["NONE", "MIN16", "MIN18", "MAX65"],         // 60
            ["MAX65"],                                   // 61
        ]
        let got = Matcher(rules: rules).candidates(workers: ws, posts: ps, k: ps.count, threads: 2)
        for (i, w) in ws.enumerated() {
            let eligible = ps.filter { reference.quantized(w, $0) > 0 }.map(\.postID)
            #expect(eligible == want[i], "reference, worker \(i)")
            #expect(ps.filter { rules.violations(w, $0).isEmpty }.map(\.postID) == want[i], "rules, worker \(i)")
            #expect(Set(got.byWorker.candidates(of: i).map { ps[$0.id].postID }) == Set(want[i]), "GEMM, worker \(i)")
        }
    }
}

@Suite struct OneSidedAgeBoundTests {
    /// A post that sets only 年龄上限 below 18, or only 年龄下限 above 60, would take nobody: refused at intake.
    @Test func aLoneBoundCrossingTheOtherDefaultIsRejected() throws {
        let text = """
            岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限,年龄下限,年龄上限
            MAX17,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,,17
            MIN62,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,62,
            BOTH,甲厂,91350100M000100Y43,普工,罗湖区,1,5000,6000,16,17
            """
        let t = try CSVTable.parse(data: Fixtures.csv(text), file: "p.csv")
        let r = try PostIntake.validate(table: t, file: "p.csv", taxonomy: Fixtures.taxonomy)
        #expect(r.accepted.map(\.postID) == ["BOTH"])
        #expect(r.rejections.map(\.line) == [2, 3])
        #expect(r.rejectionMessages()[0].contains("give age_min too") && r.rejectionMessages()[1].contains("give age_max too"))
    }
}

@Suite struct ByteAccountingTests {
    static let header = "身份证号,姓名,乡镇"
    static let rows = ["360426199101010071,甲,新州镇", "11010219840406970X,乙,德峨镇", "440524198801010011,丙,沙梨乡",
                       "11010519891231108X,丁,者保乡", "44011319941005001X,戊,金钟山乡"]

    func read(_ data: Data, encoding: TextEncoding = .auto) throws -> IntakeResult<Worker> {
        let t = try CSVTable.parse(data: data, file: "w.csv", encoding: encoding)
        return try WorkerIntake.validate(table: t, file: "w.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf)
    }

    @Test func aNulByteRejectsTheRowNamingTheColumn() throws {
        var rows = Self.rows
        rows[1] = "11010219840406970X,黄\u{0}燕红,德峨镇"
        let r = try read(Fixtures.csv(([Self.header] + rows).joined(separator: "\n")))
        #expect(r.read == 5 && r.accepted.count == 4)
        let rej = try #require(r.rejections.first)
        #expect(rej.line == 3)
        #expect(rej.problems.map(\.column) == ["姓名 name"])
        #expect(rej.problems[0].reason.contains("0x00"))
        #expect(rej.problems[0].shownValue == "黄\\x00燕红")
        // The stored name of no one is cut at the NUL.
        #expect(!r.accepted.contains { $0.name == "黄" })
    }

    @Test func noMessageCarriesAControlCharacter() throws {
        let r = try read(Fixtures.csv(Self.header + "\n360426199101010071,甲,\u{1B}[31m新州\n"))
        let all = r.rejectionMessages().joined()
        #expect(!all.unicodeScalars.contains { $0.value < 0x20 })
        #expect(all.contains("\\x1B[31m新州"))
        #expect(r.rejections[0].problems.count == 2) // the control character and the unknown township
    }

    @Test func aUTF8FileWithABadByteAndLittleChineseStaysUTF8() throws {
        var data = Data("credit_code,备注\n91350100M000100Y43,甲\n".utf8)
        data.append(contentsOf: [0x39, 0x31, 0x2C, 0xFF, 0x0A])
        data.append(contentsOf: Array("91440300MA5DABCDE1,乙\n".utf8))
        let t = try CSVTable.parse(data: data, file: "x.csv")
        #expect(t.encoding == .utf8)
        #expect(t.records.map(\.problems.isEmpty) == [true, false, true])
        #expect(t.records[2].fields[1] == "乙")
    }

    @Test func theRejectsFileKeepsExtraCellsInColumnsOfTheirOwn() throws {
        let r = try read(Fixtures.csv(Self.header + "\n" + Self.rows[0] + ",多余,更多\n" + Self.rows[1] + "\n"))
        let back = try CSVTable.parse(data: r.rejectsCSV(english: false).data(), file: "r.csv")
        #expect(back.header == ["行号", "身份证号", "姓名", "乡镇", "原因", "多出的单元格 1", "多出的单元格 2"])
        #expect(back.records[0].fields[4].contains("多出的单元格") && back.records[0].fields[5...] == ["多余", "更多"])
    }

    @Test func otherControlCharactersToo() throws {
        let r = try read(Fixtures.csv(Self.header + "\n" + Self.rows[0] + "\u{1B}\n" + Self.rows[1] + "\n"))
        #expect(r.rejections.map(\.line) == [2] && r.rejections[0].problems[0].column == "乡镇 township")
        #expect(r.accepted.count == 1)
    }

    @Test func extraNonEmptyCellsRejectTheRowButEmptyOnesDoNot() throws {
        let text = [Self.header, Self.rows[0] + ",多余", Self.rows[1] + ",,", Self.rows[2] + ", ,x,y"].joined(separator: "\n")
        let r = try read(Fixtures.csv(text))
        #expect(r.accepted.map(\.name) == ["乙"])
        #expect(r.rejections.map(\.line) == [2, 4])
        #expect(r.rejections[0].problems[0].reason.contains("多出的单元格") && r.rejections[0].problems[0].reason.contains("extra cells"))
        #expect(r.rejections[1].problems[0].reason.contains("2 non-empty"))
        #expect(r.rejections[0].problems[0].shownValue == "多余")
    }

    /// One bad byte on line 3 of a 5-row UTF-8 file: 4 accepted, 1 rejected with its line, column, offset and encoding.
    @Test func aBadUTF8ByteRejectsOnlyItsRow() throws {
        var data = Fixtures.csv(Self.header + "\n" + Self.rows[0] + "\n")
        let badOffset = data.count + "11010219840406970X,".utf8.count
        data.append(contentsOf: Array("11010219840406970X,".utf8) + [0xFF] + Array("乙,德峨镇\n".utf8))
        data.append(contentsOf: Array(Self.rows[2...].joined(separator: "\n").utf8))
        let r = try read(data)
        #expect(r.encoding == .utf8)
        #expect(r.read == 5 && r.accepted.count == 4 && r.rejections.count == 1)
        let p = try #require(r.rejections.first)
        #expect(p.line == 3 && p.problems.count == 1)
        #expect(p.problems[0].column == "姓名 name")
        #expect(p.problems[0].reason.contains("byte offset \(badOffset)") && p.problems[0].reason.contains("utf-8"))
        #expect(p.problems[0].reason.contains("0xFF"))
        // Forcing UTF-8 says the same; nothing names GB18030.
        let forced = try read(data, encoding: .utf8)
        #expect(forced.rejections.map(\.line) == [3] && !forced.rejectionMessages().joined().contains("gb18030"))
    }

    @Test func aBadByteInAGB18030FileNamesGB18030() throws {
        var rows = Self.rows
        rows[3] = "11010519891231108X,丁丁,者保乡"
        var data = ([Self.header] + rows).joined(separator: "\n").data(using: TextEncoding.gb18030Foundation)!
        // Replace the second byte of 丁丁's first character by 0xFF (not a GB18030 trail byte).
        let line4 = ([Self.header] + rows.prefix(3)).joined(separator: "\n").data(using: TextEncoding.gb18030Foundation)!.count + 1
        let at = line4 + "11010519891231108X,".utf8.count
        data[at] = 0xFF
        let r = try read(data)
        #expect(r.encoding == .gb18030)
        #expect(r.accepted.map(\.name) == ["甲", "乙", "丙", "戊"])
        let p = try #require(r.rejections.first)
        #expect(p.line == 5 && p.problems[0].column == "姓名 name")
        #expect(p.problems[0].reason.contains("gb18030") && p.problems[0].reason.contains("byte offset \(at)"))
    }

    @Test func aHeaderThatCannotBeDecodedStopsTheFileWithItsOffset() {
        let data = Data([0x41, 0x2C, 0xFF, 0x0A, 0x31, 0x2C, 0x32])
        #expect(throws: CSVError.cannotDecode(file: "h.csv", encoding: .utf8, offset: 2)) {
            try CSVTable.parse(data: data, file: "h.csv", encoding: .utf8)
        }
    }

    /// Excel's "Unicode text": UTF-16 with a BOM, tab-separated.
    @Test(arguments: [true, false])
    func utf16WithABOMIsRead(littleEndian: Bool) throws {
        let text = ([Self.header] + Self.rows).joined(separator: "\r\n").replacingOccurrences(of: ",", with: "\t")
        var data = Data(littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF])
        for u in text.utf16 {
            data.append(contentsOf: littleEndian ? [UInt8(u & 0xFF), UInt8(u >> 8)] : [UInt8(u >> 8), UInt8(u & 0xFF)])
        }
        let r = try read(data)
        #expect(r.encoding == .utf16)
        #expect(r.rejections.isEmpty)
        #expect(r.accepted.map(\.name) == ["甲", "乙", "丙", "丁", "戊"])
        #expect(r.accepted[4].township == Fixtures.taxonomy.township("金钟山乡"))
        // A lone surrogate is a bad unit: its row is rejected, naming utf-16.
        var broken = data
        let nameAt = 2 + 2 * (Self.header.utf16.count + 2 + "360426199101010071\t".utf16.count)
        if littleEndian { broken[nameAt] = 0x00; broken[nameAt + 1] = 0xD8 } else { broken[nameAt] = 0xD8; broken[nameAt + 1] = 0x00 }
        let b = try read(broken)
        #expect(b.rejections.map(\.line) == [2])
        #expect(b.rejections.first?.problems[0].reason.contains("utf-16") == true)
        #expect(b.rejections.first?.problems[0].reason.contains("byte offset \(nameAt)") == true)
        #expect(b.accepted.count == 4)
    }
}

@Suite struct FormulaInjectionTests {
    @Test func formulaStartsGetAQuoteAndNumbersDoNot() throws {
        var w = CSVWriter(header: ["a", "b"])
        for v in ["=HYPERLINK(\"http://x\",\"点我\")", "+86 138", "-cmd", "@SUM(A1)", "\tx", "\rx"] { w.append([v, "-12.5"]) }
        w.append(["-7", "3.25"])
        w.append(["安全", "-"])
        let t = try CSVTable.parse(data: w.data(), file: "w.csv")
        #expect(t.records.map { $0.fields[0] } == ["'=HYPERLINK(\"http://x\",\"点我\")", "'+86 138", "'-cmd", "'@SUM(A1)", "'\tx", "'\rx", "-7", "安全"])
        #expect(t.records.map { $0.fields[1] } == Array(repeating: "-12.5", count: 6) + ["3.25", "'-"])
    }

    @Test func theRejectsFileIsNeutralisedToo() throws {
        let text = "身份证号,姓名,乡镇\n=1+1,=HYPERLINK(\"x\"),@新州镇\n"
        let t = try CSVTable.parse(data: Fixtures.csv(text), file: "w.csv")
        let r = try WorkerIntake.validate(table: t, file: "w.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf)
        let back = try CSVTable.parse(data: r.rejectsCSV(english: false).data(), file: "r.csv")
        #expect(back.records[0].fields.prefix(4) == ["2", "'=1+1", "'=HYPERLINK(\"x\")", "'@新州镇"])
    }
}

@Suite struct GeneratorValidityTests {
    /// Every generated worker, post, placement and contribution passes the intake, for seeds that once failed.
    @Test(arguments: [UInt64(11), 13, 2020])
    func everyGeneratedRowIsValid(seed: UInt64) throws {
        let asOf = CivilDate(year: 2026, month: 1, day: 15)!
        let files = Generator(workers: 50_000, posts: 50_000, seed: seed, asOf: asOf).generate(history: true)
        let tax = Fixtures.taxonomy
        let w = try WorkerIntake.validate(table: CSVTable.parse(data: files.workers.data(), file: "w.csv"), file: "w.csv", taxonomy: tax, asOf: asOf)
        #expect(w.accepted.count == 50_000, "\(w.rejectionMessages().prefix(3))")
        let p = try PostIntake.validate(table: CSVTable.parse(data: files.posts.data(), file: "p.csv"), file: "p.csv", taxonomy: tax)
        #expect(p.accepted.count == 50_000, "\(p.rejectionMessages().prefix(3))")
        let dir = Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try files.placements!.write(to: dir + "/pl.csv")
        try files.contributions!.write(to: dir + "/co.csv")
        let pl = try HistoryIntake.placements(path: dir + "/pl.csv", asOf: asOf)
        let co = try HistoryIntake.contributions(path: dir + "/co.csv", asOf: asOf)
        #expect(pl.rejections.isEmpty && pl.accepted.count > 25_000, "\(pl.rejectionMessages().prefix(3))")
        #expect(co.rejections.isEmpty && co.accepted.count > 25_000, "\(co.rejectionMessages().prefix(3))")
        let ids = Set(w.accepted.map(\.workerID)), posts = Set(p.accepted.map(\.postID))
        #expect(pl.accepted.allSatisfy { ids.contains($0.idNumber) && posts.contains($0.postID) })
    }
}
