import Foundation
import LaborModel
import TOMLKit

/// A planner's scenario file (TOML; `Data/plan-example.toml` documents it): scenarios that share one scoring pass.
public struct ScenarioFile: Sendable {
    public struct Transport: Sendable, Equatable {
        public var seats: Int
        public var departures: [CivilDate]
        public var maxBusesPerDeparture: Int?
    }

    /// 培训: give `certificate` to up to `count` workers of `township` who name `occupation` (intention or skill).
    public struct Training: Sendable, Equatable {
        public var certificate: Int
        public var township: Int
        public var occupation: Int
        public var count: Int
    }

    public struct Scenario: Sendable {
        public var name: String
        /// The line of its `[[scenario]]` header.
        public var line: Int
        public var poorShare: Double?
        public var poorBonus: Double?
        public var quotas = Quotas()
        public var quotaRequest = QuotaSpec.Request()
        public var excludeEmployers: [String] = []
        public var train: [Training] = []
    }

    public var topK: Int?
    public var transport: Transport?
    public var sweep: [Double] = []
    public var scenarios: [Scenario] = []

    /// A problem in the file: its line (and column when the TOML itself is malformed) and what is wrong.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int
        public var column: Int?
        public var message: String
        public var description: String { "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(message)" }
    }

    public static func read(path: String, taxonomy: Taxonomy) throws -> ScenarioFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVError.cannotRead(file: path, reason: "no such file or not readable")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, taxonomy: taxonomy)
    }

    public static func parse(_ text: String, file: String, taxonomy: Taxonomy) throws -> ScenarioFile {
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw Problem(file: file, line: e.source.begin.line, column: e.source.begin.column, message: "not valid TOML (格式错误): \(e.description)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The line of `key` inside the block that starts at `from` (the file's top when 0), for messages.
        func line(of key: String, from: Int = 0) -> Int {
            for i in from..<lines.count {
                let t = lines[i].trimmingCharacters(in: .whitespaces)
                if i > from, t.hasPrefix("[") { break }
                if t.hasPrefix(key + " ") || t.hasPrefix(key + "=") || t.hasPrefix("\"" + key + "\"") { return i + 1 }
            }
            return from + 1
        }
        let scenarioLines = lines.indices.filter { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("[[scenario]]") }
        func fail(_ line: Int, _ message: String) -> Problem { Problem(file: file, line: line, column: nil, message: message) }
        func int(_ v: TOMLValueConvertible, _ key: String, _ at: Int, min: Int = 0) throws -> Int {
            guard let n = v.int, n >= min else { throw fail(at, "\(key) must be a whole number ≥ \(min) (须为整数)") }
            return n
        }

        var f = ScenarioFile()
        let known: Set<String> = ["top_k", "transport", "sweep", "scenario"]
        for key in root.keys where !known.contains(key) {
            throw fail(line(of: key), "unknown key '\(key)' (未知参数); the file takes top_k, [transport], [sweep] and [[scenario]]")
        }
        if let v = root["top_k"] { f.topK = try int(v, "top_k", line(of: "top_k"), min: 1) }
        if let t = root["transport"]?.table {
            let at = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[transport]") } ?? 0
            for key in t.keys where !["seats", "departures", "max_buses_per_departure"].contains(key) {
                throw fail(line(of: key, from: at), "unknown key '\(key)' in [transport] (未知参数); it takes seats, departures, max_buses_per_departure")
            }
            guard let seatsValue = t["seats"] else { throw fail(at + 1, "[transport] needs seats (每车座位数)") }
            let seats = try int(seatsValue, "seats", line(of: "seats", from: at), min: 1)
            guard let deps = t["departures"]?.array, deps.count > 0 else { throw fail(line(of: "departures", from: at), "[transport] needs departures = [\"2027-02-17\", ...]") }
            var departures: [CivilDate] = []
            for d in deps {
                guard let s = d.string, let date = CivilDate(iso: s) else {
                    throw fail(line(of: "departures", from: at), "departures must be dates YYYY-MM-DD (发车日期)")
                }
                departures.append(date)
            }
            var fleet: Int?
            if let v = t["max_buses_per_departure"] { fleet = try int(v, "max_buses_per_departure", line(of: "max_buses_per_departure", from: at), min: 1) }
            f.transport = Transport(seats: seats, departures: departures.sorted(), maxBusesPerDeparture: fleet)
        }
        if let s = root["sweep"]?.table {
            let at = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[sweep]") } ?? 0
            for key in s.keys where key != "poor_share" {
                throw fail(line(of: key, from: at), "unknown key '\(key)' in [sweep] (未知参数); it takes poor_share = [0.25, 0.30, ...]")
            }
            for v in s["poor_share"]?.array ?? TOMLArray() {
                guard let x = v.double ?? v.int.map(Double.init), (0...1).contains(x) else {
                    throw fail(line(of: "poor_share", from: at), "poor_share values must be shares between 0 and 1")
                }
                f.sweep.append(x)
            }
        }
        guard let list = root["scenario"]?.array, list.count > 0 else {
            throw fail(1, "no [[scenario]] (缺少情景); the first scenario is the baseline")
        }
        let keys: Set<String> = ["name", "poor_share", "poor_bonus", "township_min", "township_max", "max_destination", "max_employer",
                                 "max_employer_destination", "exclude_employers", "train"]
        var names = Set<String>(), folders: [String: String] = [:]
        for (k, item) in list.enumerated() {
            let at = k < scenarioLines.count ? scenarioLines[k] : 0
            guard let t = item.table else { throw fail(at + 1, "[[scenario]] must be a table") }
            for key in t.keys where !keys.contains(key) {
                throw fail(line(of: key, from: at), "unknown key '\(key)' (未知参数); a scenario takes \(keys.sorted().joined(separator: ", "))")
            }
            guard let name = t["name"]?.string, !name.isEmpty else { throw fail(at + 1, "every [[scenario]] needs a name (情景名称)") }
            guard names.insert(name).inserted else { throw fail(line(of: "name", from: at), "scenario name '\(name)' is used twice") }
            // Each scenario gets the folder scenarios/<name> with path characters replaced: two names must not meet there.
            if let other = folders.updateValue(name, forKey: PlanOutputs.folder(name)) {
                throw fail(line(of: "name", from: at), "scenario names '\(other)' and '\(name)' would share the folder scenarios/\(PlanOutputs.folder(name)); rename one (情景名称冲突)")
            }
            var s = Scenario(name: name, line: at + 1)
            if let v = t["poor_share"] {
                guard let x = v.double ?? v.int.map(Double.init), (0...1).contains(x) else { throw fail(line(of: "poor_share", from: at), "poor_share must be between 0 and 1") }
                s.poorShare = x
            }
            if let v = t["poor_bonus"] {
                guard let x = v.double ?? v.int.map(Double.init), x >= 0, x <= 1000, (x * 1024).rounded() == x * 1024 else {
                    throw fail(line(of: "poor_bonus", from: at), "poor_bonus must be 0–1000 in steps of 1/1024 (e.g. 0.5)")
                }
                s.poorBonus = x
            }
            func pairs(_ key: String) throws -> [(String, Int)] {
                guard let v = t[key] else { return [] }
                guard let table = v.table else { throw fail(line(of: key, from: at), "\(key) must be a table, e.g. \(key) = { \"金钟山乡\" = 120 }") }
                return try table.keys.sorted().map { ($0, try int(table[$0]!, "\(key).\($0)", line(of: key, from: at))) }
            }
            s.quotaRequest.townshipMin = try pairs("township_min")
            s.quotaRequest.townshipMax = try pairs("township_max")
            s.quotaRequest.maxDestination = try pairs("max_destination")
            s.quotaRequest.maxEmployer = try pairs("max_employer")
            s.quotaRequest.maxEmployerDestination = try pairs("max_employer_destination")
            do {
                s.quotas = try QuotaSpec.resolve(s.quotaRequest, taxonomy: taxonomy, option: { $0 })
            } catch let e as QuotaSpec.Problem {
                let key = ["township_min", "township_max", "max_destination", "max_employer_destination", "max_employer"].first { e.message.hasPrefix($0) } ?? "name"
                throw fail(line(of: key, from: at), e.message)
            }
            for v in t["exclude_employers"]?.array ?? TOMLArray() {
                guard let code = v.string, case .success(let c) = CreditCode.validate(Normalize.cell(code).uppercased()) else {
                    throw fail(line(of: "exclude_employers", from: at), "exclude_employers: '\(v)' is not a credit code (统一社会信用代码)")
                }
                s.excludeEmployers.append(c)
            }
            for v in t["train"]?.array ?? TOMLArray() {
                let tl = line(of: "train", from: at)
                guard let tt = v.table else { throw fail(tl, "train entries are tables: { certificate = \"焊工证\", township = \"德峨镇\", occupation = \"焊工\", count = 200 }") }
                for key in tt.keys where !["certificate", "township", "occupation", "count"].contains(key) {
                    throw fail(tl, "unknown key '\(key)' in train (未知参数); it takes certificate, township, occupation, count")
                }
                guard let c = tt["certificate"]?.string, let cert = taxonomy.certificate(c) else {
                    throw fail(tl, "train: '\(tt["certificate"]?.string ?? "")' is not a certificate (未知证书)")
                }
                guard let tw = tt["township"]?.string, let town = taxonomy.township(tw) else {
                    throw fail(tl, "train: '\(tt["township"]?.string ?? "")' is not a Longlin township (不是隆林的乡镇)")
                }
                guard let o = tt["occupation"]?.string, let occ = taxonomy.occupation(o) else {
                    throw fail(tl, "train: '\(tt["occupation"]?.string ?? "")' is not an occupation (未知工种)")
                }
                guard let countValue = tt["count"] else { throw fail(tl, "train needs count (培训人数)") }
                s.train.append(Training(certificate: cert, township: town, occupation: occ, count: try int(countValue, "count", tl, min: 1)))
            }
            f.scenarios.append(s)
        }
        return f
    }
}
