import CScanKernel
import Testing
@testable import MatchCore

@Suite struct ScoreBlocksTests {
    /// Small-integer matrices: every score is exact in Float32 and ties are frequent.
    func randomMatrix(_ rows: Int, _ cols: Int, _ g: inout SplitMix64, range: Int = 3) -> FeatureMatrix {
        FeatureMatrix(rows: rows, columns: cols, values: (0..<(rows * cols)).map { _ in Float(g.below(2 * range + 1) - range) })
    }

    @Test(arguments: [(1, 37, 8, 16), (2, 37, 8, 16), (2, 5, 3, 16), (1, 512, 2048, 16), (2, 64, 32, 20), (1, 16, 16, 1), (2, 7, 16, 3)])
    func blockedEqualsBruteForce(threads: Int, chunk: Int, tile: Int, k: Int) {
        var g = SplitMix64(seed: UInt64(threads * 1000 + chunk))
        for (n, m, d) in [(1, 1, 1), (3, 50, 4), (97, 61, 7), (150, 300, 12), (40, 5, 3)] {
            let w = randomMatrix(n, d, &g), p = randomMatrix(m, d, &g)
            let bias = (0..<m).map { _ in Float(g.below(5) - 2) * 0.5 }
            var cfg = ScoringConfiguration(k: k, postK: k / 2 + 1, threads: threads)
            cfg.chunkRows = chunk
            cfg.tileColumns = tile
            cfg.floor = -4
            cfg.quantization = 2
            let got = ScoreBlocks.topK(workers: w, posts: p, bias: bias, configuration: cfg)
            let want = ReferenceTopK.topK(workers: w, posts: p, bias: bias, k: k, postK: k / 2 + 1, floor: -4, quantization: 2)
            #expect(got.byWorker == want.byWorker, "workers n=\(n) m=\(m) d=\(d)")
            #expect(got.byPost == want.byPost, "posts n=\(n) m=\(m) d=\(d)")
        }
    }

    /// Post reservoirs filled by every Dispatch worker in turn (a lock per tile, sweeps from different tiles): many
    /// small chunks and few tiles, so that workers meet at a tile's lock and each reservoir compacts often, with
    /// frequent ties; the brute force decides.
    @Test(arguments: [2, 3, 4])
    func postListsFilledByEveryWorkerStayExact(threads: Int) {
        var g = SplitMix64(seed: UInt64(77 + threads))
        let (n, m, d) = (3000, 120, 6)
        let w = randomMatrix(n, d, &g), p = randomMatrix(m, d, &g)
        var cfg = ScoringConfiguration(k: 4, postK: 5, threads: threads)
        cfg.chunkRows = 16
        cfg.tileColumns = 32
        cfg.floor = -20
        let got = ScoreBlocks.topK(workers: w, posts: p, configuration: cfg)
        let want = ReferenceTopK.topK(workers: w, posts: p, bias: nil, k: 4, postK: 5, floor: -20, quantization: nil)
        #expect(got.byWorker == want.byWorker)
        #expect(got.byPost == want.byPost)
    }

    @Test func floorLeavesShortListsWithEmptySlots() {
        let w = FeatureMatrix(rows: 2, columns: 1, values: [1, -1])
        let p = FeatureMatrix(rows: 3, columns: 1, values: [1, 2, 3])
        var cfg = ScoringConfiguration(k: 3, postK: 2, threads: 2)
        cfg.floor = 0
        let r = ScoreBlocks.topK(workers: w, posts: p, configuration: cfg)
        #expect(r.byWorker.candidates(of: 0).map(\.id) == [2, 1, 0])
        #expect(r.byWorker.candidates(of: 1).isEmpty)
        #expect(r.byWorker.ids[3..<6] == [-1, -1, -1])
        #expect(r.byPost!.candidates(of: 2).map(\.id) == [0])
    }

