import Foundation
import Testing
import LaborModel
import TestSupport

/// Issue "safe files in and out", through the built binary as a user sees it.
@Suite struct SafeFilesCommandTests {
    static func id(born: String, seq: String = "123") -> String {
        let digits = "451031" + born.replacingOccurrences(of: "-", with: "") + seq
        return digits + String(IDNumber.checkCharacter(for: digits))
    }

    static let postsCSV = """
        岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限,年龄下限
        P1,"=HYPERLINK(""http://evil"",""点我"")",91350100M000100Y43,普工,罗湖区,5,5000,6000,
        P2,@深圳某厂,91350100M000100Y43,普工,宝安区,5,5000,6000,17

        """

    func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func aFifteenYearOldIsRejectedAndASeventeenYearOldOnlyGetsThePostThatTakesHim() throws {
        let dir = CLI.tempDir()
        let w15 = Self.id(born: "2010-06-01"), w17 = Self.id(born: "2008-06-01"), w30 = Self.id(born: "1995-06-01")
        try write("身份证号,姓名,乡镇,求职意向\n\(w15),少年甲,新州镇,普工\n\(w17),少年乙,新州镇,普工\n\(w30),成年丙,新州镇,普工\n", dir + "/w.csv")
        try write(Self.postsCSV, dir + "/p.csv")
        let check = try CLI.run(["check", "workers", dir + "/w.csv", "--as-of", "2026-01-01"])
        #expect(check.status == 65)
        #expect(check.stdout == "read 3, accepted 2, rejected 1\n")
        #expect(check.stderr.contains("w.csv:2: 身份证号 id_number '451031********") && check.stderr.contains("未满16周岁"))
        let r = try CLI.run(["match", "--workers", dir + "/w.csv", "--posts", dir + "/p.csv", "--out", dir + "/m", "--as-of", "2026-01-01", "--unmask"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try CSVTable.read(path: dir + "/m/candidates_by_worker.csv").records
        #expect(Set(rows.filter { $0.fields[0] == w17 }.map { $0.fields[3] }) == ["P2"])
        #expect(Set(rows.filter { $0.fields[0] == w30 }.map { $0.fields[3] }) == ["P1", "P2"])
        #expect(!rows.contains { $0.fields[0] == w15 })
    }

    @Test func aBadByteOnLineThreeOfFiveRejectsThatRowOnly() throws {
        let dir = CLI.tempDir()
        var data = Data("身份证号,姓名,乡镇\n360426199101010071,甲,新州镇\n11010219840406970X,".utf8)
        data.append(contentsOf: [0xFF, 0xFE])
        data.append(contentsOf: Array("乙,德峨镇\n440524198801010011,丙,沙梨乡\n11010519891231108X,丁,者保乡\n44011319941005001X,戊,金钟山乡\n".utf8))
        try data.write(to: URL(fileURLWithPath: dir + "/w.csv"))
        let r = try CLI.run(["check", "workers", dir + "/w.csv", "--as-of", "2026-01-01"])
        #expect(r.status == 65)
        #expect(r.stdout == "read 5, accepted 4, rejected 1\n")
        #expect(r.stderr.contains("w.csv:3: 姓名 name"))
        #expect(r.stderr.contains("utf-8") && r.stderr.contains("byte offset"))
        #expect(!r.stderr.contains("gb18030"))
    }

    @Test func aNulByteAndExtraCellsRejectTheirRowsNamingTheColumn() throws {
        let dir = CLI.tempDir()
        try write("身份证号,姓名,乡镇\n360426199101010071,黄\u{0}燕红,新州镇\n11010219840406970X,乙,德峨镇,多余\n440524198801010011,丙,沙梨乡\n", dir + "/w.csv")
        let r = try CLI.run(["check", "workers", dir + "/w.csv", "--as-of", "2026-01-01"])
        #expect(r.status == 65)
        #expect(r.stdout == "read 3, accepted 1, rejected 2\n")
        #expect(r.stderr.contains("w.csv:2: 姓名 name '黄\\x00燕红': 含控制字符 0x00"))
        #expect(r.stderr.contains("w.csv:3: 第 4 列起 / from column 4 '多余': 多出的单元格"))
        let rejects = try CSVTable.read(path: dir + "/w.csv.rejects.csv")
        #expect(rejects.records.map { $0.fields[0] } == ["2", "3"])
    }

    @Test func excelUnicodeTextIsRead() throws {
        let dir = CLI.tempDir()
        let text = "身份证号\t姓名\t乡镇\r\n360426199101010071\t甲\t新州镇\r\n11010219840406970X\t乙\t德峨镇\r\n"
        var data = Data([0xFF, 0xFE])
        for u in text.utf16 { data.append(contentsOf: [UInt8(u & 0xFF), UInt8(u >> 8)]) }
        try data.write(to: URL(fileURLWithPath: dir + "/w.txt"))
        let r = try CLI.run(["check", "workers", dir + "/w.txt", "--as-of", "2026-01-01"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "read 2, accepted 2, rejected 0\n")
    }

    /// Every file kind the product writes keeps a formula a formula no more.
    @Test func formulaCellsAreNeutralisedInEveryFileKind() throws {
        let dir = CLI.tempDir()
        let w = Self.id(born: "1990-03-03"), bad = "=1+2"
        try write("身份证号,姓名,乡镇,求职意向,联系电话\n\(w),=HYPERLINK(\"http://evil\"),新州镇,普工,13800000001\n\(bad),@坏行,新州镇,普工,\n", dir + "/w.csv")
        try write(Self.postsCSV, dir + "/p.csv")
        let m = try CLI.run(["match", "--workers", dir + "/w.csv", "--posts", dir + "/p.csv", "--out", dir + "/m", "--as-of", "2026-01-01"])
        #expect(m.status == 0, "\(m.stderr)")
        func cells(_ path: String) throws -> [String] { try CSVTable.read(path: path).records.flatMap(\.fields) }
        for f in ["candidates_by_worker.csv", "candidates_by_post.csv", "assignments.csv", "workers.rejects.csv"] {
            let all = try cells(dir + "/m/" + f)
            #expect(!all.isEmpty, "\(f)")
            #expect(!all.contains { $0.hasPrefix("=") || $0.hasPrefix("@") || $0.hasPrefix("+") }, "\(f): \(all.filter { $0.hasPrefix("=") || $0.hasPrefix("@") })")
            #expect(all.contains { $0.hasPrefix("'=") || $0.hasPrefix("'@") }, "\(f)")
        }
        // The rejects file keeps the value as read, behind the quote.
        #expect(try cells(dir + "/m/workers.rejects.csv").contains("'=1+2"))
        // The call list of a nightly run.
        let db = dir + "/r.sqlite"
        #expect(try CLI.run(["import", "workers", dir + "/w.csv", "--as-of", "2026-01-01", "--db", db]).status == 65)
        #expect(try CLI.run(["import", "posts", dir + "/p.csv", "--as-of", "2026-01-01", "--db", db]).status == 0)
        let n = try CLI.run(["nightly", "--as-of", "2026-01-02", "--out", dir + "/runs", "--db", db])
        #expect(n.status == 0, "\(n.stderr)")
        let calls = try cells(dir + "/runs/latest/calls.csv")
        #expect(calls.contains("'=HYPERLINK(\"http://evil\")") && !calls.contains { $0.hasPrefix("=") })
    }

    @Test func generatedCountyPassesCheck() throws {
        let dir = CLI.tempDir()
        let g = try CLI.run(["generate", "--workers", "50000", "--posts", "2000", "--seed", "13", "--history", "--as-of", "2026-01-15", "--out", dir])
        #expect(g.status == 0, "\(g.stderr)")
        for (kind, rows) in [("workers", 50_000), ("posts", 2_000)] {
            let r = try CLI.run(["check", kind, dir + "/\(kind).csv", "--as-of", "2026-01-15"])
            #expect(r.status == 0, "\(kind): \(r.stderr.prefix(300))")
            #expect(r.stdout == "read \(rows), accepted \(rows), rejected 0\n")
        }
    }

    @Test func optionsAreCheckedBeforeAnyFileIsRead() throws {
        let dir = CLI.tempDir()
        // The input files do not exist: a quota mistake must be found first (64, not 66).
        for (option, value, says) in [("--township-min", "金钟=10", "'金钟' is not a Longlin township"),
                                      ("--max-destination", "火星=5", "'火星' is not a destination"),
                                      ("--max-employer", "91350100M000100Y44=3", "is not a credit code"),
                                      ("--max-employer-destination", "91350100M000100Y43@月球=3", "'月球' is not a destination")] {
            let r = try CLI.run(["match", "--workers", dir + "/none.csv", "--posts", dir + "/none.csv", "--out", dir + "/o", option, value])
            #expect(r.status == 64, "\(option) \(value)")
            #expect(r.stderr.contains(says), "\(r.stderr)")
        }
        // 深圳 is accepted where files accept it: one cap over every Shenzhen district.
        let ok = try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir + "/sz",
                              "--as-of", "2026-01-01", "--max-destination", "深圳=10", "--top-k", "5"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let summary = try String(contentsOfFile: dir + "/sz/summary.json", encoding: .utf8)
        #expect(summary.contains("\"max_destination 深圳市\" : 10"))
        let placed = try CSVTable.read(path: dir + "/sz/assignments.csv").records
        let shenzhen = Set(["罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区", "盐田区", "大鹏新区"])
        #expect(placed.filter { shenzhen.contains($0.fields[4]) }.count <= 10)
        #expect(placed.count > 10)
    }

    @Test func anOutputPathThatIsAFileExits73() throws {
        let dir = CLI.tempDir()
        try write("x", dir + "/file")
        let m = try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir + "/file"])
        #expect(m.status == 73)
        #expect(m.stderr == "labormatch: error: \(dir)/file: the output path is a file, not a folder (输出路径是文件而不是文件夹); choose a folder with --out\n")
        let n = try CLI.run(["nightly", "--out", dir + "/file/runs", "--db", dir + "/r.sqlite"])
        #expect(n.status == 73 && n.stderr.contains("not a folder"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/r.sqlite"))
    }

    @Test func weightsBeyondTheSafeRangeExit65WithTheReason() throws {
        let dir = CLI.tempDir()
        try write("post_id,openings\nA,1\nB,1\n", dir + "/c.csv")
        try write("worker_id,post_id,weight\nw1,A,\((1 << 40) + 1)\nw2,B,5\n", dir + "/g.csv")
        // A weight past 2^40 is refused row by row (the run goes on with the others; --strict stops it).
        let r = try CLI.run(["assign", "--edges", dir + "/g.csv", "--capacities", dir + "/c.csv", "--out", dir + "/o"])
        #expect(r.status == 0 && r.stderr.contains("g.csv:2: 权重 weight '1099511627777': 权重应为 0–2^40 的整数"), "\(r.stderr)")
        #expect(r.stdout.contains("objective 5"))
        let strict = try CLI.run(["assign", "--edges", dir + "/g.csv", "--capacities", dir + "/c.csv", "--out", dir + "/s", "--strict"])
        #expect(strict.status == 65)
        // Past the scaled range (2^40 × (workers + 1) > 2^60 needs a million workers): refused with the reason, exit 65,
        // never a trap. 2^20 workers on one post each with weight 2^40.
        let many = 1 << 20
        var edges = "worker_id,post_id,weight\n"
        edges.reserveCapacity(many * 24)
        for i in 0..<many { edges += "w\(i),A,1099511627776\n" }
        try write(edges, dir + "/big.csv")
        let big = try CLI.run(["assign", "--edges", dir + "/big.csv", "--capacities", dir + "/c.csv", "--out", dir + "/b"])
        #expect(big.status == 65, "\(big.stderr.suffix(300))")
        #expect(big.stderr.contains("safe range") && big.stderr.contains("权重超出安全范围"))
    }

    @Test func unknownSubcommandsSuggestTheNearest() throws {
        let r = try CLI.run(["matc", "--workers", "w.csv"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown subcommand 'matc'") && r.stderr.contains("did you mean 'match'?"))
        let b = try CLI.run(["bench", "topq"])
        #expect(b.status == 64 && b.stderr.contains("did you mean 'topk'?"))
        #expect(try CLI.run(["help", "match"]).status == 0)
    }
}

/// `--format xlsx`: real workbooks, read back with openpyxl.
@Suite struct WorkbookCommandTests {
    @Test func matchWritesWorkbooksWithTextIDsAndNumericScores() throws {
        let dir = CLI.tempDir()
        try SafeFilesCommandTests.postsCSV.write(toFile: dir + "/p.csv", atomically: false, encoding: .utf8)
        let w = SafeFilesCommandTests.id(born: "1990-03-03")
        try "身份证号,姓名,乡镇,求职意向\n\(w),\"=HYPERLINK(\"\"http://evil\"\")\",新州镇,普工\n"
            .write(toFile: dir + "/w.csv", atomically: false, encoding: .utf8)
        let r = try CLI.run(["match", "--workers", dir + "/w.csv", "--posts", dir + "/p.csv", "--out", dir + "/m",
                             "--as-of", "2026-01-01", "--format", "xlsx", "--unmask"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("candidates_by_worker.xlsx") && r.stdout.contains("assignments.xlsx"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m/candidates_by_worker.csv"))
        let sheet = try SpreadsheetReader.read(dir + "/m/candidates_by_worker.xlsx")
        #expect(sheet.title == "推荐岗位")
        #expect(sheet.freeze == "A2")
        #expect(sheet.bold.allSatisfy { $0 } && sheet.bold.count == 8)
        #expect(sheet.rows[0].map(\.value) == ["身份证号", "姓名", "排名", "岗位编号", "企业名称", "工作地点", "匹配分", "推荐理由"])
        let first = sheet.rows[1]
        #expect(first[0] == SpreadsheetReader.Cell(value: w, type: "s", format: "@")) // 18 digits, text, every digit kept
        #expect(first[1].value == "=HYPERLINK(\"http://evil\")" && first[1].type == "s") // text, never a formula
        #expect(first[2].type == "n" && first[2].value == "1")
        #expect(first[3].type == "s")
        #expect(first[6].type == "n" && Double(first[6].value ?? "") != nil)
        #expect((sheet.widths["A"] ?? 0) >= 18 && (sheet.widths["H"] ?? 0) > (sheet.widths["C"] ?? 0))
        let a = try SpreadsheetReader.read(dir + "/m/assignments.xlsx")
        #expect(a.rows.count == 2 && a.rows[1][0].value == w && a.rows[1][5].type == "n")
        // The employer named like a formula stays text in the by-post list too.
        let p = try SpreadsheetReader.read(dir + "/m/candidates_by_post.xlsx")
        #expect(p.rows.dropFirst().allSatisfy { $0[0].type == "s" && $0[2].value == w })
    }

    @Test func nightlyWritesTheCallListAsAWorkbookWithPhonesAsText() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs", "--format", "xlsx", "--calls", "30"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let calls = try SpreadsheetReader.read(dir + "/runs/latest/calls.xlsx")
        #expect(calls.rows.count == 31)
        #expect(calls.rows[0].prefix(7).map(\.value) == ["人员编号", "身份证号", "姓名", "乡镇", "村", "联系电话", "原因"])
        for row in calls.rows.dropFirst() {
            #expect(row[1].type == "s" && row[1].value?.count == 18)
            if let phone = row[5].value { #expect(row[5].type == "s" && phone.count == 11) }
        }
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/runs/latest/calls.xlsx")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        for f in ["assignments.xlsx", "candidates_by_worker.xlsx", "candidates_by_post.xlsx"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/runs/latest/" + f), "\(f)")
        }
    }
}
