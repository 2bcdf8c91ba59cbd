import Foundation
import Testing
import MatchCore
import LaborModel
import LaborShard
import TestSupport

/// `shard plan | score | merge | status | slurm`: the sharded run gives byte for byte what one `match` gives.
@Suite struct ShardCommandTests {
    static let asOf = "2026-01-01"
    /// The files `match` writes (all but summary.json, whose seconds differ; its other keys are compared).
    static let files = ["candidates_by_worker.csv", "candidates_by_post.csv", "unmet.csv", "unmet_posts.csv", "assignments.csv",
                        "graph.csv", "capacities.csv", "post_duals.csv", "destination_duals.csv", "by_township.csv", "by_occupation.csv"]

    /// A small county with many ties (top 5 of 300 posts, so every shard's per-post lists are cut).
    static let extra = ["--top-k", "5", "--unmask", "--lang", "en"]

    static func match(workers: String = CLI.sample + "/workers.csv", posts: String = CLI.sample + "/posts.csv", out: String) throws {
        let r = try CLI.run(["match", "--workers", workers, "--posts", posts, "--out", out, "--as-of", asOf] + extra)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// plan → score every shard → merge; returns the plan's folder.
    @discardableResult
    static func sharded(shards: Int, workers: String = CLI.sample + "/workers.csv", posts: String = CLI.sample + "/posts.csv",
                        out: String, mergeArgs: [String] = []) throws -> String {
        let dir = CLI.tempDir()
        let plan = try CLI.run(["shard", "plan", "--workers", workers, "--posts", posts, "--out", dir, "--as-of", asOf,
                                "--shards", String(shards), "--top-k", "5"])
        #expect(plan.status == 0, "\(plan.stderr)")
        for i in 0..<shards {
            let s = try CLI.run(["shard", "score", "--manifest", dir + "/manifest.json", "--index", String(i), "--threads", "1"])
            #expect(s.status == 0, "\(s.stderr)")
        }
        let m = try CLI.run(["shard", "merge", "--manifest", dir + "/manifest.json", "--out", out, "--unmask", "--lang", "en"] + mergeArgs)
        #expect(m.status == 0, "\(m.stderr)")
        return dir
    }

    static func expectSame(_ a: String, _ b: String, _ what: String, ignoring: Set<String> = ["seconds"]) throws {
        for f in files {
            let x = FileManager.default.contents(atPath: a + "/" + f), y = FileManager.default.contents(atPath: b + "/" + f)
            #expect(x != nil && x == y, "\(f) differs (\(what))")
        }
        func summary(_ d: String) throws -> NSDictionary {
            var o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/summary.json"))) as! [String: Any]
            for key in ignoring { o[key] = nil }
            return NSDictionary(dictionary: o)
        }
        let sa = try summary(a), sb = try summary(b)
        #expect(sa.isEqual(to: sb as! [AnyHashable: Any]), "summary.json differs beyond \(ignoring.sorted()) (\(what))")
        #expect(sa["objective"] != nil)
    }

    @Test(arguments: [1, 2, 3, 7])
    func mergedFilesAreByteIdenticalToMatch(shards: Int) throws {
        let single = CLI.tempDir(), merged = CLI.tempDir()
        try Self.match(out: single)
        try Self.sharded(shards: shards, out: merged)
        try Self.expectSame(single, merged, "\(shards) shards")
    }

    /// More shards than workers: the empty shards are named in a warning, score nothing, and the merge is still
    /// exactly `match`.
    @Test func moreShardsThanWorkers() throws {
        let src = CLI.tempDir(), dir = CLI.tempDir(), merged = CLI.tempDir(), single = CLI.tempDir()
        // Lines by isNewline: the sample's CRLF is one Character, which split(separator: "\n") never finds.
        let lines = try String(contentsOfFile: CLI.sample + "/workers.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        try (lines.prefix(6).joined(separator: "\n") + "\n").write(toFile: src + "/workers.csv", atomically: true, encoding: .utf8)
        let plan = try CLI.run(["shard", "plan", "--workers", src + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir,
                                "--as-of", Self.asOf, "--shards", "7"])
        #expect(plan.status == 0 && plan.stderr.contains("of the 7 shards have no workers (5 workers in all)"), "\(plan.stderr)")
        for i in 0..<7 { #expect(try CLI.run(["shard", "score", "--manifest", dir + "/manifest.json", "--index", String(i)]).status == 0) }
        #expect(try CLI.run(["shard", "merge", "--manifest", dir + "/manifest.json", "--out", merged, "--unmask", "--lang", "en"]).status == 0)
        let m = try CLI.run(["match", "--workers", src + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", single,
                             "--as-of", Self.asOf, "--unmask", "--lang", "en"])
        #expect(m.status == 0, "\(m.stderr)")
        try Self.expectSame(single, merged, "5 workers in 7 shards", ignoring: ["seconds"])
    }

    /// The split is by a hash of worker_id and ties by ids: shuffled input rows give the same files, the same
    /// objective and summary (but for the inputs' names and hashes), for every shard count.
    @Test(arguments: [1, 2, 3, 7])
    func shuffledRowsGiveTheSameFiles(shards: Int) throws {
        let src = CLI.tempDir()
        var rng = SplitMix64(seed: UInt64(shards))
        for name in ["workers.csv", "posts.csv"] {
            let text = try String(contentsOfFile: CLI.sample + "/" + name, encoding: .utf8)
            var lines = text.split(whereSeparator: \.isNewline).map(String.init)   // CRLF is one Character
            let header = lines.removeFirst()
            let before = lines
            lines.shuffle(using: &rng)
            #expect(lines.count > 100 && lines != before, "\(name) was not shuffled")
            try ([header] + lines).joined(separator: "\n").appending("\n").write(toFile: src + "/" + name, atomically: true, encoding: .utf8)
        }
        let single = CLI.tempDir(), merged = CLI.tempDir()
        try Self.match(out: single)
        try Self.sharded(shards: shards, workers: src + "/workers.csv", posts: src + "/posts.csv", out: merged)
        try Self.expectSame(single, merged, "shuffled, \(shards) shards", ignoring: ["seconds", "inputs"])
    }

    /// Merging the per-post lists a few posts at a time gives the same lists as one slice (the streaming merge).
    @Test func sliceSizeDoesNotChangeTheMerge() throws {
        let merged = CLI.tempDir()
        let dir = try Self.sharded(shards: 4, out: merged, mergeArgs: ["--assign", "none"])
        let m = try ShardManifest.read(path: dir + "/manifest.json")
        let w = try NPY.read(UInt32.self, path: dir + "/blocks/post_codes.npy").values
        #expect(w.count == m.posts)
        var workerCodes = [UInt32](repeating: 0, count: m.workers)
        for b in m.blocks {
            let rows = try NPY.read(Int32.self, path: dir + "/" + b.rows.file).values
            let codes = try NPY.read(UInt32.self, path: dir + "/" + b.codes.file).values
            for (r, c) in zip(rows, codes) { workerCodes[Int(r)] = c }
        }
        let a = try ShardRun.mergedCandidates(manifestPath: dir + "/manifest.json", workerCodes: workerCodes, postCodes: w, chunk: 7)
        let b = try ShardRun.mergedCandidates(manifestPath: dir + "/manifest.json", workerCodes: workerCodes, postCodes: w)
        #expect(a.byPost == b.byPost && a.byWorker == b.byWorker)
        #expect(a.byPost!.ids.contains { $0 >= 0 })
    }

    @Test func damagedOrMissingPartsAreNamedAndRescoringRepairsThem() throws {
        let merged = CLI.tempDir()
        let dir = try Self.sharded(shards: 3, out: merged, mergeArgs: ["--assign", "none"])
        let manifest = dir + "/manifest.json"
        // Scoring a finished shard again does nothing and leaves its parts as they were.
        let part = dir + "/parts/shard-1.by_post.ids.npy"
        let before = try FileManager.default.attributesOfItem(atPath: part)[.modificationDate] as! Date
        let again = try CLI.run(["shard", "score", "--manifest", manifest, "--index", "1"])
        #expect(again.status == 0 && again.stdout.contains("shard 1: already scored"))
        #expect(try FileManager.default.attributesOfItem(atPath: part)[.modificationDate] as! Date == before)
        // One byte changed in shard 1's part, shard 2's result file gone.
        let h = FileHandle(forUpdatingAtPath: part)!
        try h.seek(toOffset: 200); h.write(Data([0x7F])); try h.close()
        try FileManager.default.removeItem(atPath: dir + "/parts/shard-2.json")
        let out2 = CLI.tempDir()
        let r = try CLI.run(["shard", "merge", "--manifest", manifest, "--out", out2])
        #expect(r.status == 66)
        #expect(r.stderr.contains("shard 1: parts/shard-1.by_post.ids.npy does not match its SHA-256") && r.stderr.contains("shard 2: not scored yet"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out2 + "/candidates_by_worker.csv"))
        let status = try CLI.run(["shard", "status", "--manifest", manifest, "--pending"])
        #expect(status.stdout == "1,2\n")
        for i in [1, 2] { #expect(try CLI.run(["shard", "score", "--manifest", manifest, "--index", String(i)]).status == 0) }
        let ok = try CLI.run(["shard", "merge", "--manifest", manifest, "--out", out2, "--unmask", "--lang", "en", "--assign", "none"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(FileManager.default.contents(atPath: out2 + "/candidates_by_post.csv") == FileManager.default.contents(atPath: merged + "/candidates_by_post.csv"))
    }

    @Test func badPlansAndInputsExitWithOneLine() throws {
        let dir = CLI.tempDir(), src = CLI.tempDir()
        try FileManager.default.copyItem(atPath: CLI.sample + "/workers.csv", toPath: src + "/workers.csv")
        #expect(try CLI.run(["shard", "plan", "--workers", src + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir,
                             "--as-of", Self.asOf, "--shards", "2"]).status == 0)
        let manifest = dir + "/manifest.json"
        // Index out of range: 64; no manifest: 66; not a manifest: 65.
        let range = try CLI.run(["shard", "score", "--manifest", manifest, "--index", "2"])
        #expect(range.status == 64 && range.stderr.contains("shard index 2 is out of range: the plan has 2 shards"))
        let none = try CLI.run(["shard", "score", "--manifest", dir + "/nope.json", "--index", "0"])
        #expect(none.status == 66 && none.stderr.contains("nope.json: no such manifest"))
        try "{\"shards\": 2}".write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["shard", "status", "--manifest", dir + "/bad.json"])
        #expect(bad.status == 65 && bad.stderr.contains("bad.json: not a shard manifest") && bad.stderr.contains("field")
                && !bad.stderr.contains("CodingKeys"), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1)
        // A manifest whose blocks do not make its shards, or planned by another version: 65, named.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as! [String: Any]
        json["shards"] = 3
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/odd.json"))
        let odd = try CLI.run(["shard", "status", "--manifest", dir + "/odd.json"])
        #expect(odd.status == 65 && odd.stderr.contains("its 2 blocks do not make the 3 shards"), "\(odd.stderr)")
        json["shards"] = 2
        json["version"] = "0.0.1"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/old.json"))
        let old = try CLI.run(["shard", "score", "--manifest", dir + "/old.json", "--index", "0"])
        #expect(old.status == 65 && old.stderr.contains("planned by labormatch 0.0.1, this is"), "\(old.stderr)")
        // A damaged block: the shard names it and exits 66.
        let block = dir + "/blocks/shard-0.workers.npy"
        let original = try Data(contentsOf: URL(fileURLWithPath: block))
        var damaged = original; damaged[damaged.count - 1] ^= 0x40
        try damaged.write(to: URL(fileURLWithPath: block))
        let dmg = try CLI.run(["shard", "score", "--manifest", manifest, "--index", "0"])
        #expect(dmg.status == 66 && dmg.stderr.contains("shard 0: blocks/shard-0.workers.npy does not match its SHA-256"), "\(dmg.stderr)")
        try original.write(to: URL(fileURLWithPath: block))
        for i in 0..<2 { #expect(try CLI.run(["shard", "score", "--manifest", manifest, "--index", String(i)]).status == 0) }
        // A taxonomy other than the plan's: the merge refuses (65) before reading the inputs.
        let data = CLI.tempDir()
        try FileManager.default.copyItem(atPath: CLI.root + "/Data/taxonomy", toPath: data + "/taxonomy")
        try FileManager.default.copyItem(atPath: CLI.root + "/Data/weights.csv", toPath: data + "/weights.csv")
        try (try String(contentsOfFile: data + "/taxonomy/destinations.csv", encoding: .utf8) + "\n")
            .write(toFile: data + "/taxonomy/destinations.csv", atomically: true, encoding: .utf8)
        let other = try CLI.run(["shard", "merge", "--manifest", manifest, "--out", CLI.tempDir(), "--data-dir", data])
        #expect(other.status == 65 && other.stderr.contains("differ from the plan's"), "\(other.stderr)")
        // An input changed since the plan: the merge refuses (65) before writing anything.
        try (try String(contentsOfFile: src + "/workers.csv", encoding: .utf8) + "\n").write(toFile: src + "/workers.csv", atomically: true, encoding: .utf8)
        let out = CLI.tempDir()
        let changed = try CLI.run(["shard", "merge", "--manifest", manifest, "--out", out])
        #expect(changed.status == 65 && changed.stderr.contains("workers.csv: the workers file changed since 'shard plan'"), "\(changed.stderr)")
        // Bad options.
        #expect(try CLI.run(["shard", "plan", "--workers", src + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir, "--shards", "0"]).status == 64)
        let slurm = try CLI.run(["shard", "slurm", "--manifest", manifest, "--out", out, "--", "--assign", "fastest"])
        #expect(slurm.status == 64 && slurm.stderr.contains("not valid for 'shard merge'"), "\(slurm.stderr)")
        let part = try CLI.run(["shard", "slurm", "--manifest", manifest, "--out", out, "--partition", "cpu\n#SBATCH --mem=1"])
        #expect(part.status == 64 && part.stderr.contains("is not a Slurm partition name"), "\(part.stderr)")
    }

    /// The scripts: syntax checked by bash, OPENBLAS_NUM_THREADS per shard, the array from the pending list,
    /// the merge after it, states checked.
    @Test func slurmScriptsAreWrittenBesideTheManifest() throws {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["shard", "plan", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir,
                             "--as-of", Self.asOf, "--shards", "4"]).status == 0)
        let r = try CLI.run(["shard", "slurm", "--manifest", dir + "/manifest.json", "--out", dir + "/result", "--partition", "cpu",
                             "--cpus-per-shard", "3", "--", "--assign", "greedy"])
        #expect(r.status == 0, "\(r.stderr)")
        let shards = try String(contentsOfFile: dir + "/slurm/shards.sbatch", encoding: .utf8)
        #expect(shards.contains("#SBATCH --cpus-per-task=3") && shards.contains("#SBATCH --partition=cpu") && shards.contains("export OPENBLAS_NUM_THREADS=3"))
        #expect(shards.contains("--index \"$SLURM_ARRAY_TASK_ID\" --threads 3"))
        let merge = try String(contentsOfFile: dir + "/slurm/merge.sbatch", encoding: .utf8)
        #expect(merge.contains("'shard' 'merge' '--manifest'") && merge.contains("'--assign' 'greedy'"))
        let submit = try String(contentsOfFile: dir + "/slurm/submit.sh", encoding: .utf8)
        #expect(submit.contains("--dependency=\"afterok:$A\"") && submit.contains("JobState") && submit.contains("--pending"))
        let k8s = try String(contentsOfFile: dir + "/slurm/kubernetes-job.yaml", encoding: .utf8)
        #expect(k8s.contains("completionMode: Indexed") && k8s.contains("completions: 4") && k8s.contains("$JOB_COMPLETION_INDEX"))
        for f in ["shards.sbatch", "merge.sbatch", "submit.sh"] {
            #expect(try CLI.runTool("/bin/bash", ["-n", dir + "/slurm/" + f]) == 0, "\(f) is not valid bash")
        }
    }
}