    @Test func tiesFollowTheTieOrderOfEachList() {
        let w = FeatureMatrix(rows: 4, columns: 1, values: [1, 1, 1, 1])
        let p = FeatureMatrix(rows: 5, columns: 1, values: [2, 2, 2, 2, 2])
        var cfg = ScoringConfiguration(k: 2, postK: 3, threads: 2)
        cfg.chunkRows = 1
        cfg.tileColumns = 16
        let r = ScoreBlocks.topK(workers: w, posts: p, configuration: cfg)
        for i in 0..<4 {
            let want = (0..<5).sorted { TieOrder.rank(owner: UInt32(i), candidate: UInt32($0)) < TieOrder.rank(owner: UInt32(i), candidate: UInt32($1)) }
            #expect(r.byWorker.candidates(of: i).map(\.id) == Array(want.prefix(2)))
        }
        for j in 0..<5 {
            let want = (0..<4).sorted { TieOrder.rank(owner: UInt32(j), candidate: UInt32($0)) < TieOrder.rank(owner: UInt32(j), candidate: UInt32($1)) }
            #expect(r.byPost!.candidates(of: j).map(\.id) == Array(want.prefix(3)))
        }
        // Different lists break the same tie differently, so equal workers do not all get the same posts.
        #expect(Set((0..<4).map { r.byWorker.candidates(of: $0).map(\.id) }).count > 1)
    }

    @Test func emptyShapes() {
        let cfg = ScoringConfiguration(k: 5, postK: 5, threads: 2)
        let none = ScoreBlocks.topK(workers: FeatureMatrix(rows: 0, columns: 3), posts: FeatureMatrix(rows: 4, columns: 3), configuration: cfg)
        #expect(none.byWorker.rows == 0 && none.byPost?.rows == 4 && none.byPost?.count(of: 0) == 0)
        let noPosts = ScoreBlocks.topK(workers: FeatureMatrix(rows: 2, columns: 3), posts: FeatureMatrix(rows: 0, columns: 3), configuration: cfg)
        #expect(noPosts.byWorker.k == 0)
        let noColumns = ScoreBlocks.topK(workers: FeatureMatrix(rows: 2, columns: 0), posts: FeatureMatrix(rows: 2, columns: 0), configuration: cfg)
        #expect(noColumns.byWorker.candidates(of: 0).map(\.id) == [0, 1])
    }

    @Test func threadCountDoesNotChangeRandomFloatResults() {
        var g = SplitMix64(seed: 99)
        let w = FeatureMatrix(rows: 700, columns: 16, values: (0..<(700 * 16)).map { _ in Float(g.unit() - 0.5) })
        let p = FeatureMatrix(rows: 900, columns: 16, values: (0..<(900 * 16)).map { _ in Float(g.unit() - 0.5) })
        var c1 = ScoringConfiguration(k: 10, postK: 10, threads: 1)
        var c2 = ScoringConfiguration(k: 10, postK: 10, threads: 2)
        c1.chunkRows = 128; c2.chunkRows = 128
        let a = ScoreBlocks.topK(workers: w, posts: p, configuration: c1)
        let b = ScoreBlocks.topK(workers: w, posts: p, configuration: c2)
        #expect(a.byWorker == b.byWorker && a.byPost == b.byPost)
    }

