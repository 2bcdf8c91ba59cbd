/// A placement as staff record it: who started where, and when (入职).
public struct PlacementRecord: Sendable, Equatable {
    public var idNumber: String
    public var postID: String
    public var startDate: CivilDate
    public var line: Int
    /// The row as read (for the rejects file if the registry refuses it).
    public var fields: [String] = []
}

/// One month of social-insurance contributions (社保缴费) of a worker by an employer.
public struct ContributionRecord: Sendable, Equatable {
    public var idNumber: String
    public var creditCode: String
    public var month: YearMonth
    public var line: Int
    public var fields: [String] = []
}

/// A calendar month, YYYY-MM.
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), year >= 1900 else { return nil }
        self.year = year
        self.month = month
    }

    public init?(_ s: String) {
        let p = s.split(separator: "-")
        guard p.count == 2, p[0].count == 4, (1...2).contains(p[1].count), let y = Int(p[0]), let m = Int(p[1]) else { return nil }
        self.init(year: y, month: m)
    }

    public init(_ d: CivilDate) {
        year = d.year
        month = d.month
    }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public var previous: YearMonth { month == 1 ? YearMonth(year: year - 1, month: 12)! : YearMonth(year: year, month: month - 1)! }
    public var next: YearMonth { month == 12 ? YearMonth(year: year + 1, month: 1)! : YearMonth(year: year, month: month + 1)! }
    public var firstDay: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    /// The day a month's contributions speak for (a contribution month counts as evidence on its last day).
    public var lastDay: CivilDate { CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))! }
    public var description: String { pad(year, 4) + "-" + pad(month, 2) }
}

/// Validates placements.csv and contributions.csv rows (format only; the registry checks that the worker, post
/// and employer exist).
public enum HistoryIntake {
    /// "2025/12/01" as "2025-12-01" (a date as Excel may write it); other text unchanged.
    static func dashed(_ s: String) -> String {
        s.utf8.contains(0x2F) ? String(decoding: s.utf8.map { $0 == 0x2F ? 0x2D : $0 }, as: UTF8.self) : s
    }

    public static let placementSchema = Schema(kind: "placements", columns: [
        ColumnSpec("id_number", "身份证号", required: true),
        ColumnSpec("post_id", "岗位编号", required: true),
        ColumnSpec("start_date", "入职日期", required: true),
    ])
    public static let contributionSchema = Schema(kind: "contributions", columns: [
        ColumnSpec("id_number", "身份证号", required: true),
        ColumnSpec("credit_code", "统一社会信用代码", required: true),
        ColumnSpec("month", "缴费月份", required: true),
    ])

    static func id(_ r: inout RowReader, asOf: CivilDate) -> String? {
        let raw = r.cell("id_number")
        switch IDNumber.parse(raw, asOf: asOf) {
        case .success(let v): return v.value
        case .failure(let e):
            r.fail("id_number", raw, e.reason, mask: Masking.idNumber)
            return nil
        }
    }

    public static func placements(path: String, asOf: CivilDate, encoding: TextEncoding = .auto,
                                  aliases: [String: [String]] = [:]) throws -> IntakeResult<PlacementRecord> {
        let table = try CSVTable.read(path: path, encoding: encoding)
        let (index, unknown) = try placementSchema.map(header: table.header, file: path, aliases: aliases)
        var out = IntakeResult<PlacementRecord>(file: path, header: table.header, accepted: [], rejections: [],
                                                warnings: unknown.map { "\(path): unknown column '\($0)' ignored (未知列, 已忽略)" },
                                                encoding: table.encoding)
        out.validateRows(table, { rec in
            var r = RowReader(schema: placementSchema, index: index, record: rec)
            let idv = id(&r, asOf: asOf)
            let post = r.required("post_id")
            let ds = HistoryIntake.dashed(r.cell("start_date"))
            let date = CivilDate(iso: ds)
            if date == nil {
                r.fail("start_date", ds, "日期应为 YYYY-MM-DD / date must be YYYY-MM-DD")
            } else if date! > asOf {
                r.fail("start_date", ds, "入职日期在未来 / start date is in the future")
            }
            if r.problems.isEmpty, let idv, let post, let date {
                return (PlacementRecord(idNumber: idv, postID: post, startDate: date, line: rec.line, fields: rec.fields), nil, [])
            }
            return (nil, nil, r.problems)
        })
        return out
    }

    public static func contributions(path: String, asOf: CivilDate, encoding: TextEncoding = .auto,
                                     aliases: [String: [String]] = [:]) throws -> IntakeResult<ContributionRecord> {
        let table = try CSVTable.read(path: path, encoding: encoding)
        let (index, unknown) = try contributionSchema.map(header: table.header, file: path, aliases: aliases)
        var out = IntakeResult<ContributionRecord>(file: path, header: table.header, accepted: [], rejections: [],
                                                   warnings: unknown.map { "\(path): unknown column '\($0)' ignored (未知列, 已忽略)" },
                                                   encoding: table.encoding)
        out.validateRows(table, { rec in
            var r = RowReader(schema: contributionSchema, index: index, record: rec)
            let idv = id(&r, asOf: asOf)
            let codeCell = r.cell("credit_code")
            var code: String?
            switch CreditCode.validate(codeCell) {
            case .success(let c): code = c
            case .failure(let e): r.fail("credit_code", codeCell, e.reason)
            }
            let ms = HistoryIntake.dashed(r.cell("month"))
            let month = YearMonth(ms.count == 6 && !ms.utf8.contains(0x2D) ? String(ms.prefix(4)) + "-" + String(ms.suffix(2)) : ms)
            if month == nil {
                r.fail("month", ms, "月份应为 YYYY-MM / month must be YYYY-MM")
            } else if month! > YearMonth(asOf) {
                r.fail("month", ms, "缴费月份在未来 / month is in the future")
            }
            if r.problems.isEmpty, let idv, let code, let month {
                return (ContributionRecord(idNumber: idv, creditCode: code, month: month, line: rec.line, fields: rec.fields), nil, [])
            }
            return (nil, nil, r.problems)
        })
        return out
    }

    /// Moves accepted records that the registry refuses to the rejections, keeping read = accepted + rejected.
    /// `check` returns nil to keep a record, or (column, shown value, reason) to reject it.
    public static func refine<R>(_ result: inout IntakeResult<R>, line: (R) -> Int, fields: (R) -> [String],
                                 _ check: (R) -> (String, String, String)?) {
        var kept: [R] = []
        for r in result.accepted {
            if let (column, value, reason) = check(r) {
                result.rejections.append(Rejection(line: line(r), fields: fields(r),
                                                   problems: [FieldProblem(column: column, shownValue: value, reason: reason)]))
            } else {
                kept.append(r)
            }
        }
        result.accepted = kept
        result.rejections.sort { $0.line < $1.line }
    }
}
