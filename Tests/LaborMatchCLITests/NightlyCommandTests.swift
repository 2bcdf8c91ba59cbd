import Foundation
import Testing
import LaborModel
import GRDB

/// The nightly service through the built binary: bootstrap, changes, crash safety, the lock, masking.
@Suite(.serialized) struct NightlyCommandTests {
    /// A folder with a registry bootstrapped from the sample and one nightly run done.
    func bootstrapped(asOf: String = "2026-01-15") throws -> String {
        let dir = CLI.tempDir()
        let r = try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", asOf, "--out", "runs"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return dir
    }

    func latest(_ dir: String) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/runs/latest")
    }

    func runCount(_ dir: String) throws -> Int {
        let r = try CLI.run(["stats"], cwd: dir)
        guard let line = r.stdout.split(separator: "\n").first, let range = line.range(of: "runs ") else { return -1 }
        return Int(line[range.upperBound...]) ?? -1
    }

    @Test func bootstrapRunAndSecondRunReportsChanges() throws {
        let dir = try bootstrapped()
        let first = try latest(dir)
        for f in ["assignments.csv", "candidates_by_worker.csv", "candidates_by_post.csv", "summary.json", "calls.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/runs/" + first + "/" + f), "\(f)")
        }
        let calls = try bomText(dir + "/runs/latest/calls.csv").split(separator: "\r\n")
        #expect(calls[0] == "人员编号,身份证号,姓名,乡镇,村,联系电话,原因,岗位编号,企业名称,工种,工作地点,月薪,包吃住")
        #expect(calls.count == 201)
        let top = try CSVTable.read(path: dir + "/runs/latest/calls.csv").records[0].fields
        #expect(top[6].hasSuffix("(贫困户)") && top[6].contains("失岗") && top[1].hasPrefix("451031") && top[0].hasPrefix("LL-"))
        #expect(!calls[1].contains("****"))
        // One person, one number: masked files lead with 人员编号, unique where masked IDs collide.
        let proposals = try CSVTable.read(path: dir + "/runs/latest/assignments.csv")
        #expect(proposals.header.prefix(2) == ["人员编号", "身份证号"])
        #expect(Set(proposals.records.map { $0.fields[0] }).count == proposals.records.count)
        #expect(proposals.records.allSatisfy { $0.fields[0].hasPrefix("LL-") && $0.fields[1].contains("********") })
        // Every proposal row names the post to tell about; every row carries the village.
        let rows = try CSVTable.read(path: dir + "/runs/latest/calls.csv").records.map(\.fields)
        for r in rows where r[6].hasPrefix("新推荐岗位") {
            #expect(!r[7].isEmpty && !r[8].isEmpty && !r[9].isEmpty && !r[10].isEmpty && !r[11].isEmpty && ["是", "否"].contains(r[12]))
        }
        #expect(rows.filter { !$0[4].isEmpty }.count > rows.count / 2)
        // Everyone who should be called is in calls.csv, backlog.csv or visits.csv; every proposal among them.
        let backlog = try CSVTable.read(path: dir + "/runs/latest/backlog.csv").records.map(\.fields)
        let visits = try CSVTable.read(path: dir + "/runs/latest/visits.csv").records.map(\.fields)
        // By person number: every proposal's worker is in one of the three lists.
        let reached = Set(rows.map { $0[0] } + backlog.map { $0[0] } + visits.map { $0[0] })
        let proposedNumbers = Set(try CSVTable.read(path: dir + "/runs/latest/assignments.csv").records.map { $0.fields[0] })
        #expect(!proposedNumbers.isEmpty && proposedNumbers.isSubset(of: reached), "\(proposedNumbers.subtracting(reached).prefix(5))")
        #expect(visits.allSatisfy { $0[5].isEmpty || $0[6].contains("联系不上") })
        for f in ["labormatch.sqlite", "runs/latest/calls.csv"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(f) must be owner-only")
        }
        let second = try CLI.run(["nightly", "--as-of", "2026-01-16", "--out", "runs", "--calls", "50"], cwd: dir)
        #expect(second.status == 0)
        #expect(second.stdout.contains("since the previous run: 0 new, 0 changed,"))
        // summary.json says what changed: nothing among the proposals, every one kept.
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/runs/latest/summary.json"))) as! [String: Any]
        let changes = try #require(summary["changes"] as? [String: Int])
        #expect(changes["new"] == 0 && changes["changed"] == 0 && changes["withdrawn"] == 0)
        #expect((changes["kept"] ?? 0) > 500 && changes["kept"] == (summary["counts"] as? [String: Int])?["proposals"])
        #expect(Set(changes.keys) == ["new", "changed", "kept", "withdrawn", "confirmed", "job_changes", "suspected_losses"])
        #expect(second.stdout.contains("calls for today: 50"))
        #expect(try latest(dir) != first)
        #expect(try runCount(dir) == 2)
    }

    @Test(arguments: ["before-outputs", "after-outputs", "after-publish", "after-commit"])
    func killedAtAnyPointLeavesTheLastGoodRun(point: String) throws {
        // Bootstrapped in December, so that the night reconciles a new month (its writes begin during the plan,
        // on a second connection, and must vanish with the run).
        let dir = try bootstrapped(asOf: "2025-12-15")
        let state = try registryState(dir)
        let good = try latest(dir)
        let goodCalls = try Data(contentsOf: URL(fileURLWithPath: dir + "/runs/latest/calls.csv"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["nightly", "--as-of", "2026-01-16", "--out", "runs"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["LABORMATCH_TEST_PAUSE"] = point
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let marker = dir + "/runs/.paused-" + point
        var waited = 0
        while !FileManager.default.fileExists(atPath: marker) && waited < 600 {
            usleep(100_000)
            waited += 1
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the run never reached \(point)")
        // While it is paused, a second nightly exits 75 at once.
        let busy = try CLI.run(["nightly", "--as-of", "2026-01-16", "--out", "runs"], cwd: dir)
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("in use by another labormatch command"))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // The previous outputs and latest are intact.
        #expect(try latest(dir) == good)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/runs/latest/calls.csv")) == goodCalls)
        // The database is consistent: one run before the commit point, two after.
        #expect(try runCount(dir) == (point == "after-commit" ? 2 : 1))
        // Nothing of the reconciliation either, unless committed.
        #expect((try registryState(dir) == state) == (point != "after-commit"))
        // Killed after its folder was published but before its commit: the folder is an orphan.
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/runs"))
        let orphans = before.subtracting([URL(fileURLWithPath: good).lastPathComponent]).filter { !$0.hasSuffix(".partial") }
        #expect(orphans.count == (point == "after-publish" || point == "after-commit" ? 1 : 0))
        // And the next run succeeds, cleaning what the killed one left.
        let next = try CLI.run(["nightly", "--as-of", "2026-01-17", "--out", "runs"], cwd: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try latest(dir) != good)
        let runs = Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/runs"))
        #expect(!runs.contains { $0.hasSuffix(".partial") })
        // The orphan of a run the database never recorded is removed; a committed one is kept.
        if point == "after-publish" { #expect(runs.isDisjoint(with: orphans)) }
        if point == "after-commit" {
            #expect(orphans.isSubset(of: runs))
            // Committed but never published: the next run publishes it first, so that day's calls are not lost.
            #expect(next.stdout.contains("published run \(orphans.first!)"), "\(next.stdout)")
        }
    }

    @Test func keepRemovesOldRuns() throws {
        let dir = try bootstrapped()
        for day in 16...18 {
            #expect(try CLI.run(["nightly", "--as-of", "2026-01-\(day)", "--out", "runs", "--keep", "2"], cwd: dir).status == 0)
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/runs")
        #expect(runs.count == 2)
    }

    @Test func showMasksUnlessAsked() throws {
        let dir = try bootstrapped()
        let calls = try CSVTable.read(path: dir + "/runs/latest/calls.csv").records.map(\.fields)
        let row = try #require(calls.first { $0[6] == "疑似失岗 (贫困户)" })
        let id = row[1]
        let masked = try CLI.run(["show", "worker", id], cwd: dir)
        #expect(masked.status == 0)
        #expect(!masked.stdout.contains(id) && masked.stdout.contains(String(id.prefix(6)) + "********" + String(id.suffix(4))))
        #expect(masked.stdout.contains("疑似失岗"))
        #expect(masked.stdout.contains("****"))
        let full = try CLI.run(["show", "worker", id, "--unmask"], cwd: dir)
        #expect(full.stdout.contains(id))
        let json = try CLI.run(["show", "worker", id, "--json"], cwd: dir)
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((obj["idNumber"] as! String).contains("********"))
        #expect(try CLI.run(["show", "worker", "11010519491231002X"], cwd: dir).status == 65)
        // A call recorded for this worker shows up, and a lost job closes the placement.
        #expect(try CLI.run(["contact", id, "--outcome", "失业", "--date", "2026-01-16"], cwd: dir).status == 0)
        let after = try CLI.run(["show", "worker", id], cwd: dir)
        #expect(after.stdout.contains("2026-01-16  失业") && after.stdout.contains("job loss (call)"))
    }

    @Test func importCommandReportsRejectsAndIsIdempotent() throws {
        let dir = CLI.tempDir()
        let w1 = try CLI.run(["import", "workers", CLI.sample + "/workers.csv", "--as-of", "2026-01-01"], cwd: dir)
        #expect(w1.status == 0)
        #expect(w1.stdout.contains("read 2000, accepted 2000, rejected 0"))
        #expect(w1.stdout.contains("inserted 2000"))
        let w2 = try CLI.run(["import", "workers", CLI.sample + "/workers.csv", "--as-of", "2026-01-01"], cwd: dir)
        #expect(w2.stdout.contains("inserted 0, updated 0, unchanged 2000"))
        let bad = try CLI.run(["import", "workers", CLI.sample + "/workers_errors.csv", "--as-of", "2026-01-01",
                               "--rejects", dir + "/w.rejects.csv"], cwd: dir)
        #expect(bad.status == 65)
        #expect(bad.stdout.contains("read 9, accepted 3, rejected 6"))
        #expect(FileManager.default.fileExists(atPath: dir + "/w.rejects.csv"))
        // Placements before posts: every row names an unknown post.
        let pl = try CLI.run(["import", "placements", CLI.sample + "/placements.csv", "--as-of", "2026-01-01",
                              "--rejects", dir + "/p.rejects.csv"], cwd: dir)
        #expect(pl.status == 65)
        #expect(pl.stderr.contains("unknown post"))
        #expect(try CLI.run(["import", "posts", CLI.sample + "/posts.csv"], cwd: dir).status == 0)
        let pl2 = try CLI.run(["import", "placements", CLI.sample + "/placements.csv", "--as-of", "2026-01-01"], cwd: dir)
        #expect(pl2.status == 0 && pl2.stdout.contains("inserted 1177"))
        let co = try CLI.run(["import", "contributions", CLI.sample + "/contributions.csv", "--as-of", "2026-01-01"], cwd: dir)
        #expect(co.status == 0 && co.stdout.contains("inserted 2243"))
        let co2 = try CLI.run(["import", "contributions", CLI.sample + "/contributions.csv", "--as-of", "2026-01-01"], cwd: dir)
        #expect(co2.stdout.contains("inserted 0, updated 0, unchanged 2243"))
        try "credit_code\n91350100M000100Y43\nBAD\n".write(toFile: dir + "/x.csv", atomically: true, encoding: .utf8)
        let ex = try CLI.run(["import", "exclusions", dir + "/x.csv"], cwd: dir)
        #expect(ex.status == 65 && ex.stdout.contains("read 2, accepted 1, rejected 1"))
        #expect(try CLI.run(["stats"], cwd: dir).stdout.contains("excluded employers 1"))
    }

    @Test func noRegistryIsAClearError() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["nightly", "--out", "runs"], cwd: dir)
        #expect(r.status == 66)
        #expect(r.stderr.contains("no registry at labormatch.sqlite"))
    }
}

/// Calls as staff record them, through the binary: outcome codes, what they change, and the next night.
@Suite(.serialized) struct CallCommandTests {
    func bootstrapped() throws -> String { try NightlyCommandTests().bootstrapped() }

    func callRows(_ dir: String) throws -> [[String]] {
        try CSVTable.read(path: dir + "/runs/latest/calls.csv").records.map(\.fields)
    }

    /// A 在岗 call on 01-15 about a suspected loss survives the next night: not suspected, not re-proposed, not
    /// re-called, status 在岗 from the call.
    @Test func anEmployedCallSurvivesTheNextNight() throws {
        let dir = try bootstrapped()
        let row = try #require(try callRows(dir).first { $0[6].hasPrefix("疑似失岗") })
        let id = row[1]
        let c = try CLI.run(["contact", id, "--outcome", "在岗", "--date", "2026-01-15"], cwd: dir)
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.contains("疑似失岗已解除 suspected loss cleared"))
        let next = try CLI.run(["nightly", "--as-of", "2026-01-16", "--out", "runs", "--unmask"], cwd: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try !callRows(dir).contains { $0[1] == id && $0[6].hasPrefix("疑似失岗") })
        let proposed = try CSVTable.read(path: dir + "/runs/latest/assignments.csv").records.map { $0.fields[1] }
        #expect(!proposed.isEmpty && proposed.allSatisfy { $0.count == 18 } && !proposed.contains(id))
        let show = try CLI.run(["show", "worker", id, "--json", "--unmask"], cwd: dir)
        let obj = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect(obj["status"] as? String == "在岗" && obj["statusSource"] as? String == "call")
        let placements = try #require(obj["placements"] as? [[String: Any]])
        #expect(placements.last?["suspectedSince"] == nil && placements.last?["end"] == nil)
        let latestRun = try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/runs/latest")
        #expect(!latestRun.hasSuffix((obj["latestProposal"] as? [String: Any])?["runID"] as? String ?? "none"))
        let evidence = try #require(obj["evidence"] as? [[String: Any]])
        #expect(evidence.first?["source"] as? String == "call" && evidence.first?["date"] as? String == "2026-01-15")
    }

    @Test func eachOutcomeCodeDoesWhatItSays() throws {
        let dir = try bootstrapped()
        let proposals = try CSVTable.read(path: dir + "/runs/latest/candidates_by_worker.csv").records
        let calls = try callRows(dir)
        let proposed = try #require(calls.first { $0[6].hasPrefix("新推荐岗位") })
        let post = proposed[7]
        // 接受推荐: a pending placement, its opening held; the worker leaves the pool.
        let a = try CLI.run(["contact", proposed[1], "--outcome", "接受推荐", "--post", post, "--date", "2026-01-15"], cwd: dir)
        #expect(a.status == 0 && a.stdout.contains("opening held: \(post)"), "\(a.stderr)")
        // 拒绝推荐: never proposed again.
        let other = try #require(calls.first { $0[6].hasPrefix("新推荐岗位") && $0[1] != proposed[1] })
        let otherPost = other[7]
        let d = try CLI.run(["contact", other[1], "--outcome", "declined", "--post", otherPost, "--date", "2026-01-15"], cwd: dir)
        #expect(d.status == 0 && d.stdout.contains("never proposed again: \(otherPost)"))
        // 失业 on a placed worker closes the placement.
        let lost = try #require(calls.first { $0[6].hasPrefix("疑似失岗") })
        let u = try CLI.run(["contact", lost[1], "--outcome", "失业", "--date", "2026-01-15"], cwd: dir)
        #expect(u.stdout.contains(" → 待业") || u.stdout.contains("状态 status: 待业 (不变 unchanged)"), "\(u.stdout)")
        #expect(u.stdout.contains("placement closed"))
        // 联系不上 three times: listed for a home visit.
        let far = try #require(calls.last)
        var last = CLI.Result(status: 0, stdout: "", stderr: "")
        for day in ["2026-01-13", "2026-01-14", "2026-01-15"] {
            last = try CLI.run(["contact", far[1], "--outcome", "联系不上", "--date", day], cwd: dir)
        }
        #expect(last.stdout.contains("unreachable 3 in a row; 列入上门走访 listed for a home visit"))
        // 换岗 with an employer: the old placement closed, a new one opened at that employer; 其他 changes nothing.
        let mover = try #require(calls.first { $0[6].hasPrefix("疑似失岗") && $0[1] != lost[1] })
        let code = "91440300MA5DQY8129"
        let j = try CLI.run(["contact", mover[1], "--outcome", "换岗", "--employer", code, "--date", "2026-01-15"], cwd: dir)
        #expect(j.status == 0 && j.stdout.contains("placement closed") && j.stdout.contains("placement opened: \(code)"), "\(j.stdout)\(j.stderr)")
        let moved = try JSONSerialization.jsonObject(with: Data(try CLI.run(["show", "worker", mover[1], "--json", "--unmask"], cwd: dir).stdout.utf8)) as! [String: Any]
        let ps = try #require(moved["placements"] as? [[String: Any]])
        #expect(ps.last?["creditCode"] as? String == code && ps.last?["end"] == nil && moved["status"] as? String == "在岗")
        let o = try CLI.run(["contact", mover[1], "--outcome", "其他", "--note", "下周再打", "--date", "2026-01-15"], cwd: dir)
        #expect(o.status == 0 && o.stdout.contains("状态 status: 在岗 (不变 unchanged)") && !o.stdout.contains("placement"))
        let n = try CLI.run(["nightly", "--as-of", "2026-01-16", "--out", "runs", "--unmask"], cwd: dir)
        #expect(n.status == 0, "\(n.stderr)")
        let assignments = try CSVTable.read(path: dir + "/runs/latest/assignments.csv").records
        #expect(assignments.allSatisfy { $0.fields[1].count == 18 }, "unmasked IDs in the second column")
        #expect(!assignments.contains { $0.fields[1] == proposed[1] }, "an accepted proposal's worker is no longer in the pool")
        #expect(!assignments.contains { $0.fields[1] == other[1] && $0.fields[3] == otherPost }, "a declined pair is never proposed again")
        #expect(assignments.contains { $0.fields[1] == other[1] }, "the declining worker still gets another proposal")
        // Three times unreachable: on the visit list, not in the calls.
        let visits = try CSVTable.read(path: dir + "/runs/latest/visits.csv").records.map(\.fields)
        let called = try callRows(dir)
        #expect(!called.contains { $0[1] == far[1] } && visits.contains { $0[1] == far[1] && $0[6].contains("联系不上") })
        _ = proposals
        // Anything else exits 64 and lists the codes.
        let bad = try CLI.run(["contact", far[1], "--outcome", "已到岗"], cwd: dir)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("在岗 (employed)") && bad.stderr.contains("拒绝推荐 (declined)"))
        let noPost = try CLI.run(["contact", far[1], "--outcome", "接受推荐"], cwd: dir)
        #expect(noPost.status == 64 && noPost.stderr.contains("needs --post"))
    }

    @Test func showWorkerByNumberIDOrName() throws {
        let dir = try bootstrapped()
        let first = try CLI.run(["show", "worker", "LL-000001", "--json", "--unmask"], cwd: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        let id = try #require(obj["idNumber"] as? String), name = try #require(obj["name"] as? String)
        #expect(obj["number"] as? String == "LL-000001")
        // The same person by full ID number, and by "1".
        #expect(try CLI.run(["show", "worker", id], cwd: dir).stdout.hasPrefix("LL-000001  \(name)"))
        #expect(try CLI.run(["show", "worker", "1"], cwd: dir).stdout.hasPrefix("LL-000001"))
        // A full ID with a wrong check character says so.
        let digits = String(id.prefix(17))
        let wrong = digits + (id.last == "0" ? "1" : "0")
        let bad = try CLI.run(["show", "worker", wrong], cwd: dir)
        #expect(bad.status == 65 && bad.stderr.contains("校验码错误"))
        // A name: one person, or a list when several share it.
        let names = try CSVTable.read(path: CLI.sample + "/workers.csv").records.map { $0.fields[1] }
        let shared = try #require(Dictionary(grouping: names, by: { $0 }).first { $0.value.count >= 2 }?.key)
        let several = try CLI.run(["show", "worker", shared], cwd: dir)
        #expect(several.status == 65 && several.stderr.contains("同名") && several.stderr.contains("LL-"))
        #expect(try CLI.run(["show", "worker", "不存在的人"], cwd: dir).stderr.contains("查无此人"))
    }
}

/// Imports never erase by omission.
@Suite struct ImportKeepsWhatTheFileDoesNotSayTests {
    @Test func aFourColumnWorkersFileKeepsEverythingElse() throws {
        let dir = CLI.tempDir()
        let id = "360426199101010071"
        try """
            身份证号,姓名,乡镇,村,贫困户,求职意向,期望月薪,联系电话,就业状态
            \(id),甲,新州镇,平林村,是,木工,5000,13800000001,待业
            """.write(toFile: dir + "/full.csv", atomically: false, encoding: .utf8)
        #expect(try CLI.run(["import", "workers", "full.csv", "--as-of", "2026-01-01"], cwd: dir).status == 0)
        // Four columns, one of them named 手机号码 (an alias from Data/taxonomy/columns.csv): a new phone, nothing erased.
        try "身份证号,姓名,乡镇,手机号码\n\(id),甲,新州镇,13900000002\n".write(toFile: dir + "/four.csv", atomically: false, encoding: .utf8)
        let r = try CLI.run(["import", "workers", "four.csv", "--as-of", "2026-01-05"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("unknown column"))
        func show() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(try CLI.run(["show", "worker", id, "--json", "--unmask"], cwd: dir).stdout.utf8)) as! [String: Any]
        }
        var w = try show()
        #expect(w["poorHousehold"] as? Bool == true && w["village"] as? String == "平林村" && w["intentions"] as? String == "木工")
        #expect(w["phone"] as? String == "13900000002" && w["status"] as? String == "待业")
        // An empty cell leaves the value alone; with --clear-empty it clears it.
        try "身份证号,姓名,乡镇,村\n\(id),甲,新州镇,\n".write(toFile: dir + "/empty.csv", atomically: false, encoding: .utf8)
        #expect(try CLI.run(["import", "workers", "empty.csv", "--as-of", "2026-01-06"], cwd: dir).status == 0)
        w = try show()
        #expect(w["village"] as? String == "平林村")
        #expect(try CLI.run(["import", "workers", "empty.csv", "--as-of", "2026-01-06", "--clear-empty"], cwd: dir).status == 0)
        w = try show()
        #expect(w["village"] as? String == "" && w["poorHousehold"] as? Bool == true)
    }
}