    /// The tiles' GEMM (CScanKernel's lm_gemm_panels on posts packed by lm_pack_panels) gives, at every level this
    /// CPU has, the bits of a plain Swift loop of fused multiply-adds in k order from zero, for shapes that are not
    /// whole kernels (rows not multiples of 8 or 3, a last panel of fewer than 32 columns, odd d, d = 0) and
    /// leading dimensions wider than the rows, and writes nothing outside the rows × cols block it was given; the
    /// packing fills exactly ⌈cols / 32⌉ panels, the last one's missing columns with zeros.
    @Test func tileGEMMGivesTheSameBitsAsOrderedFusedMultiplyAdds() {
        var g = SplitMix64(seed: 2026)
        let width = Int(lm_panel_columns())
        #expect(width == 32)
        for (rows, cols, d) in [(1, 1, 1), (8, 32, 128), (9, 33, 7), (17, 100, 130), (3, 31, 16), (64, 64, 5), (5, 7, 0), (26, 65, 37),
                                (11, 48, 9)] {
            let lda = d + 3, ldb = d + 2, ldc = cols + 5
            let a = (0..<(rows * lda)).map { _ in Float(g.unit() - 0.5) }
            let b = (0..<(cols * ldb)).map { _ in Float(g.unit() - 0.5) * 3 }
            var want = [Float](repeating: 0, count: rows * cols)
            for r in 0..<rows {
                for c in 0..<cols {
                    var s: Float = 0
                    for k in 0..<d { s = s.addingProduct(a[r * lda + k], b[c * ldb + k]) }
                    want[r * cols + c] = s
                }
            }
            let packed = (cols + width - 1) / width * width * d
            var panels = [Float](repeating: .nan, count: packed + 64)
            lm_pack_panels(b, Int32(ldb), Int32(cols), Int32(d), &panels)
            let pastTheEnd = panels[packed...].filter { !$0.isNaN }.count
            #expect(pastTheEnd == 0, "cols \(cols) d \(d): the packing wrote past its panels")
            for k in 0..<d {
                for j in cols..<((cols + width - 1) / width * width) {
                    #expect(panels[(j / width * d + k) * width + j % width] == 0, "cols \(cols): padding column \(j) not zero")
                }
            }
            for level in 0...ScoringConfiguration.bestScanLevel {
                let sentinel: Float = -12345
                var c = [Float](repeating: sentinel, count: rows * ldc + 16)
                lm_gemm_panels(level, a, Int32(lda), Int32(rows), panels, Int32(cols), Int32(d), &c, Int32(ldc))
                var wrong = 0, outside = 0
                for r in 0..<rows {
                    for j in 0..<ldc {
                        let v = c[r * ldc + j]
                        if j < cols { if v.bitPattern != want[r * cols + j].bitPattern { wrong += 1 } } else if v != sentinel { outside += 1 }
                    }
                }
                for j in (rows * ldc)..<c.count where c[j] != sentinel { outside += 1 }
                #expect(wrong == 0, "level \(level) rows \(rows) cols \(cols) d \(d): \(wrong) scores differ")
                #expect(outside == 0, "level \(level) rows \(rows) cols \(cols) d \(d): \(outside) writes outside the block")
            }
        }
    }

