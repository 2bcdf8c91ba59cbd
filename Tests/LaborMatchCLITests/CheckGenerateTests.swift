import Foundation
import Testing

@Suite struct CheckCommandTests {
    @Test func cleanFileExitsZero() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["check", "workers", CLI.sample + "/workers.csv", "--rejects", dir + "/r.csv"])
        #expect(r.status == 0)
        #expect(r.stdout == "read 2000, accepted 2000, rejected 0\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/r.csv"))
    }

    @Test func gb18030FileFromAnotherFolder() throws {
        let r = try CLI.run(["check", "posts", CLI.sample + "/posts_gb18030.csv"], cwd: "/")
        #expect(r.status == 0)
        #expect(r.stdout == "read 300, accepted 300, rejected 0\n")
    }

    @Test func rejectsExit65AndAreWritten() throws {
        let dir = CLI.tempDir()
        let rejects = dir + "/w.rejects.csv"
        let r = try CLI.run(["check", "workers", CLI.sample + "/workers_errors.csv", "--rejects", rejects, "--as-of", "2026-01-01"])
        #expect(r.status == 65)
        #expect(r.stdout == "read 9, accepted 3, rejected 6\n")
        #expect(r.stderr.contains("workers_errors.csv:3: 身份证号 id_number '110102********970X'"))
        #expect(r.stderr.contains("unknown column '备注'"))
        let text = try bomText(rejects)
        #expect(text.hasPrefix("行号,身份证号"))
        #expect(text.contains("11010219840506970X")) // the rejects file keeps values as read
        let attrs = try FileManager.default.attributesOfItem(atPath: rejects)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
    }

    @Test func postsDefaultRejectsPath() throws {
        let dir = CLI.tempDir()
        try FileManager.default.copyItem(atPath: CLI.sample + "/posts_errors.csv", toPath: dir + "/p.csv")
        let r = try CLI.run(["check", "posts", dir + "/p.csv", "--lang", "en"])
        #expect(r.status == 65)
        #expect(r.stdout == "read 5, accepted 2, rejected 3\n")
        let text = try bomText(dir + "/p.csv.rejects.csv")
        #expect(text.hasPrefix("line,岗位编号"))
    }

    @Test func unreadableFileExits66() throws {
        let r = try CLI.run(["check", "workers", "/nonexistent/workers.csv"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("/nonexistent/workers.csv: cannot read the file"))
    }

    @Test func missingColumnExits65() throws {
        let dir = CLI.tempDir()
        try "身份证号,姓名\n11010519491231002X,甲\n".write(toFile: dir + "/w.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "workers", dir + "/w.csv"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("required column 乡镇 township is missing"))
        // Every missing one at once, and the headers the file could have used.
        try "姓名\n甲\n".write(toFile: dir + "/w2.csv", atomically: true, encoding: .utf8)
        let two = try CLI.run(["check", "workers", dir + "/w2.csv"])
        #expect(two.status == 65)
        #expect(two.stderr.contains("required columns 身份证号 id_number, 乡镇 township are missing"))
        #expect(two.stderr.contains("Known headers") && two.stderr.contains("联系电话 phone (手机号, 手机号码, 手机, 电话, 联系方式"))
    }

    @Test func usageErrorExits64() throws {
        let r = try CLI.run(["check", "employers", "x.csv"])
        #expect(r.status == 64)
    }

    @Test func brokenTaxonomyIsNamed() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir + "/taxonomy", withIntermediateDirectories: true)
        let r = try CLI.run(["check", "workers", CLI.sample + "/workers.csv", "--data-dir", dir])
        #expect(r.status == 66)
        #expect(r.stderr.contains(dir + "/taxonomy/townships.csv: taxonomy file is missing"))
    }
}

@Suite struct GenerateCommandTests {
    @Test func deterministicAndValid() throws {
        let a = CLI.tempDir(), b = CLI.tempDir()
        #expect(try CLI.run(["generate", "--workers", "300", "--posts", "60", "--seed", "5", "--out", a]).status == 0)
        #expect(try CLI.run(["generate", "--workers", "300", "--posts", "60", "--seed", "5", "--out", b]).status == 0)
        for f in ["workers.csv", "posts.csv"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + f))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + f))
            #expect(x == y, "\(f) differs between runs")
        }
        let c = try CLI.run(["check", "workers", a + "/workers.csv"])
        #expect(c.status == 0 && c.stdout == "read 300, accepted 300, rejected 0\n")
        let p = try CLI.run(["check", "posts", a + "/posts.csv"])
        #expect(p.status == 0 && p.stdout == "read 60, accepted 60, rejected 0\n")
    }

    @Test func sampleIsTheDocumentedSeed() throws {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["generate", "--workers", "2000", "--posts", "300", "--seed", "2020", "--history", "--out", dir]).status == 0)
        for f in ["workers.csv", "posts.csv", "placements.csv", "contributions.csv"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))
            let y = try Data(contentsOf: URL(fileURLWithPath: CLI.sample + "/" + f))
            #expect(x == y, "Data/sample/\(f) is not what generate --seed 2020 writes")
        }
    }
}

/// The text of a UTF-8 file that must start with a BOM (Excel needs it); fails the test otherwise.
func bomText(_ path: String) throws -> String {
    let d = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(Array(d.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(path) has no UTF-8 BOM")
    return String(decoding: d.dropFirst(3), as: UTF8.self)
}

@Suite struct UnmaskTests {
    @Test func rejectedIDsAreShownInFullOnlyWithUnmask() throws {
        let dir = CLI.tempDir()
        let masked = try CLI.run(["check", "workers", CLI.sample + "/workers_errors.csv", "--rejects", dir + "/a.csv", "--as-of", "2026-01-01"])
        #expect(masked.stderr.contains("'110102********970X'") && !masked.stderr.contains("11010219840506970X"))
        let full = try CLI.run(["check", "workers", CLI.sample + "/workers_errors.csv", "--rejects", dir + "/b.csv", "--as-of", "2026-01-01", "--unmask"])
        #expect(full.stderr.contains("'11010219840506970X'"))
    }
}
