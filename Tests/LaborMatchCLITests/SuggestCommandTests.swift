import Foundation
import Testing
import LaborModel

/// `suggest` at the counter lists exactly what the nightly lists for the same row on the same day.
@Suite(.serialized) struct SuggestCommandTests {
    static let night: String = {
        let dir = CLI.tempDir()
        _ = try? CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs", "--unmask"], cwd: dir)
        return dir
    }()

    /// (first cell, rank, other side's id, score) of the lines `suggest` prints.
    func lines(_ out: String) -> [(rank: Int, score: String, id: String)] {
        out.split(separator: "\n").dropFirst().compactMap { l in
            let f = l.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 3, let r = Int(f[0]) else { return nil }
            return (r, String(f[1]), String(f[2]))
        }
    }

    @Test func aWorkerGetsTheNightlysListInOrderAndScore() throws {
        let dir = Self.night
        let c = try CSVTable.read(path: dir + "/runs/latest/candidates_by_worker.csv")
        // 人员编号, 身份证号, 姓名, 排名, 岗位编号, 企业名称, 工作地点, 匹配分, 推荐理由
        var byWorker: [String: [(String, String)]] = [:]
        for r in c.records where !r.fields[3].isEmpty { byWorker[r.fields[1], default: []].append((r.fields[4], r.fields[7])) }
        let ids = byWorker.keys.filter { byWorker[$0]!.count >= 10 }.sorted().prefix(3)
        #expect(ids.count == 3)
        // First from the encoding the nightly kept, then (cache emptied) loaded and encoded anew.
        for (pass, id) in [(0, ids.first!)] + ids.map({ (1, $0) }) {
            if pass == 1 && id == ids.first! { _ = try sql(dir + "/labormatch.sqlite", "DELETE FROM encoded_cache") }
            let r = try CLI.run(["suggest", "worker", id, "--db", dir + "/labormatch.sqlite", "--as-of", "2026-01-15", "--top-k", "10"])
            #expect(r.status == 0, "\(r.stderr)")
            let got = lines(r.stdout)
            #expect(got.map(\.id) == byWorker[id]!.prefix(10).map(\.0), "\(id)")
            #expect(got.map(\.score) == byWorker[id]!.prefix(10).map(\.1), "\(id)")
            #expect(got.map(\.rank) == Array(1...10))
        }
        // The same person given as a one-row file (a registration at the counter) gets the same list.
        let workers = try String(contentsOfFile: CLI.sample + "/workers.csv", encoding: .utf8)
            .replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        let row = try #require(workers.first { $0.hasPrefix(ids.first!) })
        try (workers[0] + "\n" + row + "\n").write(toFile: dir + "/one.csv", atomically: false, encoding: .utf8)
        let f = try CLI.run(["suggest", "worker", "--file", dir + "/one.csv", "--db", dir + "/labormatch.sqlite", "--as-of", "2026-01-15", "--top-k", "10"])
        #expect(f.status == 0 && lines(f.stdout).map(\.id) == byWorker[ids.first!]!.prefix(10).map(\.0), "\(f.stderr)")
    }

