import Foundation
import Testing
import LaborModel
import MatchCore

@Suite struct MatchCommandTests {
    func match(_ extra: [String], out: String) throws -> CLI.Result {
        try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                     "--out", out, "--as-of", "2026-01-01"] + extra)
    }

    @Test func writesBothListsMaskedWithChineseHeaders() throws {
        let out = CLI.tempDir()
        let r = try match([], out: out)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("workers: read 2000, accepted 2000, rejected 0"))
        let byWorker = try bomText(out + "/candidates_by_worker.csv")
        #expect(byWorker.hasPrefix("身份证号,姓名,排名,岗位编号,企业名称,工作地点,匹配分,推荐理由\r\n"))
        let firstRow = byWorker.split(separator: "\r\n")[1]
        #expect(firstRow.hasPrefix("451031********"))
        let byPost = try bomText(out + "/candidates_by_post.csv")
        #expect(byPost.hasPrefix("岗位编号,排名,身份证号,姓名,乡镇,匹配分,推荐理由\r\n"))
        // 2000 workers × up to 20 posts; every worker appears.
        let rows = byWorker.split(separator: "\r\n").dropFirst()
        #expect(Set(rows.map { $0.split(separator: ",")[0] + "," + $0.split(separator: ",")[1] }).count >= 1990)
    }

    /// unmet.csv lists exactly the workers whose candidate list is empty, with the same reason; by_township.csv
    /// and by_occupation.csv add up to the run's totals.
    @Test func unmetAndBreakdownsAgreeWithTheLists() throws {
        let out = CLI.tempDir()
        // On 2026-01-15 one sample worker is past every post's age limit.
        #expect(try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                             "--out", out, "--as-of", "2026-01-15", "--unmask"]).status == 0)
        let byWorker = try CSVTable.read(path: out + "/candidates_by_worker.csv")
        let noRank = byWorker.records.filter { $0.fields[2].isEmpty }.map { [$0.fields[0], $0.fields[1], $0.fields[7]] }
        let unmet = try CSVTable.read(path: out + "/unmet.csv")
        #expect(unmet.header == ["身份证号", "姓名", "乡镇", "贫困户", "推荐理由"])
        #expect(unmet.records.map { [$0.fields[0], $0.fields[1], $0.fields[4]] } == noRank && !noRank.isEmpty)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        let towns = try CSVTable.read(path: out + "/by_township.csv")
        #expect(towns.records.count == 16)
        func sum(_ t: CSVTable, _ c: Int) -> Int { t.records.reduce(0) { $0 + Int($1.fields[c])! } }
        #expect(sum(towns, 1) == summary["workers"] as! Int && sum(towns, 3) == summary["placed"] as! Int && sum(towns, 4) == summary["placed_poor"] as! Int)
        let occ = try CSVTable.read(path: out + "/by_occupation.csv")
        #expect(sum(occ, 3) == summary["openings"] as! Int && sum(occ, 4) == summary["placed"] as! Int && sum(occ, 1) <= 2000)
    }

    @Test func threadsDoNotChangeAByte() throws {
        let a = CLI.tempDir(), b = CLI.tempDir()
        #expect(try match(["--threads", "1", "--unmask", "--lang", "en"], out: a).status == 0)
        #expect(try match(["--threads", "2", "--unmask", "--lang", "en"], out: b).status == 0)
        for f in ["candidates_by_worker.csv", "candidates_by_post.csv"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + f))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + f))
            #expect(x == y, "\(f) differs between --threads 1 and 2")
        }
        let text = try bomText(a + "/candidates_by_worker.csv")
        #expect(text.hasPrefix("worker_id,name,rank,post_id,employer,location,score,reasons\r\n"))
        #expect(text.split(separator: "\r\n")[1].hasPrefix("451031") && !text.split(separator: "\r\n")[1].contains("****"))
        // Every listed pair's score and reasons are exactly what the rules give for that worker and post.
        let asOf = CivilDate(year: 2026, month: 1, day: 1)!
        let tax = try Taxonomy.load(directory: CLI.root + "/Data/taxonomy")
        let rules = MatchRules(taxonomy: tax, weights: try ScoringWeights.load(path: CLI.root + "/Data/weights.csv"), asOf: asOf)
        let workers = Dictionary(uniqueKeysWithValues: try WorkerIntake.read(path: CLI.sample + "/workers.csv", taxonomy: tax, asOf: asOf)
            .accepted.map { ($0.workerID, $0) })
        let posts = Dictionary(uniqueKeysWithValues: try PostIntake.read(path: CLI.sample + "/posts.csv", taxonomy: tax).accepted.map { ($0.postID, $0) })
        let table = try CSVTable.read(path: a + "/candidates_by_worker.csv")
        var checked = 0
        for rec in table.records.prefix(3000) where !rec.fields[3].isEmpty {
            let w = try #require(workers[rec.fields[0]]), p = try #require(posts[rec.fields[3]])
            #expect(rec.fields[7] == rules.reasons(w, p), "line \(rec.line)")
            #expect(Double(rec.fields[6]) == rules.score(w, p), "line \(rec.line)")
            checked += 1
        }
        #expect(checked > 2500)
    }

    @Test func rejectedRowsAreReportedAndTheRunGoesOn() throws {
        let out = CLI.tempDir()
        let r = try CLI.run(["match", "--workers", CLI.sample + "/workers_errors.csv", "--posts", CLI.sample + "/posts_errors.csv",
                             "--out", out, "--as-of", "2026-01-01"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("workers: read 9, accepted 3, rejected 6"))
        #expect(r.stdout.contains("posts: read 5, accepted 2, rejected 3"))
        #expect(FileManager.default.fileExists(atPath: out + "/workers.rejects.csv"))
        #expect(FileManager.default.fileExists(atPath: out + "/posts.rejects.csv"))
        // 罗国刚 (born 1949) is 76: both valid posts set an age limit, and P4 also needs a 健康证.
        let text = try bomText(out + "/candidates_by_worker.csv")
        #expect(text.contains("110105********002X,罗国刚,,,,,,无符合条件的岗位: 年龄 76 超出岗位年龄限制 (2 个岗位); 缺少 健康证 (1 个岗位)\r\n"))
    }

    @Test func strictStopsOnAnyReject() throws {
        let out = CLI.tempDir()
        let r = try CLI.run(["match", "--workers", CLI.sample + "/workers_errors.csv", "--posts", CLI.sample + "/posts.csv",
                             "--out", out, "--strict"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("--strict"))
        #expect(!FileManager.default.fileExists(atPath: out + "/candidates_by_worker.csv"))
    }

    @Test func excludedEmployersAreNeverListedAndBadLinesReported() throws {
        let out = CLI.tempDir()
        // Exclude the employer of the first post of the sample, plus one malformed code.
        let posts = try bomText(CLI.sample + "/posts.csv").split(separator: "\r\n")
        let code = String(posts[1].split(separator: ",")[2])
        try "credit_code\n\(code)\nNOT-A-CODE\n".write(toFile: out + "/x.csv", atomically: true, encoding: .utf8)
        let r = try match(["--exclude-employers", out + "/x.csv"], out: out)
        #expect(r.status == 0)
        #expect(r.stdout.contains("excluded employers: read 2, accepted 1, rejected 1"))
        #expect(r.stderr.contains("x.csv:3: 统一社会信用代码 credit_code 'NOT-A-CODE'"))
        let employer = String(posts[1].split(separator: ",")[1])
        #expect(!(try bomText(out + "/candidates_by_worker.csv")).contains(employer))
        let strict = try match(["--exclude-employers", out + "/x.csv", "--strict"], out: CLI.tempDir())
        #expect(strict.status == 65)
    }

    @Test func workerWithNoEligiblePostIsListedOnceWithWhy() throws {
        let out = CLI.tempDir()
        try "身份证号,姓名,乡镇,求职意向\n11010519891231108X,老司机,新州镇,司机\n".write(toFile: out + "/w.csv", atomically: true, encoding: .utf8)
        try """
            岗位编号,企业名称,统一社会信用代码,工种,工作地点,招聘人数,月薪下限,月薪上限,所需证书
            P9,深圳市某物流有限公司,91350100M000100Y43,司机,宝安区,2,6500,8000,B2驾驶证

            """.write(toFile: out + "/p.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["match", "--workers", out + "/w.csv", "--posts", out + "/p.csv", "--out", out, "--as-of", "2026-01-01"])
        #expect(r.status == 0)
        let text = try bomText(out + "/candidates_by_worker.csv")
        #expect(text.contains("110105********108X,老司机,,,,,,无符合条件的岗位: 缺少 B2驾驶证 (1 个岗位)\r\n"))
        #expect(r.stdout.contains("1 workers have no eligible post"))
    }
}

@Suite struct DeterminismByIdentityTests {
    /// The sample's rows shuffled (and the columns too): every output file is byte-identical.
    @Test func shuffledRowsGiveTheSameOutputs() throws {
        let dir = CLI.tempDir()
        var g = SplitMix64(seed: 20_261_206)   // seeded: a failure can be replayed
        for name in ["workers", "posts"] {
            var lines = try String(contentsOfFile: CLI.sample + "/\(name).csv", encoding: .utf8)
                .split(whereSeparator: \.isNewline).map(String.init)   // the sample's CRLF is one Character
            let header = lines.removeFirst()
            let before = lines
            lines.shuffle(using: &g)
            #expect(lines.count > 100 && lines != before, "\(name) was not shuffled")
            try ([header] + lines).joined(separator: "\n").write(toFile: dir + "/\(name).csv", atomically: false, encoding: .utf8)
        }
        for (out, source) in [("a", CLI.sample), ("b", dir)] {
            let r = try CLI.run(["match", "--workers", source + "/workers.csv", "--posts", source + "/posts.csv", "--out", dir + "/" + out,
                                 "--as-of", "2026-01-01", "--top-k", "10", "--unmask"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for f in ["candidates_by_worker.csv", "candidates_by_post.csv", "assignments.csv", "graph.csv", "post_duals.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a/" + f)), b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b/" + f))
            #expect(a == b, "\(f) differs when the input rows are shuffled")
        }
    }
}
