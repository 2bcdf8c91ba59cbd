import Foundation

/// The reference lists the engine reads from `Data/taxonomy/` at run time: townships, destinations,
/// occupations (with ISCO-08 codes and a substitution table), certificates and education levels.
/// Staff edit these CSV files; no list lives in code.
public struct Taxonomy: Sendable {
    public struct Township: Sendable, Hashable { public var code: String; public var name: String }
    public struct Destination: Sendable, Hashable { public var name: String; public var city: String }
    public struct Occupation: Sendable, Hashable { public var name: String; public var isco: [String] }
    public struct Certificate: Sendable, Hashable { public var name: String; public var implies: [Int] }
    public struct EducationLevel: Sendable, Hashable { public var name: String; public var rank: Int }

    public var townships: [Township] = []
    public var destinations: [Destination] = []
    public var occupations: [Occupation] = []
    public var certificates: [Certificate] = []
    public var education: [EducationLevel] = []
    /// Related trades: `substitutes[i]` lists (j, credit) with credit in (0, 1): a worker of trade i is worth
    /// `credit` of a full match on a post of trade j. Symmetric.
    public var substitutes: [[(occupation: Int, credit: Double)]] = []
    /// Destination groups a worker may name (深圳 → every Shenzhen district); nil members = anywhere (不限).
    public var groups: [String: [Int]?] = [:]
    /// Other names of the input files' columns (`columns.csv`): kind (workers, posts, placements,
    /// contributions) → column key → names.
    public var columnAliases: [String: [String: [String]]] = [:]
    /// The name a group is listed under (深圳 → 深圳市), by any of its names.
    var groupNames: [String: String] = [:]

    var townshipIndex: [String: Int] = [:]
    var destinationIndex: [String: Int] = [:]
    var occupationIndex: [String: Int] = [:]
    var certificateIndex: [String: Int] = [:]
    var educationIndex: [String: Int] = [:]

    public init() {}

    // MARK: - Lookups (keys are normalised: trimmed, NFKC, ASCII lower-cased)

    public func township(_ s: String) -> Int? { townshipIndex[Taxonomy.key(s)] }
    public func destination(_ s: String) -> Int? { destinationIndex[Taxonomy.key(s)] }
    public func occupation(_ s: String) -> Int? { occupationIndex[Taxonomy.key(s)] }
    public func certificate(_ s: String) -> Int? { certificateIndex[Taxonomy.key(s)] }
    public func educationLevel(_ s: String) -> Int? { educationIndex[Taxonomy.key(s)] }
    /// A destination group's members: `.some(nil)` means anywhere, nil means not a group.
    public func group(_ s: String) -> [Int]?? { groups[Taxonomy.key(s)] }
    public func groupName(_ s: String) -> String? { groupNames[Taxonomy.key(s)] }

    /// Certificates a holder of `held` effectively has (a B2 licence also covers C1).
    public func closure(ofCertificates held: [Int]) -> [Int] {
        var out = Set(held)
        var stack = held
        while let c = stack.popLast() {
            for d in certificates[c].implies where out.insert(d).inserted { stack.append(d) }
        }
        return out.sorted()
    }

    /// The partial credit for a worker of trade `a` on a post of trade `b` (1 when equal, 0 when unrelated).
    public func credit(_ a: Int, _ b: Int) -> Double {
        if a == b { return 1 }
        for s in substitutes[a] where s.occupation == b { return s.credit }
        return 0
    }

    static func key(_ s: String) -> String {
        let n = Normalize.cell(s)
        // Most cells are Chinese names or lower-case codes, which lowercasing leaves as they are: only a cell with
        // an ASCII capital or a non-CJK non-ASCII character (which may have case) goes through `lowercased()`.
        for u in n.unicodeScalars where (0x41...0x5A ~= u.value) || (u.value >= 0x80 && !(0x4E00...0x9FFF ~= u.value) && !(0x3400...0x4DBF ~= u.value)) {
            return n.lowercased()
        }
        return n
    }
}

public struct TaxonomyError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