@Suite struct PartlyReportedMonthTests {
    /// One employer's December rows are missing while others reported December: its workers are not suspected,
    /// and the run says the employer has not reported yet.
    @Test func anEmployerThatHasNotReportedIsNotALoss() throws {
        let dir = CLI.tempDir()
        let contributions = try CSVTable.read(path: CLI.sample + "/contributions.csv")
        let december = contributions.records.filter { $0.fields[2] == "2025-12" }
        let employer = try #require(Dictionary(grouping: december, by: { $0.fields[1] }).max { $0.value.count < $1.value.count }?.key)
        let kept = contributions.records.filter { !($0.fields[2] == "2025-12" && $0.fields[1] == employer) }
        try (["身份证号,统一社会信用代码,缴费月份"] + kept.map { $0.fields.joined(separator: ",") }).joined(separator: "\n")
            .write(toFile: dir + "/contributions.csv", atomically: false, encoding: .utf8)
        for (kind, file) in [("workers", CLI.sample + "/workers.csv"), ("posts", CLI.sample + "/posts.csv"),
                             ("placements", CLI.sample + "/placements.csv"), ("contributions", dir + "/contributions.csv")] {
            let r = try CLI.run(["import", kind, file, "--as-of", "2026-01-01"], cwd: dir)
            #expect(r.status == 0, "\(kind): \(r.stderr)")
        }
        let n = try CLI.run(["nightly", "--as-of", "2026-01-15", "--out", "runs", "--unmask"], cwd: dir)
        #expect(n.status == 0, "\(n.stderr)")
        #expect(n.stderr.contains("have not yet reported 2025-12") && n.stderr.contains(employer), "\(n.stderr)")
        // Its workers who were paid in November are not suspected losses.
        let placed = try CSVTable.read(path: CLI.sample + "/placements.csv").records.map { $0.fields[0] }
        let novemberAtEmployer = Set(contributions.records.filter { $0.fields[2] == "2025-11" && $0.fields[1] == employer }.map { $0.fields[0] })
            .intersection(placed)
        #expect(!novemberAtEmployer.isEmpty)
        let suspected = try CSVTable.read(path: dir + "/runs/latest/calls.csv").records.filter { $0.fields[6].hasPrefix("疑似失岗") }.map { $0.fields[1] }
        #expect(Set(suspected).isDisjoint(with: novemberAtEmployer))
    }
}