/// Slurm on this machine (.ci/slurm/up.sh): started for the test and stopped by PID afterwards, unless it was
/// already running. Needs root and Debian's slurmctld, slurmd, slurm-client and munge (.ci/install-deps).
enum LocalSlurm {
    static let tools = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged"]
    static var installed: Bool {
        let ok = getuid() == 0 && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
        if !ok {
            FileHandle.standardError.write(Data("""
                ⚠️  SKIPPING the real Slurm test: it needs root and \(tools.joined(separator: ", ")) (run .ci/install-deps as root).

                """.utf8))
        }
        return ok
    }

    static func nodeIdle() -> Bool {
        guard let r = try? CLI.runToolOutput("/usr/bin/sinfo", ["-h", "-o", "%T"]), r.status == 0 else { return false }
        return r.output.split(separator: "\n").contains { ["idle", "mixed", "allocated"].contains(String($0)) }
    }
}

@Suite(.serialized) struct SlurmEndToEndTests {
    @Test(.enabled(if: LocalSlurm.installed), .timeLimit(.minutes(10)))
    func arrayAndMergeOnRealSlurmMatchOneMachineAndAFailedShardIsRerun() throws {
        var started = false
        if !LocalSlurm.nodeIdle() {
            let up = try CLI.runToolOutput("/bin/bash", [CLI.root + "/.ci/slurm/up.sh"])
            if up.status == 77 {
                // This machine has a Slurm configuration of its own, not running: not ours to replace.
                FileHandle.standardError.write(Data("⚠️  SKIPPING the real Slurm test: \(up.output)\n".utf8))
                return
            }
            guard up.status == 0 else {
                Issue.record("Slurm is installed but did not start (exit \(up.status)): \(up.output)")
                _ = try? CLI.runTool("/bin/bash", [CLI.root + "/.ci/slurm/down.sh"])
                return
            }
            started = true
        }
        defer { if started { _ = try? CLI.runTool("/bin/bash", [CLI.root + "/.ci/slurm/down.sh"]) } }
        let single = CLI.tempDir(), dir = CLI.tempDir(), merged = dir + "/result"
        try ShardCommandTests.match(out: single)
        let plan = try CLI.run(["shard", "plan", "--workers", CLI.sample + "/workers.csv", "--posts", CLI.sample + "/posts.csv", "--out", dir,
                                "--as-of", ShardCommandTests.asOf, "--shards", "3", "--top-k", "5"])
        #expect(plan.status == 0, "\(plan.stderr)")
        // Shard 1's block damaged: its task fails, the merge is cancelled, the wrapper names shard 1 and exits 1.
        let block = dir + "/blocks/shard-1.workers.npy"
        let original = try Data(contentsOf: URL(fileURLWithPath: block))
        var damaged = original; damaged[damaged.count - 5] ^= 0x10
        try damaged.write(to: URL(fileURLWithPath: block))
        let args = ["shard", "slurm", "--manifest", dir + "/manifest.json", "--out", merged, "--cpus-per-shard", "1", "--submit",
                    "--", "--unmask", "--lang", "en"]
        let failed = try CLI.run(args)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("labormatch: error: shard 1 FAILED") && failed.stderr.contains("failed shards: 1;")
                && failed.stderr.contains("the merge was CANCELLED"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: merged + "/candidates_by_worker.csv"))
        let pending = try CLI.run(["shard", "status", "--manifest", dir + "/manifest.json", "--pending"])
        #expect(pending.stdout == "1\n")
        // Repaired and rerun with the same command: only shard 1 and the merge run.
        try original.write(to: URL(fileURLWithPath: block))
        let rerun = try CLI.run(args)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("submitted shards 1 as array job"), "\(rerun.stderr)")
        try ShardCommandTests.expectSame(single, merged, "Slurm, 3 shards")
    }
}
