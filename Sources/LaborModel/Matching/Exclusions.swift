/// Employers under rights-violation follow-up (权益维护): their posts are never proposed. A file of credit
/// codes, one per line, with an optional header line 统一社会信用代码 or credit_code.
public struct ExclusionList: Sendable {
    public var codes: Set<String> = []
    public var rejections: [Rejection] = []
    public var file: String = ""
    /// Rows that held a valid code (a repeated code counts each time).
    public var acceptedRows = 0

    public init() {}

    public static func read(path: String, encoding: TextEncoding = .auto) throws -> ExclusionList {
        let table = try CSVTable.read(path: path, encoding: encoding)
        var list = ExclusionList()
        list.file = path
        var rows = [CSVRecord(line: 1, fields: table.header)] + table.records
        let first = Normalize.cell(table.header.first ?? "")
        if ["统一社会信用代码", "credit_code"].contains(first) || Taxonomy.key(first) == "credit_code" { rows.removeFirst() }
        for r in rows {
            let cell = Normalize.cell(r.fields.first ?? "")
            if cell.isEmpty && r.fields.count <= 1 && r.problems.isEmpty { continue }
            if !r.problems.isEmpty {
                list.rejections.append(Rejection(line: r.line, fields: r.fields, problems: r.fieldProblems(
                    label: { $0 == 0 ? "统一社会信用代码 credit_code" : "第 \($0 + 1) 列 / column \($0 + 1)" })))
                continue
            }
            switch CreditCode.validate(cell) {
            case .success(let c):
                list.codes.insert(c)
                list.acceptedRows += 1
            case .failure(let e):
                list.rejections.append(Rejection(line: r.line, fields: r.fields,
                                                 problems: [FieldProblem(column: "统一社会信用代码 credit_code", shownValue: cell, reason: e.reason)]))
            }
        }
        return list
    }

    public var countsLine: String {
        "read \(acceptedRows + rejections.count), accepted \(acceptedRows), rejected \(rejections.count)"
    }
}