    /// The yardstick selections: `.none` (OpenBLAS's sgemm) and `.gemmOnly` (the packed kernel) compute the tiles and
    /// return empty lists, whatever the shapes.
    @Test func gemmOnlySelectionsReturnEmptyLists() {
        var g = SplitMix64(seed: 5)
        for (n, m, d) in [(1, 1, 1), (70, 33, 5), (300, 700, 16)] {
            let w = randomMatrix(n, d, &g), p = randomMatrix(m, d, &g)
            for selection in [ScoringConfiguration.Selection.none, .gemmOnly] {
                var cfg = ScoringConfiguration(k: 3, postK: 2, threads: 2)
                cfg.chunkRows = 64
                cfg.tileColumns = 100
                cfg.selection = selection
                let r = ScoreBlocks.topK(workers: w, posts: p, configuration: cfg)
                #expect(r.byWorker == CandidateTable(rows: n, k: min(3, m)) && r.byPost == CandidateTable(rows: m, k: min(2, n)),
                        "\(selection) n=\(n) m=\(m)")
            }
        }
    }

    /// Random float scores (no ties, rounding everywhere): every level gives the same lists bit for bit, with one
    /// thread and two, posts packed once or tile by tile, and the lists hold the K best by a Double-precision brute force up to the rounding of a
    /// Float dot product.
    @Test func everyLevelGivesTheSameRandomFloatLists() {
        var g = SplitMix64(seed: 7)
        let (n, m, d) = (300, 450, 40)
        let w = FeatureMatrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in Float(g.unit() - 0.5) })
        let p = FeatureMatrix(rows: m, columns: d, values: (0..<(m * d)).map { _ in Float(g.unit() - 0.5) })
        var results: [ScoringResult] = []
        for level in 0...ScoringConfiguration.bestScanLevel {
            // Chunks of 64 rows: posts packed once for the run; of 512: one chunk per worker, tiles packed as visited.
            for threads in [1, 2] {
                for chunkRows in [64, 512] {
                    var cfg = ScoringConfiguration(k: 8, postK: 6, threads: threads)
                    cfg.chunkRows = chunkRows
                    cfg.tileColumns = 100
                    cfg.scanLevel = level
                    results.append(ScoreBlocks.topK(workers: w, posts: p, configuration: cfg))
                }
            }
        }
        for r in results.dropFirst() {
            #expect(r.byWorker == results[0].byWorker && r.byPost == results[0].byPost)
        }
        let want = ReferenceTopK.topK(workers: w, posts: p, k: 8, postK: 6)
        var far = 0
        for i in 0..<n * 8 where abs(results[0].byWorker.scores[i] - want.byWorker.scores[i]) > 1e-5 { far += 1 }
        #expect(far == 0)
    }

    /// Every instruction set of the selection filter this CPU has (CScanKernel: portable, AVX2, AVX-512) gives the
    /// brute force's lists: ties frequent, bias and quantisation, widths with a tail that is not a full vector, both
    /// directions, posts' lists shared by two Dispatch workers.
    @Test func everyScanLevelEqualsBruteForce() {
        let best = ScoringConfiguration.bestScanLevel
        #expect((0...2).contains(best))
        for level in 0...best {
            var g = SplitMix64(seed: 4242 + UInt64(level))
            for (n, m, d, chunk, tile) in [(97, 61, 7, 16, 32), (150, 300, 12, 64, 100), (400, 37, 5, 8, 37), (3000, 120, 6, 16, 32)] {
                let w = randomMatrix(n, d, &g), p = randomMatrix(m, d, &g)
                let bias = (0..<m).map { _ in Float(g.below(5) - 2) * 0.5 }
                var cfg = ScoringConfiguration(k: 5, postK: 4, threads: 2)
                cfg.chunkRows = chunk
                cfg.tileColumns = tile
                cfg.floor = -6
                cfg.quantization = 2
                cfg.scanLevel = level
                let got = ScoreBlocks.topK(workers: w, posts: p, bias: bias, configuration: cfg)
                let want = ReferenceTopK.topK(workers: w, posts: p, bias: bias, k: 5, postK: 4, floor: -6, quantization: 2)
                #expect(got.byWorker == want.byWorker, "level \(level) workers n=\(n) m=\(m)")
                #expect(got.byPost == want.byPost, "level \(level) posts n=\(n) m=\(m)")
            }
        }
    }

    /// Posts with equal feature rows (DistinctPosts: one GEMM column per distinct row, the scan reading through an
    /// index) give the brute force's lists at every level: duplicates scattered through the input with different
    /// biases, groups across tile edges, identity codes and codes from ids, one and two threads.
    @Test func groupedPostsEqualBruteForce() {
        let best = ScoringConfiguration.bestScanLevel
        for level in 0...best {
            var g = SplitMix64(seed: 515 + UInt64(level))
            for (n, m, d, kinds, chunk, tile, threads) in [(90, 200, 6, 12, 16, 32, 2), (300, 77, 4, 5, 64, 16, 2),
                                                          (50, 400, 9, 40, 50, 100, 1), (400, 64, 3, 3, 8, 64, 2)] {
                let w = randomMatrix(n, d, &g), distinct = randomMatrix(kinds, d, &g)
                let pick = (0..<m).map { _ in g.below(kinds) }
                let p = FeatureMatrix(rows: m, columns: d, values: pick.flatMap { distinct.values[($0 * d)..<($0 * d + d)] })
                let bias = (0..<m).map { _ in Float(g.below(3) - 1) * 0.5 }
                #expect(DistinctPosts.find(p) != nil)
                for withIDs in [false, true] {
                    let codes = withIDs ? TieCodes(workerIDs: (0..<n).map { "W\($0 * 31 % 997)" }, postIDs: (0..<m).map { "P\($0 * 17 % 1009)" }) : nil
                    var cfg = ScoringConfiguration(k: 6, postK: 5, threads: threads)
                    cfg.chunkRows = chunk
                    cfg.tileColumns = tile
                    cfg.floor = -8
                    cfg.quantization = 2
                    cfg.scanLevel = level
                    let got = ScoreBlocks.topK(workers: w, posts: p, bias: bias, codes: codes, configuration: cfg)
                    let want = ReferenceTopK.topK(workers: w, posts: p, bias: bias, codes: codes ?? TieCodes(workers: n, posts: m),
                                                  k: 6, postK: 5, floor: -8, quantization: 2)
                    #expect(got.byWorker == want.byWorker, "level \(level) workers n=\(n) m=\(m) ids \(withIDs)")
                    #expect(got.byPost == want.byPost, "level \(level) posts n=\(n) m=\(m) ids \(withIDs)")
                }
            }
        }
    }

    /// DistinctPosts groups bit-equal rows only: every row once, equal rows adjacent in input order, groups in order
    /// of their first row, the distinct rows those of the groups; nil when few rows repeat.
    @Test func distinctPostsGroupsEqualRows() {
        let p = FeatureMatrix(rows: 7, columns: 2, values: [1, 2, 3, 4, 1, 2, 0, -0.0, 3, 4, 1, 2, 0, 0])
        let g = DistinctPosts.find(p)!
        #expect(g.order == [0, 2, 5, 1, 4, 3, 6])
        #expect(g.distinct == [0, 0, 0, 1, 1, 2, 3])
        #expect(g.rows.values == [1, 2, 3, 4, 0, -0.0, 0, 0])
        #expect(g.rows.values.map(\.bitPattern) == [1, 2, 3, 4, 0, -0.0, 0, 0].map { Float($0).bitPattern })
        var r = SplitMix64(seed: 3)
        #expect(DistinctPosts.find(randomMatrix(200, 8, &r)) == nil)
    }

    /// The reservoirs' selection (CScanKernel's branch-free quickselect) at every level: the front k keys are the
    /// k largest, the rest the others; sizes across the stack buffer's 256, k from 1 to count − 1, equal keys too.
    @Test func selectLargestKeepsTheKLargestAtEveryLevel() {
        var g = SplitMix64(seed: 31)
        for level in 0...ScoringConfiguration.bestScanLevel {
            for trial in 0..<400 {
                let count = 2 + g.below(trial % 10 == 0 ? 600 : 120)
                let k = 1 + g.below(count - 1)
                let spread = trial % 7 == 0 ? 3 : Int.max  // some trials with many equal keys
                var keys = (0..<count).map { _ in UInt64(g.below(spread)) &* 0x9E37_79B9_7F4A_7C15 }
                let want = keys.sorted(by: >)
                keys.withUnsafeMutableBufferPointer { lm_select_largest(level, $0.baseAddress, Int32(count), Int32(k)) }
                #expect(keys[..<k].sorted(by: >) == Array(want[..<k]), "level \(level) count \(count) k \(k)")
                #expect(keys.sorted(by: >) == want, "level \(level): a key lost or duplicated")
            }
        }
    }

    /// The filter of one row at every level against the rule written out here: a column is returned when its score
    /// (row + bias, × q rounded to even) beats the worker's threshold or the post's, or equals one and its tie rank
    /// ((code ^ salt) × multiplier mod 2³²) is below that threshold's rank; columns in order, with their scores.
    @Test func scanFilterReturnsExactlyTheColumnsThatBeatAThreshold() {
        var g = SplitMix64(seed: 99)
        let mult: UInt32 = 0x9E37_79B1
        for level in 0...ScoringConfiguration.bestScanLevel {
            for trial in 0..<300 {
                let width = 1 + g.below(80)
                // Every other trial reads the scores through a column index (grouped posts): it starts at 0 and
                // rises by 0 or 1; the row then holds one score per distinct index, plus 16 readable floats.
                var index: [Int32] = [0]
                for _ in 1..<max(width, 1) { index.append(index.last! + Int32(g.below(2))) }
                index = Array(index.prefix(width))
                // The four options independent (trial's low bits), so that each of the kernel's sixteen specialised
                // copies is checked at every level.
                let indexed = trial & 1 == 1
                let stored = (0..<((indexed ? Int(index.last!) + 1 : width) + 16)).map { _ in Float(g.below(9)) * 0.5 - 2 }
                let row = (0..<width).map { stored[indexed ? Int(index[$0]) : $0] }
                let bias = (0..<width).map { _ in Float(g.below(3)) * 0.25 }
                let useBias = trial >> 1 & 1 == 1, quantize = trial >> 2 & 1 == 1, posts = trial >> 3 & 1 == 1
                let q: Float = quantize ? 2 : 0
                func score(_ j: Int) -> Float {
                    var s = row[j]
                    if useBias { s = s + bias[j] }
                    if quantize { s = (s * q + 12_582_912) - 12_582_912 }
                    return s
                }
                let codes = (0..<width).map { _ in UInt32(truncatingIfNeeded: g.next()) }
                let salts = (0..<width).map { _ in UInt32(truncatingIfNeeded: g.next()) }
                let pt = (0..<width).map { _ in score(g.below(width)) }
                let ptRank = (0..<width).map { _ in UInt32(truncatingIfNeeded: g.next()) }
                let wt = trial % 5 == 4 ? Float.infinity : score(g.below(width))
                let wRank = UInt32(truncatingIfNeeded: g.next()), wSalt = UInt32(truncatingIfNeeded: g.next())
                let wCode = UInt32(truncatingIfNeeded: g.next())
                var want: [(Int32, Float)] = []
                for j in 0..<width {
                    let s = score(j)
                    let worker = s > wt || (s == wt && (codes[j] ^ wSalt) &* mult < wRank)
                    let post = posts && (s > pt[j] || (s == pt[j] && (wCode ^ salts[j]) &* mult < ptRank[j]))
                    if worker || post { want.append((Int32(j), s)) }
                }
                var columns = [Int32](repeating: -1, count: width + 16), scores = [Float](repeating: 0, count: width + 16)
                let found = stored.withUnsafeBufferPointer { r in bias.withUnsafeBufferPointer { b in
                    index.withUnsafeBufferPointer { ix in
                    codes.withUnsafeBufferPointer { c in salts.withUnsafeBufferPointer { sa in
                    pt.withUnsafeBufferPointer { t in ptRank.withUnsafeBufferPointer { tr in
                        var a = LMScanRow()
                        a.row = r.baseAddress
                        a.columnIndex = indexed ? ix.baseAddress : nil
                        a.bias = useBias ? b.baseAddress : nil
                        a.quantization = q
                        a.workerThreshold = wt
                        a.workerThresholdRank = wRank
                        a.workerSalt = wSalt
                        a.postCodes = c.baseAddress
                        a.postThreshold = posts ? t.baseAddress : nil
                        a.postThresholdRank = posts ? tr.baseAddress : nil
                        a.postSalt = posts ? sa.baseAddress : nil
                        a.workerCode = wCode
                        a.multiplier = mult
                        a.width = Int32(width)
                        return Int(lm_scan_row(level, &a, &columns, &scores))
                    }}}}}}}
                #expect(found == want.count, "level \(level) trial \(trial)")
                #expect(Array(columns.prefix(found)) == want.map(\.0), "level \(level) trial \(trial)")
                #expect(Array(scores.prefix(found)) == want.map(\.1), "level \(level) trial \(trial)")
            }
        }
    }
}

