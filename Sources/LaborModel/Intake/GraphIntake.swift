import MatchCore

/// Reads an explicit assignment problem: graph.csv (worker_id, post_id, weight) and capacities.csv
/// (post_id, openings), as `match` writes them. Ids are opaque strings; Chinese or English headers; BOM optional.
/// Bad rows are rejected with reasons like every other input.
public struct GraphIntake {
    public var workerIDs: [String] = []
    public var postIDs: [String] = []
    public var problem: AssignmentProblem
    public var edges: IntakeResult<(Int, Int, Int64)>
    public var capacities: IntakeResult<(String, Int)>

    public static let graphSchema = Schema(kind: "graph", columns: [
        ColumnSpec("worker_id", "身份证号", aliases: ["工人编号", "worker"], required: true),
        ColumnSpec("post_id", "岗位编号", aliases: ["post"], required: true),
        ColumnSpec("weight", "权重", aliases: ["score", "匹配分"], required: true),
    ])
    public static let capacitySchema = Schema(kind: "capacities", columns: [
        ColumnSpec("post_id", "岗位编号", aliases: ["post"], required: true),
        ColumnSpec("openings", "招聘人数", aliases: ["capacity"], required: true),
    ])

    public static func read(edges edgesPath: String, capacities capPath: String, encoding: TextEncoding = .auto) throws -> GraphIntake {
        let capTable = try CSVTable.read(path: capPath, encoding: encoding)
        let (ci, cunknown) = try capacitySchema.map(header: capTable.header, file: capPath)
        var caps = IntakeResult<(String, Int)>(file: capPath, header: capTable.header, accepted: [], rejections: [],
                                               warnings: cunknown.map { "\(capPath): unknown column '\($0)' ignored" },
                                               encoding: capTable.encoding)
        var postIndex: [String: Int] = [:]
        var postLine: [String: Int] = [:]
        for rec in capTable.records {
            var r = RowReader(schema: capacitySchema, index: ci, record: rec)
            let id = r.required("post_id")
            let openings = r.integer("openings", in: 0...1_000_000, optional: false)
            if let id, let first = postLine[id] {
                r.fail("post_id", id, "岗位编号重复, 首次出现在第 \(first) 行 / duplicate post_id, first seen on line \(first)")
            }
            if r.problems.isEmpty, let id, let o = openings ?? nil {
                postIndex[id] = caps.accepted.count
                postLine[id] = rec.line
                caps.accepted.append((id, o))
            } else {
                caps.rejections.append(Rejection(line: rec.line, fields: rec.fields, problems: r.problems))
            }
        }
        let gTable = try CSVTable.read(path: edgesPath, encoding: encoding)
        let (gi, gunknown) = try graphSchema.map(header: gTable.header, file: edgesPath)
        var edges = IntakeResult<(Int, Int, Int64)>(file: edgesPath, header: gTable.header, accepted: [], rejections: [],
                                                    warnings: gunknown.map { "\(edgesPath): unknown column '\($0)' ignored" },
                                                    encoding: gTable.encoding)
        var workerIndex: [String: Int] = [:]
        var workerIDs: [String] = []
        var seen: [Int64: Int] = [:]
        for rec in gTable.records {
            var r = RowReader(schema: graphSchema, index: gi, record: rec)
            let w = r.required("worker_id")
            let p = r.required("post_id")
            let wt = r.cell("weight")
            var weight: Int64?
            if let v = Int64(wt), v >= 0, v <= AssignmentProblem.maxWeight { weight = v } else {
                r.fail("weight", wt, "权重应为 0–2^40 的整数 / weight must be a whole number 0–2^40")
            }
            var post: Int?
            if let p {
                post = postIndex[p]
                if post == nil { r.fail("post_id", p, "岗位不在 capacities 文件中 / post_id is not in the capacities file") }
            }
            if r.problems.isEmpty, let w, let post, let weight {
                let i: Int
                if let known = workerIndex[w] { i = known } else {
                    i = workerIDs.count
                    workerIndex[w] = i
                    workerIDs.append(w)
                }
                let key = Int64(i) << 32 | Int64(post)
                if let first = seen[key] {
                    r.fail("post_id", p!, "重复的边, 首次出现在第 \(first) 行 / duplicate edge, first seen on line \(first)")
                    edges.rejections.append(Rejection(line: rec.line, fields: rec.fields, problems: r.problems))
                    continue
                }
                seen[key] = rec.line
                edges.accepted.append((i, post, weight))
            } else {
                edges.rejections.append(Rejection(line: rec.line, fields: rec.fields, problems: r.problems))
            }
        }
        let problem = try AssignmentProblem(workers: workerIDs.count, capacity: caps.accepted.map(\.1),
                                            edges: edges.accepted.map { (worker: $0.0, post: $0.1, weight: $0.2) })
        return GraphIntake(workerIDs: workerIDs, postIDs: caps.accepted.map(\.0), problem: problem, edges: edges, capacities: caps)
    }
}
