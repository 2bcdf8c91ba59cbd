/// Validates job-post rows (岗位信息) against the taxonomy.
public enum PostIntake {
    public static func read(path: String, taxonomy: Taxonomy, encoding: TextEncoding = .auto) throws -> IntakeResult<JobPost> {
        let table = try CSVTable.read(path: path, encoding: encoding)
        return try validate(table: table, file: path, taxonomy: taxonomy)
    }

    public static func validate(table: CSVTable, file: String, taxonomy: Taxonomy) throws -> IntakeResult<JobPost> {
        let schema = Schema.posts
        let (index, unknown) = try schema.map(header: table.header, file: file, aliases: taxonomy.columnAliases["posts"] ?? [:])
        var result = IntakeResult<JobPost>(file: file, header: table.header, accepted: [], rejections: [],
                                           warnings: unknown.map { "\(file): unknown column '\($0)' ignored (未知列, 已忽略)" },
                                           encoding: table.encoding)
        result.columns = Set(index.keys)
        result.validateRows(table, { rec in validateRow(rec, index: index, taxonomy: taxonomy) }, duplicate: { id, first in
            FieldProblem(column: schema.columns.first { $0.key == "post_id" }?.label ?? "post_id", shownValue: id,
                         reason: "岗位编号重复, 首次出现在第 \(first) 行 / duplicate post_id, first seen on line \(first)", rawValue: id)
        })
        return result
    }

    /// One row on its own: every problem found, and the post when there is none.
    static func validateRow(_ rec: CSVRecord, index: [String: Int], taxonomy: Taxonomy) -> (record: JobPost?, key: String?, problems: [FieldProblem]) {
        var r = RowReader(schema: Schema.posts, index: index, record: rec)
        let postID = r.required("post_id")
        let employer = r.required("employer")
        let codeCell = r.cell("credit_code")
        var credit: String?
        switch CreditCode.validate(codeCell) {
        case .success(let c): credit = c
        case .failure(let e): r.fail("credit_code", codeCell, e.reason)
        }
        let occCell = r.cell("occupation")
        let occupation = taxonomy.occupation(occCell)
        if occupation == nil {
            r.fail("occupation", occCell, occCell.isEmpty ? "不能为空 / must not be empty" : "未知工种, 请检查拼写或在 Data/taxonomy 中添加别名 / unknown occupation; check the spelling or add an alias in Data/taxonomy")
        }
        let locCell = r.cell("location")
        let location = taxonomy.destination(locCell)
        if location == nil {
            r.fail("location", locCell, locCell.isEmpty ? "不能为空 / must not be empty" : "未知工作地点 (须为深圳某区或周边城市) / unknown location (a Shenzhen district or nearby city)")
        }
        let openings = r.integer("openings", in: 1...100_000, optional: false)
        let wageMin = r.integer("wage_min", in: 0...1_000_000, optional: false)
        let wageMax = r.integer("wage_max", in: 0...1_000_000, optional: false)
        if let a = wageMin ?? nil, let b = wageMax ?? nil, a > b {
            r.fail("wage_max", "\(b)", "月薪上限低于下限 \(a) / wage_max is below wage_min \(a)")
        }
        let eduCell = r.cell("education_min")
        var educationMin: Int?
        if !eduCell.isEmpty {
            educationMin = taxonomy.educationLevel(eduCell)
            if educationMin == nil { r.fail("education_min", eduCell, "未知学历 / unknown education level (小学 初中 高中 中专 大专 本科)") }
        }
        let ageMin = r.integer("age_min", in: 16...65, optional: true)
        let ageMax = r.integer("age_max", in: 16...65, optional: true)
        if let a = ageMin ?? nil, let b = ageMax ?? nil, a > b {
            r.fail("age_max", "\(b)", "年龄上限低于下限 \(a) / age_max is below age_min \(a)")
        }
        // One bound alone must not cross the other's default (18–60): the post would take nobody.
        let defaults = MatchRules.defaultAgeRange
        if let b = ageMax ?? nil, ageMin == .some(nil), b < defaults.lowerBound {
            r.fail("age_max", "\(b)", "年龄上限 \(b) 低于默认下限 \(defaults.lowerBound), 请同时填写年龄下限 / age_max \(b) is below the default minimum \(defaults.lowerBound): give age_min too")
        }
        if let a = ageMin ?? nil, ageMax == .some(nil), a > defaults.upperBound {
            r.fail("age_min", "\(a)", "年龄下限 \(a) 高于默认上限 \(defaults.upperBound), 请同时填写年龄上限 / age_min \(a) is above the default maximum \(defaults.upperBound): give age_max too")
        }
        let certs = r.list("required_certificates", what: "证书", in: taxonomy) { $0.certificate($1) }
        let board = r.yesNo("board_lodging")
        if r.problems.isEmpty, let postID, let employer, let credit, let occupation, let location,
           let openings = openings ?? nil, let wageMin = wageMin ?? nil, let wageMax = wageMax ?? nil,
           let ageMin, let ageMax, let board {
            return (JobPost(
                postID: postID, employer: employer, creditCode: credit, title: r.cell("title"),
                occupation: occupation, location: location, openings: openings, wageMin: wageMin,
                wageMax: wageMax, educationMin: educationMin, ageMin: ageMin, ageMax: ageMax,
                requiredCertificates: certs, boardLodging: board, line: rec.line, blank: Set(index.keys.filter { r.isBlank($0) })),
                    postID, [])
        }
        return (nil, postID, r.problems)
    }
}