extension ScoreBlocksTests {
    /// The kernel's view of a row of `width` columns: its scores read through `index` when given, `bias` added when
    /// given, quantised (× 2, rounded) when `quantize`. Valid while the buffers are.
    func kernelRow(_ row: UnsafeBufferPointer<Float>, index: UnsafeBufferPointer<Int32>?, bias: UnsafeBufferPointer<Float>?,
                   quantize: Bool, width: Int) -> LMScanRow {
        var a = LMScanRow()
        a.row = row.baseAddress
        a.columnIndex = index?.baseAddress
        a.bias = bias?.baseAddress
        a.quantization = quantize ? 2 : 0
        a.width = Int32(width)
        return a
    }

    /// lm_post_bounds: for each column, the k-th largest of its groups-of-eight-rows maxima (rows g, g + rows/8, …),
    /// with the column's bias and quantisation (scores as the test computes them, through a column index), at least
    /// k rows reach it; −∞ everywhere when there are too few rows.
    @Test func postBoundsAreTheKthBestGroupMaxima() {
        var g = SplitMix64(seed: 43)
        for trial in 0..<200 {
            let width = 1 + g.below(40), rows = 1 + g.below(120)
            var index: [Int32] = [0]
            for _ in 1..<width { index.append(index.last! + Int32(g.below(2))) }
            let indexed = trial & 1 == 1, useBias = trial >> 1 & 1 == 1, quantize = trial >> 2 & 1 == 1
            let ld = indexed ? Int(index.last!) + 1 : width
            let buffer = (0..<(rows * ld + 16)).map { _ in Float(g.below(41)) * 0.125 - 2.5 }
            let bias = (0..<width).map { _ in Float(g.below(3)) * 0.25 }
            func score(_ r: Int, _ j: Int) -> Float {
                var s = buffer[r * ld + (indexed ? Int(index[j]) : j)]
                if useBias { s = s + bias[j] }
                if quantize { s = (s * 2 + 12_582_912) - 12_582_912 }
                return s
            }
            let k = 1 + g.below(rows / 8 + 2)
            var bounds = [Float](repeating: .nan, count: width)
            buffer.withUnsafeBufferPointer { b in bias.withUnsafeBufferPointer { bi in index.withUnsafeBufferPointer { ix in
                bounds.withUnsafeMutableBufferPointer { out in
                    var a = kernelRow(b, index: indexed ? ix : nil, bias: useBias ? bi : nil, quantize: quantize, width: width)
                    lm_post_bounds(&a, Int32(rows), Int32(ld), Int32(k), out.baseAddress)
                }
            }}}
            let groups = rows / 8
            for j in 0..<width {
                guard k <= groups else {
                    #expect(bounds[j] == -.infinity, "trial \(trial)")
                    continue
                }
                let maxima = (0..<groups).map { gi in (0..<8).map { score(gi + $0 * groups, j) }.max()! }.sorted(by: >)
                #expect(bounds[j] == maxima[k - 1], "trial \(trial) column \(j)")
                #expect((0..<rows).filter { score($0, j) >= bounds[j] }.count >= k, "trial \(trial) column \(j)")
            }
        }
    }