    @Test func aPostGetsTheNightlysWorkers() throws {
        let dir = Self.night
        let c = try CSVTable.read(path: dir + "/runs/latest/candidates_by_post.csv")
        // 岗位编号, 排名, 人员编号, 身份证号, 姓名, 乡镇, 匹配分, 推荐理由
        var byPost: [String: [(String, String)]] = [:]
        for r in c.records { byPost[r.fields[0], default: []].append((r.fields[3], r.fields[6])) }
        let posts = byPost.keys.filter { byPost[$0]!.count >= 5 }.sorted().prefix(2)
        #expect(posts.count == 2)
        // From the nightly's kept pool, then with the cache emptied (loaded anew).
        for (pass, p) in posts.map({ (0, $0) }) + posts.map({ (1, $0) }) {
            if pass == 1 && p == posts.first! { _ = try sql(dir + "/labormatch.sqlite", "DELETE FROM encoded_cache") }
            let r = try CLI.run(["suggest", "post", p, "--db", dir + "/labormatch.sqlite", "--as-of", "2026-01-15", "--top-k", "5", "--unmask"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(lines(r.stdout).map(\.id) == byPost[p]!.prefix(5).map(\.0), "\(p)")
            #expect(lines(r.stdout).map(\.score) == byPost[p]!.prefix(5).map(\.1), "\(p)")
        }
    }

    /// Runs SQL on a registry with Python's sqlite3 (an independent reader) and returns what it prints.
    func sql(_ db: String, _ statement: String) throws -> String {
        let r = try CLI.runToolOutput("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            for row in c.execute(sys.argv[2]): print(*row)
            c.commit()
            """, db, statement])
        #expect(r.status == 0, "\(r.output)")
        return r.output
    }

    /// The nightly keeps what it encoded: the open posts and the pool, one row each, as many rows as it matched.
    @Test func theNightlyKeepsItsEncodedRows() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["nightly", "--bootstrap", "sample", "--as-of", "2026-01-15", "--out", "runs"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/runs/latest/summary.json"))) as! [String: Any]
        let counts = summary["counts"] as! [String: Any]
        let kept = try sql(dir + "/labormatch.sqlite", "SELECT side, rows FROM encoded_cache ORDER BY side")
        #expect(kept == "posts \(counts["open_posts"]!)\nworkers \(counts["pool"]!)\n", "\(kept)")
    }

    /// The encoded open posts and free pool are cached in the registry: the second suggest reads them (a cache
    /// made wrong on purpose shows), and any change to the tables they come from clears them.
    @Test func theCounterCacheIsReadAndClearedByChanges() throws {
        let dir = CLI.tempDir(), db = dir + "/labormatch.sqlite"
        try FileManager.default.copyItem(atPath: Self.night + "/labormatch.sqlite", toPath: db)
        let c = try CSVTable.read(path: Self.night + "/runs/latest/candidates_by_worker.csv")
        let listed = c.records.first(where: { !$0.fields[3].isEmpty })
        let id: String = try #require(listed?.fields[1])
        let posts = try CSVTable.read(path: Self.night + "/runs/latest/candidates_by_post.csv")
        let p: String = try #require(posts.records.first?.fields[0])
        let worker: [String] = ["suggest", "worker", id, "--db", db, "--as-of", "2026-01-15"]
        let post: [String] = ["suggest", "post", p, "--db", db, "--as-of", "2026-01-15"]
        // A call's bookkeeping (last_contact) and a status rewritten unchanged leave the pool cached.
        #expect(try CLI.run(post).status == 0)
        _ = try sql(db, "UPDATE worker SET last_contact = '2026-01-15', status = status")
        #expect(try sql(db, "SELECT COUNT(*) FROM encoded_cache WHERE side = 'workers'") == "1\n")
        for (args, side, touch) in [(worker, "posts", "UPDATE post SET openings = openings WHERE rowid = 1"),
                                    (worker, "posts", "UPDATE employer SET name = name WHERE rowid = 1"),
                                    (post, "workers", "UPDATE worker SET phone = '13800000000' WHERE rowid = 1"),
                                    (post, "workers", "UPDATE placement SET end_date = end_date WHERE rowid = 1")] {
            let first = try CLI.run(args)
            #expect(first.status == 0 && lines(first.stdout).count > 0, "\(first.stderr)")
            #expect(try sql(db, "SELECT side FROM encoded_cache WHERE side = '\(side)' AND rows > 0") == side + "\n")
            // Every cached value zeroed: the next suggest scores everyone 0, so it did read the cache.
            _ = try sql(db, "UPDATE encoded_cache SET matrix = zeroblob(length(matrix)) WHERE side = '\(side)'")
            let wrong = try CLI.run(args)
            #expect(wrong.status == 0 && lines(wrong.stdout).allSatisfy { $0.score == "0" }, "\(wrong.stdout)")
            // A change to a table the side comes from clears it: loaded and cached again, the first answer back.
            _ = try sql(db, touch)
            #expect(try sql(db, "SELECT COUNT(*) FROM encoded_cache WHERE side = '\(side)'") == "0\n", "\(touch)")
            let again = try CLI.run(args)
            #expect(again.stdout == first.stdout, "\(touch)")
        }
    }

    @Test func badRowsAndUnknownIDsAreNamed() throws {
        let dir = Self.night
        let none = try CLI.run(["suggest", "worker", "451031199001011230", "--db", dir + "/labormatch.sqlite"])
        #expect(none.status == 66 && none.stderr.contains("no worker 451031********1230"), "\(none.stderr)")
        try "身份证号,姓名,乡镇\n123,张三,新州镇\n".write(toFile: dir + "/bad.csv", atomically: false, encoding: .utf8)
        let bad = try CLI.run(["suggest", "worker", "--file", dir + "/bad.csv", "--db", dir + "/labormatch.sqlite"])
        #expect(bad.status == 65 && bad.stderr.contains("bad.csv"), "\(bad.stderr)")
        #expect(try CLI.run(["suggest", "post", "--db", dir + "/labormatch.sqlite"]).status == 64)
        let noPost = try CLI.run(["suggest", "post", "P999999", "--db", dir + "/labormatch.sqlite"])
        #expect(noPost.status == 66 && noPost.stderr.contains("P999999"))
    }
}
