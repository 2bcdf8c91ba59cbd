import Dispatch
import MatchCore

/// Scores every worker against every post (MatchCore's blocked GEMM) and turns the candidate tables into the
/// staff's files: 推荐岗位 (each worker's posts) and 推荐人才 (each post's workers), with plain reasons.
public struct Matcher: Sendable {
    public let encoder: MatchEncoder
    public var rules: MatchRules { encoder.rules }

    public init(rules: MatchRules) {
        encoder = MatchEncoder(rules: rules)
    }

    /// Both directions' top-K lists, scores quantised (× `ScoringWeights.quantization`), ties in the order of
    /// `TieCodes(workerIDs:postIDs:)`.
    ///
    /// The quantisation is folded into the matrices: every weight is a binary fraction (see `ScoringWeights`), so
    /// post rows and bias multiplied by 1024 (a power of two, exact) make the GEMM produce the quantised integer
    /// scores themselves; and the bias rides in the GEMM as one more column (1 for workers, the bias for posts).
    /// The selection scan then only compares.
    public func candidates(workers: [Worker], posts: [JobPost], k: Int, threads: Int? = nil, chunkRows: Int? = nil,
                           codes: TieCodes? = nil, progress: (@Sendable (Int) -> Void)? = nil) -> ScoringResult {
        let (wq, pq) = scoringMatrices(workers: workers, posts: posts)
        // Ties are broken by identity (worker_id, post_id), never by row position: the same rows in any order,
        // or with others added, keep their relative order.
        let codes = codes ?? TieCodes(workerIDs: workers.map(\.workerID), postIDs: posts.map(\.postID))
        return Matcher.topK(scoringWorkers: wq, posts: pq, floor: encoder.floor, k: k, codes: codes, threads: threads,
                            chunkRows: chunkRows, progress: progress)
    }

    /// The two matrices the GEMM multiplies: workers with a last column of 1, posts × quantization with the
    /// bias × quantization as last column, so that their product is the quantised score.
    public func scoringMatrices(workers: [Worker], posts: [JobPost]) -> (workers: FeatureMatrix, posts: FeatureMatrix) {
        let (w, (p, bias)) = encodeBoth(workers: workers, posts: posts)
        let q = ScoringWeights.quantization
        let wq = Matcher.appendColumn(w) { _ in 1 }
        var pq = Matcher.appendColumn(p) { bias[$0] }
        for i in pq.values.indices { pq.values[i] *= q }
        return (wq, pq)
    }

    /// The top-K lists of workers and posts already encoded by `scoringMatrices` (the whole run, or one shard of
    /// its workers against all posts): one routine, so that a shard's lists are exactly the whole run's.
    public static func topK(scoringWorkers wq: FeatureMatrix, posts pq: FeatureMatrix, floor: Float, k: Int, codes: TieCodes,
                            threads: Int? = nil, chunkRows: Int? = nil, progress: (@Sendable (Int) -> Void)? = nil) -> ScoringResult {
        var cfg = ScoringConfiguration(k: k, postK: k, threads: threads)
        cfg.floor = floor
        if let chunkRows { cfg.chunkRows = chunkRows }
        return ScoreBlocks.topK(workers: wq, posts: pq, codes: codes, configuration: cfg, progress: progress)
    }

    /// The matrix with one more column, filled row by row.
    static func appendColumn(_ m: FeatureMatrix, _ value: (Int) -> Float) -> FeatureMatrix {
        let d = m.columns
        var out = FeatureMatrix(rows: m.rows, columns: d + 1)
        out.values.withUnsafeMutableBufferPointer { o in
            m.values.withUnsafeBufferPointer { v in
                for r in 0..<m.rows {
                    for c in 0..<d { o[r * (d + 1) + c] = v[r * d + c] }
                    o[r * (d + 1) + d] = value(r)
                }
            }
        }
        return out
    }

