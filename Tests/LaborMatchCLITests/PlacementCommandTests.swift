import Foundation
import Testing
import TestSupport

@Suite struct PlacementCommandTests {
    func match(_ extra: [String], out: String) throws -> CLI.Result {
        try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                     "--out", out, "--as-of", "2026-01-01", "--top-k", "10"] + extra)
    }

    func summary(_ out: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
    }

    @Test func matchWritesThePlacementFilesAndAssignAgrees() throws {
        let out = CLI.tempDir()
        let r = try match(["--verify"], out: out)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("optimality certificate: verified"))
        for f in ["assignments.csv", "summary.json", "graph.csv", "capacities.csv", "post_duals.csv", "destination_duals.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f)")
        }
        let s = try summary(out)
        for key in ["workers", "posts", "openings", "candidates", "placed", "placed_poor", "objective", "greedy_objective",
                    "solver", "seconds", "inputs", "version"] {
            #expect(s[key] != nil, "summary.json lacks \(key)")
        }
        let seconds = s["seconds"] as! [String: Double]
        #expect(seconds["read"] != nil && seconds["solve"] != nil && seconds["write"] != nil)
        #expect((s["greedy_objective"] as! Int) <= (s["objective"] as! Int))
        let assignments = try bomText(out + "/assignments.csv")
        #expect(assignments.hasPrefix("身份证号,姓名,岗位编号,企业名称,工作地点,匹配分,贫困户,推荐理由\r\n"))
        #expect(assignments.split(separator: "\r\n").count - 1 == s["placed"] as! Int)
        #expect(try bomText(out + "/graph.csv").split(separator: "\r\n")[1].hasPrefix("451031")) // unmasked audit copy
        // The audit graph solved again by `assign` gives the same optimum.
        let a = CLI.tempDir()
        let r2 = try CLI.run(["assign", "--edges", out + "/graph.csv", "--capacities", out + "/capacities.csv", "--out", a, "--verify"])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try summary(a)["objective"] as! Int == s["objective"] as! Int)
        let g = CLI.tempDir()
        #expect(try CLI.run(["assign", "--edges", out + "/graph.csv", "--capacities", out + "/capacities.csv", "--out", g, "--solver", "greedy"]).status == 0)
        #expect(try summary(g)["objective"] as! Int == s["greedy_objective"] as! Int)
    }

    @Test func poorShareTarget() throws {
        // Scarce places (one opening per post), so that the share is a real choice.
        let out = CLI.tempDir()
        var lines = try bomText(CLI.sample + "/posts.csv").components(separatedBy: "\r\n")
        for k in 1..<lines.count where !lines[k].isEmpty {
            var f = lines[k].components(separatedBy: ",")
            f[6] = "1"
            lines[k] = f.joined(separator: ",")
        }
        try lines.joined(separator: "\n").write(toFile: out + "/posts.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", out + "/posts.csv",
                             "--out", out, "--as-of", "2026-01-01", "--top-k", "10", "--poor-share", "0.35"])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try summary(out)
        #expect((s["poor_share"] as! Double) >= 0.35)
        #expect((s["poor_bonus"] as! Double) > 0)
        #expect(r.stdout.contains("poor-household bonus"))
    }

    @Test func infeasibleTownshipMinimumExits65() throws {
        let out = CLI.tempDir()
        let r = try match(["--township-min", "金钟山乡=5000"], out: out)
        #expect(r.status == 65)
        #expect(r.stderr.contains("--township-min 金钟山乡=5000 cannot be met"))
        #expect(r.stderr.contains("short by"))
    }

    @Test func quotasAreAppliedAndReported() throws {
        let out = CLI.tempDir()
        let r = try match(["--township-max", "新州镇=50", "--max-destination", "罗湖=100"], out: out)
        #expect(r.status == 0, "\(r.stderr)")
        let s = try summary(out)
        #expect((s["quotas"] as! [String: Int])["max_destination 罗湖区"] == 100)
        let rows = try bomText(out + "/assignments.csv").split(separator: "\r\n").dropFirst()
        #expect(rows.filter { $0.split(separator: ",")[4] == "罗湖区" }.count <= 100)
        let duals = try bomText(out + "/destination_duals.csv")
        #expect(duals.contains("罗湖区,") && duals.contains(",100,"))
    }

    @Test func badQuotasAreUsageErrors() throws {
        #expect(try match(["--township-min", "北京=3"], out: CLI.tempDir()).status == 64)
        #expect(try match(["--max-destination", "罗湖"], out: CLI.tempDir()).status == 64)
        #expect(try match(["--poor-share", "1.5"], out: CLI.tempDir()).status == 64)
    }

    @Test func crossingCapFamiliesExit64() throws {
        // Find an employer of the sample with posts in Longgang and elsewhere.
        let rows = try bomText(CLI.sample + "/posts.csv").split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let byCode = Dictionary(grouping: rows, by: { String($0[2]) })
        let code = byCode.first { _, ps in ps.contains { $0[5] == "龙岗区" } && ps.contains { $0[5] != "龙岗区" } }!.key
        let r = try match(["--max-destination", "龙岗区=10", "--max-employer", "\(code)=2"], out: CLI.tempDir())
        #expect(r.status == 64)
        #expect(r.stderr.contains("龙岗区") && r.stderr.contains(code))
    }

    @Test func assignRejectsBadRowsAndStrictStops() throws {
        let dir = CLI.tempDir()
        try "post_id,openings\nA,1\nB,x\nA,2\nC,2\n".write(toFile: dir + "/c.csv", atomically: true, encoding: .utf8)
        try "worker_id,post_id,weight\nw1,A,5\nw1,C,3\nw2,A,4\nw2,Z,9\nw3,C,-1\nw1,A,7\n".write(toFile: dir + "/g.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["assign", "--edges", dir + "/g.csv", "--capacities", dir + "/c.csv", "--out", dir + "/o", "--verify", "--lang", "en"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("capacities: read 4, accepted 2, rejected 2"))
        #expect(r.stdout.contains("edges: read 6, accepted 3, rejected 3"))
        #expect(r.stderr.contains("g.csv:5: 岗位编号 post_id 'Z'"))
        #expect(r.stderr.contains("duplicate edge, first seen on line 2"))
        let text = try bomText(dir + "/o/assignments.csv")
        // One more opening at A would let w1 move from C (3) to A (5): worth 2.
        #expect(text == "worker_id,post_id,weight,post_dual\r\nw1,C,3,0\r\nw2,A,4,2\r\n")
        let strict = try CLI.run(["assign", "--edges", dir + "/g.csv", "--capacities", dir + "/c.csv", "--out", dir + "/s", "--strict"])
        #expect(strict.status == 65)
        let missing = try CLI.run(["assign", "--edges", dir + "/nope.csv", "--capacities", dir + "/c.csv", "--out", dir + "/m"])
        #expect(missing.status == 66)
    }

    @Test func orlibBench() throws {
        let r = try CLI.run(["bench", "orlib", try #require(ORLibraryFiles.path("assign100"))])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("optimum 305\n"))
        #expect(r.stdout.contains("verified yes"))
    }
}

@Suite struct PoorShareUnreachableTests {
    @Test func unreachableTargetIsReportedNotFaked() throws {
        let out = CLI.tempDir()
        let r = try CLI.run(["match", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                             "--out", out, "--as-of", "2026-01-01", "--top-k", "10", "--poor-share", "0.9"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("cannot be reached"))
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        #expect((s["poor_share"] as! Double) < 0.9)
    }
}
