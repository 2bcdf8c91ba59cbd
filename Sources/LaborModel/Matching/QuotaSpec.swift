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
