import Foundation

/// The weights of the match score, read from `Data/weights.csv` (editing it changes scores, no code change).
///
/// Exactness: worker-side values are multiples of 1/16 and substitution credits multiples of 1/16, so a
/// worker's occupation value is a multiple of 1/256; post-side weights are multiples of 1/4; hard penalties are
/// −`big` (a power of two). Every product is then a multiple of 1/1024 and every partial sum stays far below
/// 2^24 / 1024 in magnitude, so Float32 GEMM gives the exact score in any summation order, and
/// `score × 1024` (the quantised score) is an integer.
public struct ScoringWeights: Sendable, Equatable {
    public var occupation: Double = 4
    /// Worker value of the 1st, 2nd, 3rd-and-later intention.
    public var intention: [Double] = [1, 0.625, 0.5]
    public var skill: Double = 0.5
    public var destination: Double = 1
    public var wageMet: Double = 1
    public var wageMaxMet: Double = 0.5
    /// Expectation buckets, increasing; an expectation counts as the smallest edge at or above it.
    public var wageEdges: [Int] = [3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500, 7000, 8000, 9000, 10000, 12000, 15000]
    public var boardLodging: Double = 0.5
    public var big: Double = 256

    /// Scores are multiplied by this before selection (an exact power of two: results are integers).
    public static let quantization: Float = 1024

    public init() {}

    /// The largest score an eligible pair can reach.
    public var maxSoftScore: Double {
        occupation * max(intention.max() ?? 0, skill, 1) + destination + max(wageMet, wageMaxMet) + boardLodging
    }

    /// Scores at or below this are ineligible (a hard rule was broken).
    public var floor: Double { -big / 2 }

