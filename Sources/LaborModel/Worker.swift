/// Employment status as staff record it (就业状态).
public enum EmploymentStatus: String, Sendable, CaseIterable {
    case employed = "在岗"
    case unemployed = "待业"
    case seeking = "求职中"

    public var english: String {
        switch self {
        case .employed: return "employed"
        case .unemployed: return "unemployed"
        case .seeking: return "seeking"
        }
    }

    /// Accepts the Chinese words (also 就业/失业 of everyday speech) and the English ones; empty = 求职中.
    public static func parse(_ s: String) -> EmploymentStatus? {
        switch s.lowercased() {
        case "在岗", "就业", "已就业", "employed": return .employed
        case "待业", "失业", "unemployed": return .unemployed
        case "求职中", "求职", "seeking", "": return .seeking
        default: return nil
        }
    }
}

/// A person in the labour-force registry (劳动力人才信息库), validated. Indices refer to the `Taxonomy`.
public struct Worker: Sendable {
    public var idNumber: IDNumber
    public var name: String
    public var township: Int
    public var village: String
    public var poorHousehold: Bool
    /// Index into `Taxonomy.education`; nil when not given.
    public var education: Int?
    public var skills: [Int]
    public var certificates: [Int]
    /// Ranked job intentions (first = preferred), occupation indices.
    public var intentions: [Int]
    /// Preferred destinations; nil = anywhere.
    public var destinations: [Int]?
    public var expectedWage: Int?
    public var status: EmploymentStatus
    public var phone: String?
    /// The CSV line the record started on.
    public var line: Int
    /// Columns whose cell was empty (an import keeps the stored value unless told to clear it).
    public var blank: Set<String> = []

    /// The person's key everywhere: the normalised ID number.
    public var workerID: String { idNumber.value }
}

/// A job post from the employer demand register (企业用工信息库), validated.
public struct JobPost: Sendable {
    public var postID: String
    public var employer: String
    public var creditCode: String
    public var title: String
    public var occupation: Int
    public var location: Int
    public var openings: Int
    public var wageMin: Int
    public var wageMax: Int
    /// Index into `Taxonomy.education`; nil = no minimum.
    public var educationMin: Int?
    public var ageMin: Int?
    public var ageMax: Int?
    public var requiredCertificates: [Int]
    public var boardLodging: Bool
    public var line: Int
    /// Columns whose cell was empty.
    public var blank: Set<String> = []
}