    /// lm_row_bound is the k-th largest of the row's groups-of-eight maxima (scores as the test computes them, with a
    /// bias, quantisation and a column index), at least k columns reach it, and it is −∞ when there are too few groups.
    @Test func rowBoundIsTheKthBestGroupMaximum() {
        var g = SplitMix64(seed: 41)
        for trial in 0..<400 {
            let width = 1 + g.below(200)
            var index: [Int32] = [0]
            for _ in 1..<width { index.append(index.last! + Int32(g.below(2))) }
            let indexed = trial & 1 == 1, useBias = trial >> 1 & 1 == 1, quantize = trial >> 2 & 1 == 1
            let stored = (0..<((indexed ? Int(index.last!) + 1 : width) + 16)).map { _ in Float(g.below(41)) * 0.125 - 2.5 }
            let bias = (0..<width).map { _ in Float(g.below(3)) * 0.25 }
            func score(_ j: Int) -> Float {
                var s = stored[indexed ? Int(index[j]) : j]
                if useBias { s = s + bias[j] }
                if quantize { s = (s * 2 + 12_582_912) - 12_582_912 }
                return s
            }
            let k = 1 + g.below(width / 8 + 2)
            let bound = stored.withUnsafeBufferPointer { r in bias.withUnsafeBufferPointer { b in index.withUnsafeBufferPointer { ix in
                var a = kernelRow(r, index: indexed ? ix : nil, bias: useBias ? b : nil, quantize: quantize, width: width)
                return lm_row_bound(&a, Int32(k))
            }}}
            let groups = width / 8
            guard k <= groups else {
                #expect(bound == -.infinity, "trial \(trial)")
                continue
            }
            // Group g: the columns g, g + groups, …, g + 7·groups.
            let maxima = (0..<groups).map { gi in (0..<8).map { score(gi + $0 * groups) }.max()! }.sorted(by: >)
            #expect(bound == maxima[k - 1], "trial \(trial)")
            #expect((0..<width).filter { score($0) >= bound }.count >= k, "trial \(trial)")
        }
    }
}