    public static func load(path: String) throws -> ScoringWeights {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TaxonomyError(file: path, line: nil, message: "weights file is missing (缺少权重文件)")
        }
        let table: CSVTable
        do { table = try CSVTable.read(path: path, encoding: .utf8) } catch {
            throw TaxonomyError(file: path, line: nil, message: "\(error)")
        }
        let header = table.header.map { Normalize.cell($0) }
        guard let ki = header.firstIndex(of: "key"), let vi = header.firstIndex(of: "value") else {
            throw TaxonomyError(file: path, line: 1, message: "needs columns 'key' and 'value'")
        }
        var w = ScoringWeights()
        var seen = Set<String>()
        for r in table.records {
            let key = ki < r.fields.count ? Normalize.cell(r.fields[ki]) : ""
            let value = vi < r.fields.count ? Normalize.cell(r.fields[vi]) : ""
            if key.isEmpty { continue }
            func fail(_ m: String) -> TaxonomyError { TaxonomyError(file: path, line: r.line, message: "\(key) = '\(value)': \(m)") }
            func number(multipleOf q: Double) throws -> Double {
                guard let v = Double(value), v >= 0, v <= 64, (v * q).rounded() == v * q else {
                    throw fail("must be a number 0–64 and a multiple of 1/\(Int(q))")
                }
                return v
            }
            guard seen.insert(key).inserted else { throw fail("set twice") }
            switch key {
            case "occupation": w.occupation = try number(multipleOf: 4)
            case "intention.1": w.intention[0] = try number(multipleOf: 16)
            case "intention.2": w.intention[1] = try number(multipleOf: 16)
            case "intention.3": w.intention[2] = try number(multipleOf: 16)
            case "skill": w.skill = try number(multipleOf: 16)
            case "destination": w.destination = try number(multipleOf: 4)
            case "wage.met": w.wageMet = try number(multipleOf: 4)
            case "wage.max_met": w.wageMaxMet = try number(multipleOf: 4)
            case "board_lodging": w.boardLodging = try number(multipleOf: 4)
            case "wage.edges":
                let edges = value.split(separator: "|").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !edges.isEmpty, edges.allSatisfy({ $0 != nil && $0! > 0 }) else { throw fail("must be whole yuan separated by |") }
                let e = edges.map { $0! }
                guard zip(e, e.dropFirst()).allSatisfy({ $0 < $1 }) else { throw fail("edges must increase") }
                w.wageEdges = e
            case "big":
                guard let v = Int(value), [64, 128, 256, 512, 1024].contains(v) else { throw fail("must be 64, 128, 256, 512 or 1024") }
                w.big = Double(v)
            default:
                throw fail("unknown key (未知参数)")
            }
        }
        guard w.maxSoftScore < w.big / 2 else {
            throw TaxonomyError(file: path, line: nil, message: "big = \(Int(w.big)) must exceed twice the largest soft score (\(w.maxSoftScore))")
        }
        return w
    }

    /// The soft keys `learn` fits, in the order of `MatchRules.softBlocks`; the other keys (occupation, big,
    /// wage.edges) are the scale and the hard rules, copied unchanged into a learned file.
    public static let softKeys = ["intention.1", "intention.2", "intention.3", "skill", "destination", "wage.met", "wage.max_met", "board_lodging"]

    /// What one unit of each soft block adds to the score: occupation × intention (by rank) and × skill, then the
    /// post-side weights as they are.
    public var softBlockWeights: [Double] {
        [occupation * intention[0], occupation * intention[1], occupation * intention[2], occupation * skill,
         destination, wageMet, wageMaxMet, boardLodging]
    }

    /// These weights with the soft blocks set from `blocks` (any scale): scaled so the largest block equals this
    /// file's largest, negative ones set to 0, and each rounded to its key's grid (intention and skill to 1/16 of
    /// the occupation weight, the post-side ones to 1/4), so that scores stay exact in Float32 GEMM. The
    /// occupation weight, `big` and the wage edges are kept.
    /// Blocks whose index is in `keeping` (e.g. a feature constant in the data, which says nothing about it) keep
    /// their current value.
    public func withSoftBlocks(_ blocks: [Double], keeping: Set<Int> = []) -> ScoringWeights {
        precondition(blocks.count == ScoringWeights.softKeys.count, "one value per soft key")
        let top = softBlockWeights.max() ?? 1, learnedTop = blocks.indices.filter { !keeping.contains($0) }.map { blocks[$0] }.max() ?? 0
        let scale = learnedTop > 0 ? top / learnedTop : 0
        func grid(_ v: Double, _ q: Double) -> Double { min(64, (max(0, v) * q).rounded() / q) }
        var w = self
        let occ = occupation > 0 ? occupation : 1
        w.intention = (0..<3).map { grid(blocks[$0] * scale / occ, 16) }
        w.skill = grid(blocks[3] * scale / occ, 16)
        w.destination = grid(blocks[4] * scale, 4)
        w.wageMet = grid(blocks[5] * scale, 4)
        w.wageMaxMet = grid(blocks[6] * scale, 4)
        w.boardLodging = grid(blocks[7] * scale, 4)
        if keeping.contains(0) { w.intention[0] = intention[0] }
        if keeping.contains(1) { w.intention[1] = intention[1] }
        if keeping.contains(2) { w.intention[2] = intention[2] }
        if keeping.contains(3) { w.skill = skill }
        if keeping.contains(4) { w.destination = destination }
        if keeping.contains(5) { w.wageMet = wageMet }
        if keeping.contains(6) { w.wageMaxMet = wageMaxMet }
        if keeping.contains(7) { w.boardLodging = boardLodging }
        return w
    }

    /// The value written for `key` in weights.csv.
    public func text(forKey key: String) -> String? {
        func n(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
        switch key {
        case "occupation": return n(occupation)
        case "intention.1": return n(intention[0])
        case "intention.2": return n(intention[1])
        case "intention.3": return n(intention[2])
        case "skill": return n(skill)
        case "destination": return n(destination)
        case "wage.met": return n(wageMet)
        case "wage.max_met": return n(wageMaxMet)
        case "board_lodging": return n(boardLodging)
        case "wage.edges": return wageEdges.map(String.init).joined(separator: "|")
        case "big": return n(big)
        default: return nil
        }
    }

    /// This weights file written in the layout of `template` (a weights.csv: its keys in its order, its
    /// `meaning` column kept), each value from these weights.
    public func csv(template path: String) throws -> CSVWriter {
        let t = try CSVTable.read(path: path, encoding: .utf8)
        var out = CSVWriter(header: t.header)
        let header = t.header.map { Normalize.cell($0) }
        guard let ki = header.firstIndex(of: "key"), let vi = header.firstIndex(of: "value") else {
            throw TaxonomyError(file: path, line: 1, message: "needs columns 'key' and 'value'")
        }
        for r in t.records {
            var f = r.fields
            while f.count < header.count { f.append("") }
            if let v = text(forKey: Normalize.cell(f[ki])) { f[vi] = v }
            out.append(f)
        }
        return out
    }

    /// Worker value for an intention of rank `r` (0-based).
    public func intentionWeight(rank r: Int) -> Double { intention[min(r, intention.count - 1)] }

    /// The bucket of an expectation: the smallest edge at or above it; `wageEdges.count` when above all edges.
    /// Bucket 0 of the encoding stands for "no expectation" (edge 0).
    public func wageBucket(_ expected: Int?) -> Int {
        guard let e = expected, e > 0 else { return 0 }
        for (i, edge) in wageEdges.enumerated() where edge >= e { return i + 1 }
        return wageEdges.count + 1
    }

    /// The yuan amount a bucket stands for; above the last edge, anything more than it.
    public func bucketEdge(_ b: Int) -> Int {
        b == 0 ? 0 : b <= wageEdges.count ? wageEdges[b - 1] : (wageEdges.last ?? 0) + 1
    }
}
