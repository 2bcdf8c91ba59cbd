import Foundation
import MatchCore

/// Turns planners' quota options (by township name, destination name, employer credit code) into the
/// index-based `QuotaNetwork`, refusing cap families that cross.
public enum QuotaSpec {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// Parses `NAME=N` with N a whole number ≥ 0.
    public static func pair(_ s: String, option: String) throws -> (String, Int) {
        let parts = s.split(separator: "=", maxSplits: 1).map { Normalize.cell(String($0)) }
        guard parts.count == 2, !parts[0].isEmpty, let n = Int(parts[1]), n >= 0 else {
            throw Problem(message: "\(option) '\(s)' must be NAME=N with N a whole number ≥ 0 (e.g. \(option) 金钟山乡=120)")
        }
        return (parts[0], n)
    }

    /// Quotas as a planner names them (townships, destinations or 深圳, credit codes), before resolution.
    public struct Request: Sendable, Equatable {
        public var townshipMin: [(String, Int)] = []
        public var townshipMax: [(String, Int)] = []
        public var maxDestination: [(String, Int)] = []
        public var maxEmployer: [(String, Int)] = []
        public var maxEmployerDestination: [(String, Int)] = []
        public init() {}
        public var isEmpty: Bool {
            townshipMin.isEmpty && townshipMax.isEmpty && maxDestination.isEmpty && maxEmployer.isEmpty && maxEmployerDestination.isEmpty
        }
        public static func == (a: Request, b: Request) -> Bool {
            func same(_ x: [(String, Int)], _ y: [(String, Int)]) -> Bool { x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1) }
            return same(a.townshipMin, b.townshipMin) && same(a.townshipMax, b.townshipMax) && same(a.maxDestination, b.maxDestination)
                && same(a.maxEmployer, b.maxEmployer) && same(a.maxEmployerDestination, b.maxEmployerDestination)
        }
    }

    /// Resolves a request against the taxonomy: unknown townships and destinations, and credit codes that fail their
    /// check, are problems named with the option (`--township-min` or the scenario key) they came from.
    public static func resolve(_ r: Request, taxonomy: Taxonomy, option: (String) -> String = { "--" + $0.replacingOccurrences(of: "_", with: "-") }) throws -> Quotas {
        var q = Quotas()
        func township(_ name: String, _ n: Int, _ key: String) throws -> Int {
            guard let t = taxonomy.township(name) else {
                throw Problem(message: "\(option(key)) \(name)=\(n): '\(name)' is not a Longlin township (不是隆林的乡镇); use a name such as 新州镇 or 新州, or a code such as 451031100.")
            }
            return t
        }
        func destination(_ name: String, _ whole: String, _ key: String) throws -> Int {
            guard let d = taxonomy.destination(name) else {
                throw Problem(message: "\(option(key)) \(whole): '\(name)' is not a destination (未知工作地点); use a Shenzhen district such as 龙岗区 or a city such as 东莞.")
            }
            return d
        }
        func creditCode(_ code: String, _ whole: String, _ key: String) throws -> String {
            switch CreditCode.validate(Normalize.cell(code).uppercased()) {
            case .success(let c): return c
            case .failure(let e): throw Problem(message: "\(option(key)) \(whole): '\(code)' is not a credit code: \(e.reason)")
            }
        }
        for (name, n) in r.townshipMin { q.townshipMin[try township(name, n, "township_min")] = n }
        for (name, n) in r.townshipMax { q.townshipMax[try township(name, n, "township_max")] = n }
        for (name, n) in r.maxDestination {
            if taxonomy.destination(name) == nil, let group = taxonomy.group(name) {
                // 深圳 / 深圳市: one cap over every Shenzhen district, as files accept it.
                guard group != nil else { throw Problem(message: "\(option("max_destination")) \(name)=\(n): '\(name)' means anywhere; cap the destinations themselves.") }
                q.destinationGroupMax[taxonomy.groupName(name) ?? name] = n
            } else {
                q.destinationMax[try destination(name, "\(name)=\(n)", "max_destination")] = n
            }
        }
        for (code, n) in r.maxEmployer { q.employerMax[try creditCode(code, "\(code)=\(n)", "max_employer")] = n }
        for (key, n) in r.maxEmployerDestination {
            let parts = key.split(separator: "@", maxSplits: 1).map { Normalize.cell(String($0)) }
            guard parts.count == 2 else {
                throw Problem(message: "\(option("max_employer_destination")) \(key)=\(n): must be CREDIT_CODE@DESTINATION=N (e.g. 91440300MA5DABCDE1@龙岗区=10).")
            }
            let code = try creditCode(parts[0], "\(key)=\(n)", "max_employer_destination")
            let d = try destination(parts[1], "\(key)=\(n)", "max_employer_destination")
            q.employerDestinationMax[code + "@" + taxonomy.destinations[d].name] = n
        }
        return q
    }

    public struct Labels: Sendable {
        public var capGroups: [String] = []
        public init() {}
    }

    /// Builds the network. Cap groups are numbered: destinations first, then employers, then
    /// (employer, destination) pairs, each in sorted order.
    public static func network(_ q: Quotas, workers: [Worker], posts: [JobPost], taxonomy t: Taxonomy) throws
        -> (network: QuotaNetwork, labels: Labels) {
        var labels = Labels()
        var groupPosts: [[Int]] = []
        func addGroup(_ label: String, _ members: [Int], _ limit: Int, _ limits: inout [Int]) {
            labels.capGroups.append(label)
            groupPosts.append(members)
            limits.append(limit)
        }
        var limits: [Int] = []
        for (d, cap) in q.destinationMax.sorted(by: { $0.key < $1.key }) {
            addGroup("地点 \(t.destinations[d].name)", posts.indices.filter { posts[$0].location == d }, cap, &limits)
        }
        for (name, cap) in q.destinationGroupMax.sorted(by: { $0.key < $1.key }) {
            guard let members = t.group(name) ?? nil else { throw Problem(message: "--max-destination \(name): not a group of destinations") }
            addGroup("地点 \(name)", posts.indices.filter { members.contains(posts[$0].location) }, cap, &limits)
        }
        let employerNames = Dictionary(posts.map { ($0.creditCode, $0.employer) }, uniquingKeysWith: { a, _ in a })
        for (code, cap) in q.employerMax.sorted(by: { $0.key < $1.key }) {
            guard employerNames[code] != nil else { throw Problem(message: "--max-employer \(code): no post has this credit code") }
            addGroup("企业 \(employerNames[code]!) (\(code))", posts.indices.filter { posts[$0].creditCode == code }, cap, &limits)
        }
        for (key, cap) in q.employerDestinationMax.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "@").map(String.init)
            guard parts.count == 2, let d = t.destination(parts[1]), employerNames[parts[0]] != nil else {
                throw Problem(message: "--max-employer-destination \(key): must be CREDIT_CODE@DESTINATION of a posted employer")
            }
            addGroup("企业 \(employerNames[parts[0]]!) 在 \(t.destinations[d].name)",
                     posts.indices.filter { posts[$0].creditCode == parts[0] && posts[$0].location == d }, cap, &limits)
        }
        // Laminar check and parents: every post's groups must form a chain by inclusion.
        let sets = groupPosts.map(Set.init)
        for a in 0..<sets.count {
            for b in (a + 1)..<max(a + 1, sets.count) {
                let inter = sets[a].intersection(sets[b])
                if !inter.isEmpty && !sets[a].isSubset(of: sets[b]) && !sets[b].isSubset(of: sets[a]) {
                    throw AssignmentError.crossingCapFamilies(labels.capGroups[a], labels.capGroups[b])
                }
            }
        }
        var parent = [Int32](repeating: -1, count: sets.count)
        for a in 0..<sets.count {
            // The smallest strictly larger group containing a (ties: the later family, for a fixed order).
            var best = -1
            for b in 0..<sets.count where b != a && sets[a].isSubset(of: sets[b]) && (sets[a] != sets[b] || b > a) {
                if best < 0 || sets[b].count < sets[best].count { best = b }
            }
            parent[a] = Int32(best)
        }
        var postGroup = [Int32](repeating: -1, count: posts.count)
        for (g, members) in groupPosts.enumerated() {
            for j in members where postGroup[j] < 0 || groupPosts[Int(postGroup[j])].count > members.count
                || (groupPosts[Int(postGroup[j])].count == members.count && Int(postGroup[j]) > g) {
                postGroup[j] = Int32(g)
            }
        }
        let net = QuotaNetwork(workerGroup: workers.map { Int32($0.township) }, groupMin: q.townshipMin, groupMax: q.townshipMax,
                               postCapGroup: postGroup, capParent: parent, capLimit: limits)
        return (net, labels)
    }
}