    /// Encodes workers and posts, the two halves on two threads.
    func encodeBoth(workers: [Worker], posts: [JobPost]) -> (FeatureMatrix, (FeatureMatrix, [Float])) {
        nonisolated(unsafe) var w = FeatureMatrix(rows: 0, columns: 0)
        nonisolated(unsafe) var p = (FeatureMatrix(rows: 0, columns: 0), [Float]())
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 { w = encoder.encode(workers: workers) } else { p = encoder.encode(posts: posts) }
        }
        return (w, p)
    }

    /// The score as shown to people: the quantised integer back in score units (exact: a binary fraction).
    public static func display(_ quantized: Float) -> String {
        var b: [UInt8] = []
        appendDisplay(quantized, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// `display` as UTF-8 bytes, without the Double-to-text conversion on the candidate lists' millions of rows:
    /// q / 1024 has at most ten decimals, exactly q mod 1024 × 9,765,625 (= 10^10 / 1024) in units of 10^-10, and
    /// that exact expansion is also Swift's shortest round-trip text of the Double (tested against it).
    public static func appendDisplay(_ quantized: Float, to out: inout [UInt8]) {
        let scale = 10_000_000_000
        let q = Int(exactly: quantized), unit = Int(ScoringWeights.quantization)
        guard let q, scale % unit == 0, q.magnitude < 1 << 40 else {
            let v = Double(quantized) / Double(unit)
            out.append(contentsOf: (v == v.rounded() ? String(Int(v)) : String(v)).utf8)
            return
        }
        if q < 0 { out.append(0x2D) }
        let m = Int(q.magnitude)
        CSVWriter.appendDecimal(m / unit, to: &out)
        var frac = (m % unit) * (scale / unit)
        guard frac != 0 else { return }
        out.append(0x2E)
        var digits = 10
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        // Leading zeros of the fraction, then its significant digits.
        var width = 1, f = frac
        while f >= 10 { f /= 10; width += 1 }
        for _ in 0..<(digits - width) { out.append(0x30) }
        CSVWriter.appendDecimal(frac, to: &out)
    }

    public struct Presentation: Sendable {
        public var english = false
        public var unmask = false
        /// CSV or .xlsx for the files staff open (candidates, assignments, calls).
        public var format = StaffFileFormat.csv
        /// Person numbers (人员编号) by ID number: with them, files about people lead with a 人员编号 column, since
        /// masked ID numbers collide.
        public var numbers: [String: String]?
        public init(english: Bool = false, unmask: Bool = false, format: StaffFileFormat = .csv) {
            self.english = english
            self.unmask = unmask
            self.format = format
        }
        func id(_ s: String) -> String { unmask ? s : Masking.idNumber(s) }

        /// The person's cells: [人员编号,] 身份证号 (masked unless unmask).
        public func person(_ s: String) -> [String] { numbers.map { [$0[s] ?? "", id(s)] } ?? [id(s)] }

        /// The header of those cells.
        public var personHeader: [String] {
            (numbers == nil ? [] : [english ? "number" : "人员编号"]) + [english ? "worker_id" : "身份证号"]
        }
    }

    /// candidates_by_worker.csv: worker_id, name, rank, post_id, employer, location, score, reasons.
    /// A worker with no eligible post gets one row with rank and post empty and why in reasons.
    public func byWorkerCSV(_ r: ScoringResult, workers: [Worker], posts: [JobPost], as pres: Presentation,
                            threads: Int = ScoringConfiguration.availableCores) -> CSVWriter {
        var out = CSVWriter(header: pres.personHeader + (pres.english
            ? ["name", "rank", "post_id", "employer", "location", "score", "reasons"]
            : ["姓名", "排名", "岗位编号", "企业名称", "工作地点", "匹配分", "推荐理由"]))
        let t = rules.taxonomy
        // Each post's "post_id,employer,location" once, and what the reasons read (ReasonTable); the rows copy bytes
        // (a copy of a JobPost per row retains each of its strings and arrays).
        let postFields = Matcher.inParallel(count: posts.count, threads: threads) { range in
            range.map { j -> [UInt8] in
                var f: [UInt8] = []
                CSVWriter.appendField(posts[j].postID, to: &f); f.append(0x2C)
                CSVWriter.appendField(posts[j].employer, to: &f); f.append(0x2C)
                CSVWriter.appendField(t.destinations[posts[j].location].name, to: &f)
                return f
            }
        }.flatMap { $0 }
        let postGroups = rules.groups(ofPosts: posts)
        let table = MatchRules.ReasonTable(rules: rules, workers: workers, posts: posts)
        let parts = Matcher.inParallel(count: workers.count, threads: threads) { range -> [UInt8] in
            var text: [UInt8] = []
            text.reserveCapacity(range.count * r.byWorker.k * 200)
            for i in range {
                let w = workers[i]
                var prefix: [UInt8] = []
                for cell in pres.person(w.workerID) { CSVWriter.appendField(cell, to: &prefix); prefix.append(0x2C) }
                CSVWriter.appendField(w.name, to: &prefix); prefix.append(0x2C)
                let list = r.byWorker.candidates(of: i)
                if list.isEmpty {
                    text += prefix
                    text.append(contentsOf: ",,,,,".utf8)
                    CSVWriter.appendField(rules.whyNoPost(w, posts: postGroups), to: &text)
                    text.append(0x0D); text.append(0x0A)
                }
                for (rank, c) in list.enumerated() {
                    text += prefix
                    CSVWriter.appendDecimal(rank + 1, to: &text); text.append(0x2C)
                    text += postFields[c.id]; text.append(0x2C)
                    Matcher.appendDisplay(c.score, to: &text); text.append(0x2C)
                    rules.appendReasons(table, worker: i, post: c.id, to: &text)
                    text.append(0x0D); text.append(0x0A)
                }
            }
            return text
        }
        for p in parts { out.appendFormatted(p) }
        return out
    }

    /// unmet.csv: the workers with no eligible post — [number,] worker_id, name, township, poor_household, reasons
    /// (why, over all posts: the same words as their row in candidates_by_worker). Small, for staff planning
    /// training and for the report, which need not read the candidate lists.
    public func unmetCSV(_ r: ScoringResult, workers: [Worker], posts: [JobPost], as pres: Presentation) -> CSVWriter {
        var out = CSVWriter(header: pres.personHeader + (pres.english ? ["name", "township", "poor_household", "reasons"]
                                                                       : ["姓名", "乡镇", "贫困户", "推荐理由"]))
        let postGroups = rules.groups(ofPosts: posts)
        for (i, w) in workers.enumerated() where r.byWorker.count(of: i) == 0 {
            out.append(pres.person(w.workerID) + [w.name, rules.taxonomy.townships[w.township].name,
                                                  w.poorHousehold ? (pres.english ? "yes" : "是") : (pres.english ? "no" : "否"),
                                                  rules.whyNoPost(w, posts: postGroups)])
        }
        return out
    }

    /// unmet_posts.csv: the posts no worker is eligible for — post_id, employer, occupation, location, openings,
    /// reasons (the hard rules that block most workers).
    public func unmetPostsCSV(_ r: ScoringResult, workers: [Worker], posts: [JobPost], english: Bool) -> CSVWriter {
        var out = CSVWriter(header: english ? ["post_id", "employer", "occupation", "location", "openings", "reasons"]
                                            : ["岗位编号", "企业名称", "工种", "工作地点", "招聘人数", "推荐理由"])
        guard let byPost = r.byPost else { return out }
        let t = rules.taxonomy, workerGroups = rules.groups(ofWorkers: workers)
        for (j, p) in posts.enumerated() where byPost.count(of: j) == 0 {
            out.append([p.postID, p.employer, t.occupations[p.occupation].name, t.destinations[p.location].name, String(p.openings),
                        rules.whyNoWorker(p, workers: workerGroups)])
        }
        return out
    }

    /// candidates_by_post.csv: post_id, rank, worker_id, name, township, score, reasons.
    public func byPostCSV(_ r: ScoringResult, workers: [Worker], posts: [JobPost], as pres: Presentation,
                          threads: Int = ScoringConfiguration.availableCores) -> CSVWriter {
        var out = CSVWriter(header: (pres.english ? ["post_id", "rank"] : ["岗位编号", "排名"]) + pres.personHeader
            + (pres.english ? ["name", "township", "score", "reasons"] : ["姓名", "乡镇", "匹配分", "推荐理由"]))
        guard let byPost = r.byPost else { return out }
        let t = rules.taxonomy
        let workerFields = Matcher.inParallel(count: workers.count, threads: threads) { range in
            range.map { i -> [UInt8] in
                var f: [UInt8] = []
                for cell in pres.person(workers[i].workerID) { CSVWriter.appendField(cell, to: &f); f.append(0x2C) }
                CSVWriter.appendField(workers[i].name, to: &f); f.append(0x2C)
                CSVWriter.appendField(t.townships[workers[i].township].name, to: &f)
                return f
            }
        }.flatMap { $0 }
        let table = MatchRules.ReasonTable(rules: rules, workers: workers, posts: posts)
        let parts = Matcher.inParallel(count: posts.count, threads: threads) { range -> [UInt8] in
            var text: [UInt8] = []
            text.reserveCapacity(range.count * byPost.k * 180)
            for j in range {
                let p = posts[j]
                var prefix: [UInt8] = []
                CSVWriter.appendField(p.postID, to: &prefix); prefix.append(0x2C)
                for (rank, c) in byPost.candidates(of: j).enumerated() {
                    text += prefix
                    CSVWriter.appendDecimal(rank + 1, to: &text); text.append(0x2C)
                    text += workerFields[c.id]; text.append(0x2C)
                    Matcher.appendDisplay(c.score, to: &text); text.append(0x2C)
                    rules.appendReasons(table, worker: c.id, post: j, to: &text)
                    text.append(0x0D); text.append(0x0A)
                }
            }
            return text
        }
        for p in parts { out.appendFormatted(p) }
        return out
    }

    /// Runs `body` over contiguous slices of 0..<count on Dispatch and returns the slices' results in order.
    static func inParallel<T>(count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let parts = max(1, min(count, threads * 8))
        nonisolated(unsafe) var results = [T?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let b = buf
            DispatchQueue.concurrentPerform(iterations: parts) { i in
                b[i] = body((i * count / parts)..<((i + 1) * count / parts))
            }
        }
        return results.map { $0! }
    }
}