/// Failures a user can act on: one line naming the path, the right exit code, nothing touched or half-written.
@Suite(.serialized) struct NightlyFailureTests {
    @Test func aRegistryThatIsNotADatabaseIsLeftUntouched() throws {
        let dir = CLI.tempDir()
        let db = dir + "/notes.txt"
        try "这不是数据库\n".write(toFile: db, atomically: false, encoding: .utf8)
        chmod(db, 0o644)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["nightly", "--db", db, "--out", dir + "/runs"], ["import", "workers", CLI.sample + "/workers.csv", "--db", db],
                     ["stats", "--db", db], ["show", "worker", "LL-1", "--db", db]] {
            let r = try CLI.run(args)
            #expect(r.status == 66, "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("\(db) is not a labormatch registry") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? Int == 0o644)
        #expect(!FileManager.default.fileExists(atPath: db + ".lock") && !FileManager.default.fileExists(atPath: db + "-wal"))
    }

    @Test func aRegistryFromANewerVersionExits78() throws {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["import", "workers", CLI.sample + "/workers.csv", "--as-of", "2026-01-01"], cwd: dir).status == 0)
        // A newer labormatch would have stamped a higher user_version.
        try stampUserVersion(dir + "/labormatch.sqlite", 999)
        let r = try CLI.run(["nightly", "--as-of", "2026-01-02", "--out", "runs"], cwd: dir)
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("written by a newer labormatch") && r.stderr.contains("upgrade labormatch"))
    }

    @Test func aBackdatedRunNeedsAllowBackdate() throws {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs"], cwd: dir).status == 0)
        let back = try CLI.run(["nightly", "--as-of", "2026-01-10", "--out", "runs"], cwd: dir)
        #expect(back.status == 64 && back.stderr.contains("earlier than the latest run (2026-01-15)") && back.stderr.contains("--allow-backdate"))
        #expect(try CLI.run(["nightly", "--as-of", "2026-01-10", "--out", "runs", "--allow-backdate"], cwd: dir).status == 0)
    }

    @Test func noOpenPostIsSaidLoudly() throws {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["import", "workers", CLI.sample + "/workers.csv", "--as-of", "2026-01-01"], cwd: dir).status == 0)
        let r = try CLI.run(["nightly", "--as-of", "2026-01-02", "--out", "runs"], cwd: dir)
        #expect(r.status == 0)
        #expect(r.stderr.contains("NO OPEN POST") && r.stderr.contains("import posts"))
    }

    /// A full disk: exit 74, one line, the previous outputs intact and nothing half-written.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskExits74() throws {
        let dir = CLI.tempDir()
        // Bootstrapped in December: the night has a new month to reconcile, whose writes must not stay.
        #expect(try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2025-12-15", "--out", "runs"], cwd: dir).status == 0)
        let state = try registryState(dir)
        let small = dir + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        // Where tmpfs cannot be mounted (an unprivileged container), there is nothing to fill: the test stops here.
        guard try CLI.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=96k", "tmpfs", small]) == 0 else { return }
        defer { _ = try? CLI.runTool("/bin/umount", [small]) }
        let r = try CLI.run(["nightly", "--as-of", "2026-01-16", "--out", small + "/runs"], cwd: dir)
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.stderr.contains("No space left on device") && r.stderr.split(separator: "\n").last?.contains("labormatch: error:") == true)
        #expect(!FileManager.default.fileExists(atPath: small + "/runs/latest"))
        // The registry was not committed: still one run.
        #expect(try registryState(dir) == state)
        #expect(try CLI.run(["stats"], cwd: dir).stdout.contains("runs 1"))
    }
}

/// What a night's commit changes besides its run record (statuses, evidence, placements), read without writing.
func registryState(_ dir: String) throws -> [String] {
    var readOnly = Configuration()
    readOnly.readonly = true
    let q = try DatabaseQueue(path: dir + "/labormatch.sqlite", configuration: readOnly)
    defer { try? q.close() }
    return try q.read { db in
        try String.fetchAll(db, sql: """
            SELECT 'evidence ' || id || ' ' || id_number || ' ' || status || ' ' || evidence_date FROM evidence
            UNION ALL SELECT 'placement ' || id || ' ' || IFNULL(confirmed_month, '') || ' ' || IFNULL(suspected_since, '') || ' '
                || IFNULL(end_date, '') FROM placement
            UNION ALL SELECT 'worker ' || id_number || ' ' || status || ' ' || status_source || ' ' || status_date FROM worker
            ORDER BY 1
            """)
    }
}

/// Sets PRAGMA user_version of an SQLite file, as a newer labormatch would have (through GRDB, as the product does).
func stampUserVersion(_ path: String, _ version: Int) throws {
    let q = try DatabaseQueue(path: path)
    try q.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = \(version)") }
}
