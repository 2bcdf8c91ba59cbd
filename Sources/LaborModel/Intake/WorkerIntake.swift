import MatchCore

/// Validates worker rows (劳动力信息) against the taxonomy. Every problem of a row is reported; valid rows go on.
public enum WorkerIntake {
    public static func read(path: String, taxonomy: Taxonomy, asOf: CivilDate,
                            encoding: TextEncoding = .auto) throws -> IntakeResult<Worker> {
        let table = try CSVTable.read(path: path, encoding: encoding)
        return try validate(table: table, file: path, taxonomy: taxonomy, asOf: asOf)
    }

    public static func validate(table: CSVTable, file: String, taxonomy: Taxonomy,
                                asOf: CivilDate) throws -> IntakeResult<Worker> {
        let schema = Schema.workers
        let (index, unknown) = try schema.map(header: table.header, file: file, aliases: taxonomy.columnAliases["workers"] ?? [:])
        var result = IntakeResult<Worker>(file: file, header: table.header, accepted: [], rejections: [],
                                          warnings: unknown.map { "\(file): unknown column '\($0)' ignored (未知列, 已忽略)" },
                                          encoding: table.encoding)
        result.columns = Set(index.keys)
        result.validateRows(table, { rec in
            let r = validateRow(rec, index: index, taxonomy: taxonomy, asOf: asOf)
            return (r.worker, r.id, r.problems)
        }, duplicate: { id, first in
            FieldProblem(column: Schema.workers.columns[0].label, shownValue: Masking.idNumber(id),
                         reason: "身份证号重复, 首次出现在第 \(first) 行 / duplicate id_number, first seen on line \(first)", rawValue: id)
        })
        return result
    }

    struct RowResult: Sendable {
        var worker: Worker?
        var id: String?
        var problems: [FieldProblem]
    }

    /// One row on its own: every problem found, and the worker when there is none.
    static func validateRow(_ rec: CSVRecord, index: [String: Int], taxonomy: Taxonomy, asOf: CivilDate) -> RowResult {
        let schema = Schema.workers
        var r = RowReader(schema: schema, index: index, record: rec)
        let rawID = r.cell("id_number")
        var id: IDNumber?
        switch IDNumber.parse(rawID, asOf: asOf) {
        case .success(let v):
            id = v
            let age = v.birthDate.age(on: asOf)
            if age < MatchRules.minimumWorkingAge {
                r.fail("id_number", rawID, "未满16周岁 (\(asOf) 时 \(age) 岁, 劳动法规定的最低就业年龄) / under 16 on \(asOf) (aged \(age)): below the legal minimum working age",
                       mask: Masking.idNumber)
            }
        case .failure(let e): r.fail("id_number", rawID, e.reason, mask: Masking.idNumber)
        }
        let name = r.required("name")
        let townshipCell = r.cell("township")
        let township = taxonomy.township(townshipCell)
        if township == nil {
            r.fail("township", townshipCell, townshipCell.isEmpty ? "不能为空 / must not be empty" : "不是隆林的乡镇 (名称或代码) / not a Longlin township (name or code)")
        }
        let poor = r.yesNo("poor_household")
        let eduCell = r.cell("education")
        var education: Int?
        if !eduCell.isEmpty {
            education = taxonomy.educationLevel(eduCell)
            if education == nil { r.fail("education", eduCell, "未知学历 / unknown education level (小学 初中 高中 中专 大专 本科)") }
        }
        let skills = r.list("skills", what: "工种", in: taxonomy) { $0.occupation($1) }
        let certs = r.list("certificates", what: "证书", in: taxonomy) { $0.certificate($1) }
        let intentions = r.list("intentions", what: "工种", in: taxonomy) { $0.occupation($1) }
        var destinations: [Int]? = []
        for token in RowReader.split(r.cell("preferred_destinations")) {
            if let g = taxonomy.group(token) {
                if let members = g {
                for m in members where !(destinations?.contains(m) ?? true) { destinations?.append(m) }
                } else {
                destinations = nil
                }
            } else if let d = taxonomy.destination(token) {
                if !(destinations?.contains(d) ?? true) { destinations?.append(d) }
            } else {
                r.fail("preferred_destinations", token, "未知地区 / unknown destination")
            }
        }
        if destinations?.isEmpty == true { destinations = nil }
        let wage = r.integer("expected_wage", in: 0...1_000_000, optional: true)
        let statusCell = r.cell("status")
        let status = EmploymentStatus.parse(statusCell)
        if status == nil { r.fail("status", statusCell, "应为 在岗/待业/求职中 / must be employed, unemployed or seeking") }
        let phoneCell = r.cell("phone")
        var phone: String?
        if !phoneCell.isEmpty {
            switch Phone.validate(phoneCell) {
            case .success(let p): phone = p
            case .failure(let e): r.fail("phone", phoneCell, e.reason, mask: Masking.phone)
            }
        }
        if r.problems.isEmpty, let id, let name, let township, let poor, let wage, let status {
            return RowResult(worker: Worker(
                idNumber: id, name: name, township: township, village: r.cell("village"), poorHousehold: poor,
                education: education, skills: skills, certificates: certs, intentions: intentions,
                destinations: destinations, expectedWage: wage, status: status, phone: phone, line: rec.line,
                blank: Set(index.keys.filter { r.isBlank($0) })),
                             id: id.value, problems: [])
        }
        return RowResult(worker: nil, id: id?.value, problems: r.problems)
    }
}