@Suite struct TieOrderTests {
    @Test func isABijectionPerOwner() {
        for owner: UInt32 in [0, 1, 77, 123_456, 0xFFFF_FFFF] {
            var seen = Set<UInt32>()
            let salt = TieOrder.salt(owner)
            for c in UInt32(0)..<5000 {
                let r = TieOrder.rank(owner: owner, candidate: c &* 2_654_435_761)
                #expect(seen.insert(r).inserted)
                #expect(TieOrder.candidate(salt: salt, rank: r) == c &* 2_654_435_761)
            }
        }
    }

    @Test func codesAreUniqueAndDependOnlyOnTheIDs() throws {
        let ids = (0..<20_000).map { "P\($0)" }
        let codes = TieCodes(workerIDs: ids, postIDs: [])
        #expect(Set(codes.workers).count == ids.count)
        // Shuffled: each id keeps its code.
        var g = SplitMix64(seed: 5)
        var shuffled = ids
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, g.below(i + 1)) }
        let again = TieCodes(workerIDs: shuffled, postIDs: [])
        let byID = Dictionary(uniqueKeysWithValues: zip(ids, codes.workers))
        #expect(zip(shuffled, again.workers).allSatisfy { byID[$0.0] == $0.1 })
        // A real clash: two ids whose hashes collide get distinct codes, the same whatever the row order.
        var seen: [UInt32: String] = [:]
        var pair: (String, String)?
        for i in 0..<400_000 {
            let id = "W\(i)"
            let c = TieCodes.code(of: id)
            if let other = seen[c] { pair = (other, id); break }
            seen[c] = id
        }
        let (a, b) = try #require(pair)
        #expect(TieCodes.code(of: a) == TieCodes.code(of: b))
        let one = TieCodes.unique([a, "X", b]), two = TieCodes.unique([b, a, "X"])
        #expect(Set(one).count == 3 && Set(two).count == 3)
        #expect(one[0] == two[1] && one[2] == two[0] && one[1] == two[2])
    }

    /// The same matrices with ids, rows shuffled: every list holds the same candidates (by id) in the same order.
    @Test func identityCodesMakeResultsIndependentOfRowOrder() {
        var g = SplitMix64(seed: 8)
        let n = 120, m = 90, d = 3
        let w = (0..<(n * d)).map { _ in Float(g.below(3)) }, p = (0..<(m * d)).map { _ in Float(g.below(3)) }
        let wid = (0..<n).map { "W\($0 * 7919 % 1000)" }, pid = (0..<m).map { "P\($0)" }
        func run(_ wOrder: [Int], _ pOrder: [Int]) -> ([[String]], [[String]]) {
            let wm = FeatureMatrix(rows: n, columns: d, values: wOrder.flatMap { w[($0 * d)..<($0 * d + d)] })
            let pm = FeatureMatrix(rows: m, columns: d, values: pOrder.flatMap { p[($0 * d)..<($0 * d + d)] })
            let codes = TieCodes(workerIDs: wOrder.map { wid[$0] }, postIDs: pOrder.map { pid[$0] })
            var cfg = ScoringConfiguration(k: 7, postK: 5, threads: 2)
            cfg.chunkRows = 16
            cfg.tileColumns = 32
            let r = ScoreBlocks.topK(workers: wm, posts: pm, codes: codes, configuration: cfg)
            let ref = ReferenceTopK.topK(workers: wm, posts: pm, codes: codes, k: 7, postK: 5)
            #expect(r.byWorker == ref.byWorker && r.byPost == ref.byPost)
            var byW = [[String]](repeating: [], count: n), byP = [[String]](repeating: [], count: m)
            for (row, i) in wOrder.enumerated() { byW[i] = r.byWorker.candidates(of: row).map { pid[pOrder[$0.id]] } }
            for (row, j) in pOrder.enumerated() { byP[j] = r.byPost!.candidates(of: row).map { wid[wOrder[$0.id]] } }
            return (byW, byP)
        }
        let base = run(Array(0..<n), Array(0..<m))
        var wo = Array(0..<n), po = Array(0..<m)
        for i in stride(from: n - 1, to: 0, by: -1) { wo.swapAt(i, g.below(i + 1)) }
        for i in stride(from: m - 1, to: 0, by: -1) { po.swapAt(i, g.below(i + 1)) }
        let shuffled = run(wo, po)
        #expect(shuffled.0 == base.0 && shuffled.1 == base.1)
    }
}
