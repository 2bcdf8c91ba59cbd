import Foundation
import Testing
import LaborModel
import LaborPlan
import MatchCore
import TestSupport

/// The planner through the binary: every scenario equals `match --assign exact` with the same options.
@Suite(.serialized) struct PlanCommandTests {
    static let asOf = "2026-01-15"
    static let codeA = "91350100M000100Y43"

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    func match(_ dir: String, _ name: String, _ options: [String], workers: String = CLI.sample + "/workers.csv") throws -> Int64 {
        let r = try CLI.run(["match", "--workers", workers, "--posts", CLI.sample + "/posts.csv", "--out", dir + "/m-" + name,
                             "--as-of", Self.asOf, "--top-k", "10"] + options)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        return (try json(dir + "/m-" + name + "/summary.json")["objective"] as! NSNumber).int64Value
    }

    /// Rows of a plan CSV by the first column.
    func rows(_ path: String) throws -> [[String]] { try CSVTable.read(path: path).records.map(\.fields) }

    /// The README's worked example runs as written and prints the figures its table shows.
    @Test func theReadmeExampleGivesTheReadmeTable() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["plan", "--scenarios", "Data/plan-example.toml", "--workers", "Data/sample/workers.csv",
                             "--posts", "Data/sample/posts.csv", "--as-of", Self.asOf, "--out", dir + "/plan"], cwd: CLI.root)
        #expect(r.status == 0, "\(r.stderr)")
        let readme = try String(contentsOfFile: CLI.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.range(of: "writes `plan/scenarios.csv`")).upperBound
        // The first table after the sentence: header, separator, rows.
        let lines = readme[section...].split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "−", with: "-") }
        }
        let header = cells(try #require(lines.first))
        let csv = try CSVTable.read(path: dir + "/plan/scenarios.csv")
        let table = csv.records.map(\.fields)
        let columns = try header.map { name in try #require(csv.header.firstIndex(of: name), "column \(name)") }
        let want = lines.dropFirst(2).map(cells)
        #expect(want.count >= 4)
        for row in want {
            let got = try #require(table.first { $0[columns[0]] == row[0] }, "scenario \(row[0])")
            #expect(columns.map { got[$0] } == row, "README row \(row[0])")
        }
    }

    @Test func everyKindOfKeyEqualsMatchWithTheSameOptions() throws {
        let dir = CLI.tempDir()
        let posts = try CSVTable.read(path: CLI.sample + "/posts.csv").records.map(\.fields)
        let employer = posts[0][2], location = posts[0][5]
        try "credit_code\n\(employer)\n".write(toFile: dir + "/x.csv", atomically: false, encoding: .utf8)
        try """
            top_k = 10
            [transport]
            seats = 45
            departures = ["2027-02-17", "2027-02-19"]
            max_buses_per_departure = 30
            [sweep]
            poor_share = [0.2, 0.3]
            [[scenario]]
            name = "基线"
            [[scenario]]
            name = "加分"
            poor_bonus = 2
            [[scenario]]
            name = "比例"
            poor_share = 0.3
            [[scenario]]
            name = "乡镇"
            township_min = { "金钟山乡" = 60 }
            township_max = { "新州镇" = 100 }
            [[scenario]]
            name = "地点"
            max_destination = { "深圳" = 500, "东莞" = 40 }
            [[scenario]]
            name = "企业"
            max_employer = { "\(employer)" = 2 }
            max_employer_destination = { "\(employer)@\(location)" = 1 }
            [[scenario]]
            name = "维权"
            exclude_employers = ["\(employer)"]
            [[scenario]]
            name = "做不到"
            township_min = { "金钟山乡" = 100000 }
            """.write(toFile: dir + "/s.toml", atomically: false, encoding: .utf8)
        let r = try CLI.run(["plan", "--scenarios", dir + "/s.toml", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                             "--as-of", Self.asOf, "--out", dir + "/plan"])
        #expect(r.status == 0, "\(r.stderr)")
        let table = try rows(dir + "/plan/scenarios.csv")
        let objective = Dictionary(uniqueKeysWithValues: table.map { ($0[0], Int64($0[4])) })
        #expect(objective["基线"]! == (try match(dir, "base", [])))
        #expect(objective["加分"]! == (try match(dir, "bonus", ["--poor-bonus", "2"])))
        #expect(objective["比例"]! == (try match(dir, "share", ["--poor-share", "0.3"])))
        #expect(objective["乡镇"]! == (try match(dir, "town", ["--township-min", "金钟山乡=60", "--township-max", "新州镇=100"])))
        #expect(objective["地点"]! == (try match(dir, "dest", ["--max-destination", "深圳=500", "--max-destination", "东莞=40"])))
        #expect(objective["企业"]! == (try match(dir, "emp", ["--max-employer", "\(employer)=2", "--max-employer-destination", "\(employer)@\(location)=1"])))
        #expect(objective["维权"]! == (try match(dir, "excl", ["--exclude-employers", dir + "/x.csv"])))
        // The infeasible one is said in its row; the others ran.
        let bad = try #require(table.first { $0[0] == "做不到" })
        #expect(bad[12] == "否" && bad[13].contains("金钟山乡"))
        #expect(r.stdout.contains("做不到: infeasible"))
        // Every quota holds in the assignments themselves, and every certificate verified.
        let assign = { (name: String) throws -> [[String]] in try self.rows(dir + "/plan/scenarios/\(name)/assignments.csv") }
        let town = try assign("乡镇")
        let townOf = try self.townships(dir + "/m-town/assignments.csv")
        #expect(town.count == townOf.count)
        let dests = try assign("地点")
        let shenzhen = Set(["罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区", "盐田区", "大鹏新区"])
        #expect(dests.filter { shenzhen.contains($0[4]) }.count <= 500 && dests.filter { $0[4] == "东莞市" }.count <= 40)
        let emp = try assign("企业")
        #expect(emp.filter { $0[3] == posts[0][1] }.count <= 2)
        #expect(try assign("维权").allSatisfy { $0[3] != posts[0][1] })
        for name in ["基线", "加分", "比例", "乡镇", "地点", "企业", "维权"] {
            #expect(try json(dir + "/plan/scenarios/\(name)/summary.json")["verified"] as? Bool == true, "\(name)")
        }
        // By township: the quotas in the per-township counts too.
        let byTown = try rows(dir + "/plan/by_township.csv").filter { $0[0] == "乡镇" }
        #expect(Int(byTown.first { $0[1] == "金钟山乡" }![3])! >= 60 && Int(byTown.first { $0[1] == "新州镇" }![3])! <= 100)
        // Buses: every placed rider on exactly one bus or counted unscheduled; no bus over its seats; the fleet cap holds.
        let buses = try rows(dir + "/plan/buses.csv")
        for s in table where s[12] == "是" {
            let mine = buses.filter { $0[0] == s[0] }
            #expect(mine.reduce(0) { $0 + Int($1[5])! } + Int(s[11])! == Int(s[1])!, "\(s[0])")
            #expect(mine.allSatisfy { Int($0[5])! <= 45 && Int($0[5])! > 0 })
            for day in ["2027-02-17", "2027-02-19"] { #expect(mine.filter { $0[1] == day }.count <= 30) }
            #expect(Int(s[9])! == mine.count)
        }
        // The sweep: one row per target share.
        #expect(try rows(dir + "/plan/tradeoff.csv").map { $0[0] } == ["0.2000", "0.3000"])
        // Moves: only workers placed differently from the baseline.
        let moves = try rows(dir + "/plan/moves.csv")
        #expect(moves.allSatisfy { $0[3] != $0[4] } && Set(moves.map { $0[0] }).isSubset(of: Set(table.map { $0[0] })))
    }

    func townships(_ path: String) throws -> [String] { try rows(path).map { $0[1] } }

    /// Training: the same as `match` on a workers file in which exactly those workers hold the certificate.
    @Test func trainingEqualsMatchWithTheCertificateGiven() throws {
        let dir = CLI.tempDir()
        try """
            top_k = 10
            [[scenario]]
            name = "基线"
            [[scenario]]
            name = "电工"
            train = [{ certificate = "电工证", township = "新州镇", occupation = "电工", count = 15 }, { certificate = "叉车证", township = "德峨镇", occupation = "叉车工", count = 10 }]
            """.write(toFile: dir + "/t.toml", atomically: false, encoding: .utf8)
        let r = try CLI.run(["plan", "--scenarios", dir + "/t.toml", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                             "--as-of", Self.asOf, "--out", dir + "/plan"])
        #expect(r.status == 0, "\(r.stderr)")
        let row = try #require(try rows(dir + "/plan/scenarios.csv").first { $0[0] == "电工" })
        #expect(Int(row[8])! > 0)
        // The same choice of workers, written into a workers file, then matched.
        let tax = try Taxonomy.load(directory: CLI.root + "/Data/taxonomy")
        let asOf = CivilDate(iso: Self.asOf)!
        let workers = try WorkerIntake.read(path: CLI.sample + "/workers.csv", taxonomy: tax, asOf: asOf).accepted.sorted { $0.workerID < $1.workerID }
        let file = try ScenarioFile.read(path: dir + "/t.toml", taxonomy: tax)
        let (trained, changed) = Planner.train(workers, file.scenarios[1].train, taxonomy: tax)
        #expect(changed.count == Int(row[8])!)
        let chosen = Dictionary(uniqueKeysWithValues: changed.map { (trained[$0].workerID, trained[$0].certificates.map { tax.certificates[$0].name }) })
        let table = try CSVTable.read(path: CLI.sample + "/workers.csv")
        let idCol = table.header.firstIndex(of: "身份证号")!, certCol = table.header.firstIndex(of: "证书")!
        var lines = [table.header.joined(separator: ",")]
        for rec in table.records {
            var f = rec.fields
            if let certs = chosen[f[idCol]] { f[certCol] = certs.joined(separator: "、") }
            lines.append(f.map { CSVWriter.quoted($0) }.joined(separator: ","))
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/trained.csv", atomically: false, encoding: .utf8)
        #expect(Int64(row[4])! == (try match(dir, "trained", [], workers: dir + "/trained.csv")))
    }

    @Test func mistakesInTheFileNameTheirLineAndExit64() throws {
        let dir = CLI.tempDir()
        for (text, line, says) in [
            ("[[scenario]]\nname = \"a\"\nspeed = 3\n", 3, "unknown key 'speed'"),
            ("[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"b\"\ntownship_min = { \"金钟\" = 10 }\n", 5, "'金钟' is not a Longlin township"),
            ("[[scenario]]\nname = \"a\"\nexclude_employers = [\"BAD\"]\n", 3, "not a credit code"),
            ("[[scenario]]\nname = \"a\"\ntrain = [{ certificate = \"飞行证\", township = \"德峨镇\", occupation = \"电工\", count = 3 }]\n", 3, "not a certificate"),
            ("[[scenario]\nname = \"a\"\n", 1, "not valid TOML"),
            ("[[scenario]]\nname = \"a/b\"\n[[scenario]]\nname = \"a_b\"\n", 4, "would share the folder scenarios/a_b"),
        ] {
            try text.write(toFile: dir + "/bad.toml", atomically: false, encoding: .utf8)
            let r = try CLI.run(["plan", "--scenarios", dir + "/bad.toml", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv",
                                 "--out", dir + "/o"])
            #expect(r.status == 64, "\(says): \(r.stderr)")
            #expect(r.stderr.contains("bad.toml:\(line)") && r.stderr.contains(says), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/o/scenarios.csv"))
        }
    }

    @Test func theExampleFileRunsFromTheRegistryToo() throws {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs"], cwd: dir).status == 0)
        let r = try CLI.run(["plan", "--scenarios", CLI.root + "/Data/plan-example.toml", "--db", "labormatch.sqlite", "--as-of", "2026-01-15",
                             "--out", "plan"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("free workers against"))
        let table = try rows(dir + "/plan/scenarios.csv")
        #expect(table.map { $0[0] } == ["基线", "深圳限1200", "深圳限1200+贫困户35%", "乡镇配额", "新州镇电工培训"])
        // Moves carry the registry's person number.
        let moves = try CSVTable.read(path: dir + "/plan/moves.csv")
        #expect(moves.header.prefix(3) == ["情景", "人员编号", "身份证号"])
    }
}

/// Shadow prices: one more opening at a destination raises the optimum by the reported price.
@Suite struct ShadowPriceTests {
    @Test func oneMoreOpeningRaisesTheOptimumByThePrice() throws {
        let tax = try Taxonomy.load(directory: CLI.root + "/Data/taxonomy")
        let weights = try ScoringWeights.load(path: CLI.root + "/Data/weights.csv")
        let asOf = CivilDate(year: 2026, month: 1, day: 15)!
        let workers = Array(try WorkerIntake.read(path: CLI.sample + "/workers.csv", taxonomy: tax, asOf: asOf).accepted.prefix(600))
        let posts = Array(try PostIntake.read(path: CLI.sample + "/posts.csv", taxonomy: tax).accepted.prefix(60))
        let rules = MatchRules(taxonomy: tax, weights: weights, asOf: asOf)
        let result = Matcher(rules: rules).candidates(workers: workers, posts: posts, k: 10)
        let capacity = posts.map { max(1, $0.openings / 4) }
        let graph = try Placement.graph(result, workers: workers.count, capacities: capacity)
        var o = Placement.Options()
        o.verify = true
        let base = try PlacementReport.solve(graph, rules: rules, workers: workers, posts: posts, quotas: Quotas(), options: o)
        let prices = try #require(base.outcome.assignment.postPrice)
        var checked = 0
        for d in base.destinations() {
            guard let dual = d.dual else { continue }
            let best = posts.indices.filter { posts[$0].location == d.destination }.max { prices[$0] < prices[$1] }!
            var more = capacity
            more[best] += 1
            let g2 = try Placement.graph(result, workers: workers.count, capacities: more)
            let again = try PlacementReport.solve(g2, rules: rules, workers: workers, posts: posts, quotas: Quotas(), options: o)
            #expect(again.outcome.assignment.objective - base.outcome.assignment.objective == dual, "\(tax.destinations[d.destination].name)")
            checked += 1
        }
        #expect(checked >= 5)
    }
}