extension Taxonomy {
    /// Loads every list from `directory` (normally `Data/taxonomy`).
    /// - Throws: `TaxonomyError` naming the file and line of the first problem.
    public static func load(directory: String) throws -> Taxonomy {
        var t = Taxonomy()
        func rows(_ name: String, _ columns: [String]) throws -> [(line: Int, cells: [String: String])] {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else {
                throw TaxonomyError(file: path, line: nil, message: "taxonomy file is missing (缺少分类文件)")
            }
            let table: CSVTable
            do { table = try CSVTable.read(path: path, encoding: .utf8) } catch {
                throw TaxonomyError(file: path, line: nil, message: "\(error)")
            }
            let header = table.header.map { Normalize.cell($0) }
            for c in columns where !header.contains(c) {
                throw TaxonomyError(file: path, line: 1, message: "missing column '\(c)' (缺少列)")
            }
            return table.records.compactMap { r in
                if r.fields.allSatisfy({ Normalize.cell($0).isEmpty }) { return nil }
                var d: [String: String] = [:]
                for (i, h) in header.enumerated() { d[h] = i < r.fields.count ? Normalize.cell(r.fields[i]) : "" }
                return (r.line, d)
            }
        }
        func add(_ index: inout [String: Int], _ name: String, _ value: Int, _ path: String, _ line: Int) throws {
            let k = Taxonomy.key(name)
            guard !k.isEmpty else { return }
            if let old = index[k], old != value {
                throw TaxonomyError(file: path, line: line, message: "name or alias '\(name)' is used twice (名称或别名重复)")
            }
            index[k] = value
        }
        func aliases(_ s: String?) -> [String] {
            (s ?? "").split(separator: "|").map { Normalize.cell(String($0)) }.filter { !$0.isEmpty }
        }
        func need(_ cells: [String: String], _ col: String, _ path: String, _ line: Int) throws -> String {
            guard let v = cells[col], !v.isEmpty else {
                throw TaxonomyError(file: path, line: line, message: "column '\(col)' is empty (不能为空)")
            }
            return v
        }

        var path = directory + "/townships.csv"
        for (line, c) in try rows("townships.csv", ["code", "name", "aliases"]) {
            let code = try need(c, "code", path, line), name = try need(c, "name", path, line)
            guard code.count == 9, code.allSatisfy(\.isASCII), Int(code) != nil else {
                throw TaxonomyError(file: path, line: line, message: "township code '\(code)' must have 9 digits")
            }
            let i = t.townships.count
            t.townships.append(Township(code: code, name: name))
            for k in [code, name] + aliases(c["aliases"]) { try add(&t.townshipIndex, k, i, path, line) }
        }

        path = directory + "/destinations.csv"
        for (line, c) in try rows("destinations.csv", ["name", "city", "aliases"]) {
            let name = try need(c, "name", path, line), city = try need(c, "city", path, line)
            let i = t.destinations.count
            t.destinations.append(Destination(name: name, city: city))
            for k in [name] + aliases(c["aliases"]) { try add(&t.destinationIndex, k, i, path, line) }
        }

        path = directory + "/destination_groups.csv"
        for (line, c) in try rows("destination_groups.csv", ["name", "members", "aliases"]) {
            let name = try need(c, "name", path, line)
            let members = try need(c, "members", path, line)
            var list: [Int]? = nil
            if members != "*" {
                list = try aliases(members).map { m in
                    guard let d = t.destination(m) else {
                        throw TaxonomyError(file: path, line: line, message: "unknown destination '\(m)' (未知地区)")
                    }
                    return d
                }
            }
            for k in [name] + aliases(c["aliases"]) {
                t.groups[Taxonomy.key(k)] = .some(list)
                t.groupNames[Taxonomy.key(k)] = name
            }
        }

        path = directory + "/columns.csv"
        let schemas = ["workers": Schema.workers, "posts": Schema.posts, "placements": HistoryIntake.placementSchema,
                       "contributions": HistoryIntake.contributionSchema]
        var seenAlias: [String: [String: String]] = [:]
        for (line, c) in try rows("columns.csv", ["kind", "key", "aliases"]) {
            let kind = try need(c, "kind", path, line), key = try need(c, "key", path, line)
            guard let schema = schemas[kind] else {
                throw TaxonomyError(file: path, line: line, message: "kind '\(kind)' must be one of \(schemas.keys.sorted().joined(separator: ", "))")
            }
            guard let column = schema.columns.first(where: { $0.key == key }) else {
                throw TaxonomyError(file: path, line: line, message: "\(kind) has no column '\(key)' (未知列): \(schema.columns.map(\.key).joined(separator: ", "))")
            }
            for a in aliases(c["aliases"]) {
                let k = Taxonomy.key(a)
                let clash = schema.columns.first { $0.key != key && (Taxonomy.key($0.key) == k || Taxonomy.key($0.chinese) == k) }
                if let other = seenAlias[kind]?[k] ?? clash?.key, other != key {
                    throw TaxonomyError(file: path, line: line, message: "alias '\(a)' already names \(kind) column '\(other)' (别名重复)")
                }
                seenAlias[kind, default: [:]][k] = key
                t.columnAliases[kind, default: [:]][column.key, default: []].append(a)
            }
        }

        path = directory + "/occupations.csv"
        for (line, c) in try rows("occupations.csv", ["name", "isco", "aliases"]) {
            let name = try need(c, "name", path, line)
            let isco = aliases(c["isco"])
            for code in isco where code.count != 4 || Int(code) == nil {
                throw TaxonomyError(file: path, line: line, message: "ISCO-08 code '\(code)' must have 4 digits")
            }
            let i = t.occupations.count
            t.occupations.append(Occupation(name: name, isco: isco))
            for k in [name] + aliases(c["aliases"]) { try add(&t.occupationIndex, k, i, path, line) }
        }
        t.substitutes = Array(repeating: [], count: t.occupations.count)

        path = directory + "/substitutions.csv"
        for (line, c) in try rows("substitutions.csv", ["occupation", "related", "credit"]) {
            let a = try need(c, "occupation", path, line), b = try need(c, "related", path, line)
            guard let i = t.occupation(a) else { throw TaxonomyError(file: path, line: line, message: "unknown occupation '\(a)' (未知工种)") }
            guard let j = t.occupation(b) else { throw TaxonomyError(file: path, line: line, message: "unknown occupation '\(b)' (未知工种)") }
            let cs = try need(c, "credit", path, line)
            // Credits are multiples of 1/16 in (0, 1) so that every score stays exact in Float32 (see ScoringWeights).
            guard let v = Double(cs), v > 0, v < 1, (v * 16).rounded() == v * 16 else {
                throw TaxonomyError(file: path, line: line, message: "credit '\(cs)' must be a multiple of 1/16 (0.0625) strictly between 0 and 1")
            }
            guard i != j else { throw TaxonomyError(file: path, line: line, message: "an occupation cannot substitute itself") }
            t.substitutes[i].removeAll { $0.occupation == j }
            t.substitutes[j].removeAll { $0.occupation == i }
            t.substitutes[i].append((j, v))
            t.substitutes[j].append((i, v))
        }

        path = directory + "/certificates.csv"
        let certRows = try rows("certificates.csv", ["name", "implies", "aliases"])
        for (line, c) in certRows {
            let name = try need(c, "name", path, line)
            let i = t.certificates.count
            t.certificates.append(Certificate(name: name, implies: []))
            for k in [name] + aliases(c["aliases"]) { try add(&t.certificateIndex, k, i, path, line) }
        }
        for (n, (line, c)) in certRows.enumerated() {
            t.certificates[n].implies = try aliases(c["implies"]).map { m in
                guard let d = t.certificate(m) else {
                    throw TaxonomyError(file: path, line: line, message: "unknown certificate '\(m)' in implies (未知证书)")
                }
                return d
            }
        }

        path = directory + "/education.csv"
        for (line, c) in try rows("education.csv", ["rank", "name", "aliases"]) {
            let name = try need(c, "name", path, line), rs = try need(c, "rank", path, line)
            guard let rank = Int(rs), rank >= 1, rank <= 16 else {
                throw TaxonomyError(file: path, line: line, message: "rank '\(rs)' must be a whole number 1–16")
            }
            let i = t.education.count
            t.education.append(EducationLevel(name: name, rank: rank))
            for k in [name] + aliases(c["aliases"]) { try add(&t.educationIndex, k, i, path, line) }
        }

        for (file, empty) in [("townships.csv", t.townships.isEmpty), ("destinations.csv", t.destinations.isEmpty),
                              ("occupations.csv", t.occupations.isEmpty), ("certificates.csv", t.certificates.isEmpty),
                              ("education.csv", t.education.isEmpty)] where empty {
            throw TaxonomyError(file: directory + "/" + file, line: nil, message: "the list is empty (列表为空)")
        }
        return t
    }

    /// Education ranks, 1 = lowest; levels of equal rank (高中, 中专) count the same.
    public var educationRanks: Int { education.map(\.rank).max() ?? 0 }
}

/// Where the `Data/` folder is: `--data-dir`, else the folder that holds the executable or one of its
/// parents (a SwiftPM build lives in `<package>/.build/<config>/`), else the source tree it was built from.
public enum DataDirectory {
    public static func locate(explicit: String?, executablePath: String?) -> String {
        if let explicit { return explicit }
        var candidates: [String] = []
        if let exe = executablePath {
            var url = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(url.appendingPathComponent("Data").path)
                url = url.deletingLastPathComponent()
            }
        }
        candidates.append(sourceTreeDataDirectory)
        candidates.append(FileManager.default.currentDirectoryPath + "/Data")
        for c in candidates where FileManager.default.fileExists(atPath: c + "/taxonomy/townships.csv") { return c }
        return sourceTreeDataDirectory
    }

    /// `<package>/Data`, from this file's path at build time.
    public static var sourceTreeDataDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data").path
    }
}
