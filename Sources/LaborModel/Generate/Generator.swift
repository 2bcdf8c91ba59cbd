import Foundation
import MatchCore

/// Synthetic Longlin-like data in the intake formats: valid ID numbers with 451031 region codes, ~20% poor
/// households, education mostly 初中, skills/certificates/intentions correlated with age and sex, posts over
/// the destinations with heavy-tailed openings totalling about 1.1 × workers, 2020-level wages.
/// The same seed and `asOf` give byte-identical files on any day. No real people.
public struct Generator {
    public var workers: Int
    public var posts: Int
    public var seed: UInt64
    public var asOf: CivilDate

    /// The fixed default reference date, so that output does not change with the calendar.
    public static let defaultAsOf = CivilDate(year: 2026, month: 1, day: 1)!

    public init(workers: Int, posts: Int, seed: UInt64, asOf: CivilDate = Generator.defaultAsOf) {
        self.workers = workers
        self.posts = posts
        self.seed = seed
        self.asOf = asOf
    }

    // MARK: - Reference lists (names must exist in Data/taxonomy; a test checks every generated row validates)

    static let townships: [(code: String, name: String, weight: Double)] = [
        ("451031100", "新州镇", 16), ("451031101", "桠杈镇", 6), ("451031102", "天生桥镇", 5), ("451031103", "平班镇", 5),
        ("451031104", "德峨镇", 8), ("451031105", "隆或镇", 6), ("451031200", "沙梨乡", 5), ("451031203", "者保乡", 5),
        ("451031204", "者浪乡", 6), ("451031205", "革步乡", 5), ("451031206", "金钟山乡", 6), ("451031208", "猪场乡", 6),
        ("451031210", "蛇场乡", 5), ("451031211", "克长乡", 6), ("451031213", "岩茶乡", 5), ("451031215", "介廷乡", 5),
    ]
    static let villageStems = ["平", "那", "坡", "弄", "岩", "新", "龙", "花", "大", "小", "塘", "林", "江", "山", "民", "德",
                               "隆", "者", "克", "央", "冷", "马", "桥", "良", "扁", "金"]
    static let surnames = ["黄", "韦", "罗", "杨", "王", "李", "陆", "农", "蒙", "梁", "卢", "陈", "张", "刘", "周", "吴", "何",
                           "潘", "覃", "岑", "班", "熊", "侯", "龙", "马", "赵", "邓", "谭"]
    static let givenMale = ["国", "刚", "明", "华", "军", "强", "文", "志", "勇", "平", "海", "伟", "建", "林", "福", "德", "成",
                            "永", "光", "金", "荣", "学", "忠", "宏", "亮", "超", "斌", "飞"]
    static let givenFemale = ["秀", "英", "芳", "丽", "兰", "梅", "燕", "艳", "玲", "红", "霞", "娟", "凤", "春", "金", "美", "花",
                              "琴", "云", "婷", "敏", "雪", "莲", "妹"]
    static let education: [(name: String, weight: Double)] = [("小学", 20), ("初中", 55), ("高中", 10), ("中专", 8), ("大专", 5), ("本科", 2)]
    static let maleTrades: [(name: String, weight: Double)] = [
        ("建筑工", 14), ("普工", 16), ("木工", 8), ("司机", 9), ("电工", 6), ("焊工", 6), ("钢筋工", 5), ("装修工", 7),
        ("保安", 6), ("叉车司机", 4), ("快递员", 7), ("搬运工", 5), ("电子装配工", 5), ("厨师", 3), ("仓管员", 2), ("电镀工", 2),
    ]
    static let femaleTrades: [(name: String, weight: Double)] = [
        ("普工", 22), ("电子装配工", 20), ("缝纫工", 12), ("保洁", 9), ("服务员", 12), ("育婴员", 7), ("厨师", 4),
        ("仓管员", 4), ("快递员", 3), ("电镀工", 2), ("装修工", 2),
    ]
    /// Trades an older worker (over 45) turns to.
    static let olderTrades = ["保安", "保洁", "建筑工", "搬运工"]
    static let certificateFor: [String: [(cert: String, p: Double)]] = [
        "司机": [("C1驾驶证", 0.45), ("B2驾驶证", 0.35), ("A2驾驶证", 0.12)],
        "叉车司机": [("叉车证", 0.7), ("C1驾驶证", 0.3)],
        "电工": [("电工证", 0.7)], "焊工": [("焊工证", 0.65)], "厨师": [("厨师证", 0.4), ("健康证", 0.7)],
        "服务员": [("健康证", 0.6)], "保安": [("保安员证", 0.5)], "育婴员": [("育婴员证", 0.5), ("健康证", 0.4)],
        "快递员": [("C1驾驶证", 0.3)], "保洁": [("健康证", 0.3)],
    ]
    static let destinations: [(name: String, weight: Double)] = [
        ("罗湖区", 14), ("福田区", 9), ("南山区", 8), ("宝安区", 14), ("龙岗区", 14), ("龙华区", 10), ("坪山区", 4), ("光明区", 5),
        ("盐田区", 2), ("大鹏新区", 2), ("惠州市", 6), ("东莞市", 8), ("佛山市", 3), ("广州市", 4),
    ]
    /// Post demand by trade, and the 2020-level monthly wage range (yuan) each pays.
    static let demand: [(name: String, weight: Double, wage: ClosedRange<Int>)] = [
        ("普工", 22, 3800...5200), ("电子装配工", 16, 4000...5500), ("建筑工", 8, 5000...7000), ("木工", 4, 6000...8500),
        ("装修工", 4, 5500...8000), ("钢筋工", 3, 6000...8500), ("电工", 4, 5500...8000), ("焊工", 4, 6000...8500),
        ("司机", 5, 5500...8500), ("叉车司机", 3, 5000...7000), ("保安", 5, 3800...5000), ("保洁", 4, 3300...4500),
        ("厨师", 3, 4500...7000), ("服务员", 5, 3600...5000), ("育婴员", 2, 5000...9000), ("快递员", 4, 5000...8000),
        ("缝纫工", 3, 4200...6500), ("电镀工", 1, 4500...6500), ("仓管员", 2, 4000...5500),
    ]
    static let requiredCertificate: [String: [(cert: String, p: Double)]] = [
        "司机": [("B2驾驶证", 0.5), ("C1驾驶证", 0.4)], "叉车司机": [("叉车证", 0.9)], "电工": [("电工证", 0.8)],
        "焊工": [("焊工证", 0.7)], "厨师": [("健康证", 0.8)], "服务员": [("健康证", 0.5)], "保安": [("保安员证", 0.4)],
        "育婴员": [("育婴员证", 0.6), ("健康证", 0.5)], "保洁": [("健康证", 0.2)],
    ]
    static let employerWords = ["华强", "鹏程", "粤海", "金龙", "宏达", "新世纪", "安居", "顺丰", "友联", "精密", "创维", "恒通",
                                "万达", "东方", "南方", "联合", "信义", "长城", "嘉里", "兴业", "富士", "立讯", "比亚", "华润"]
    static let employerKinds = ["电子科技", "建筑工程", "物流", "物业管理", "餐饮管理", "家政服务", "实业", "制衣", "精密制造",
                                "装饰工程", "保安服务", "运输"]
    static let districtCodes = ["440303", "440304", "440305", "440306", "440307", "440309", "440310", "440311", "440308",
                                "440313", "441300", "441900", "440600", "440100"]

    // MARK: - Output

    public struct Files {
        public var workers: CSVWriter
        public var posts: CSVWriter
        /// With `history`: placements.csv and contributions.csv.
        public var placements: CSVWriter?
        public var contributions: CSVWriter?
    }

    /// - Parameter history: also write placements (about 60% of workers placed, starts over the three months
    ///   before `asOf`) and three complete months of contributions with job changes and missing months. The
    ///   workers and posts files are the same with or without it.
    public func generate(history: Bool = false) -> Files {
        var rng = SplitMix64(seed: seed)
        var ids: [String] = []
        var postInfo: [(id: String, code: String, openings: Int)] = []
        let w = makeWorkers(&rng, ids: &ids)
        let p = makePosts(&rng, info: &postInfo)
        var files = Files(workers: w, posts: p)
        if history {
            var h = SplitMix64(seed: seed ^ 0x4849_5354_4F52_5921)
            (files.placements, files.contributions) = makeHistory(&h, ids: ids, posts: postInfo)
        }
        return files
    }

    static let placementHeader = ["身份证号", "岗位编号", "入职日期"]
    static let contributionHeader = ["身份证号", "统一社会信用代码", "缴费月份"]

    func makeHistory(_ rng: inout SplitMix64, ids: [String], posts: [(id: String, code: String, openings: Int)]) -> (CSVWriter, CSVWriter) {
        var placements = CSVWriter(header: Generator.placementHeader)
        var contributions = CSVWriter(header: Generator.contributionHeader)
        guard !posts.isEmpty else { return (placements, contributions) }
        let months = [YearMonth(asOf).previous.previous.previous, YearMonth(asOf).previous.previous, YearMonth(asOf).previous]
        var room = posts.map(\.openings)
        var open = Array(posts.indices)
        for id in ids where rng.chance(0.6) {
            // A post with room left, drawn uniformly among them.
            guard !open.isEmpty else { break }
            let k = rng.below(open.count)
            let j = open[k]
            room[j] -= 1
            if room[j] == 0 { open.swapAt(k, open.count - 1); open.removeLast() }
            let startMonth = months[rng.below(3)]
            let day = 1 + rng.below(CivilDate.daysIn(month: startMonth.month, year: startMonth.year))
            let start = CivilDate(year: startMonth.year, month: startMonth.month, day: day)!
            placements.append([id, posts[j].id, start.description])
            // Contributions from the start month on: most keep paying; some change job; some stop.
            let r = rng.unit()
            var paid: [String] = []
            let other = posts[rng.below(posts.count)].code
            for m in months where m >= startMonth {
                if r < 0.08 && m == months[2] && startMonth < months[2] {
                    paid.append(other == posts[j].code ? "" : other) // job change in the last month
                } else if r < 0.13 && m >= months[1] && startMonth < m {
                    paid.append("") // stopped: one or two months missing
                } else if r < 0.16 && m == months[2] && startMonth < months[2] {
                    paid.append("") // the last month missing
                } else {
                    paid.append(posts[j].code)
                }
            }
            var mi = 0
            for m in months where m >= startMonth {
                if !paid[mi].isEmpty { contributions.append([id, paid[mi], m.description]) }
                mi += 1
            }
        }
        return (placements, contributions)
    }

    static let workerHeader = ["身份证号", "姓名", "乡镇", "村", "贫困户", "学历", "技能", "证书", "求职意向", "期望地区", "期望月薪", "就业状态", "联系电话"]
    static let postHeader = ["岗位编号", "企业名称", "统一社会信用代码", "岗位名称", "工种", "工作地点", "招聘人数", "月薪下限", "月薪上限",
                             "学历要求", "年龄下限", "年龄上限", "所需证书", "包吃住"]

    func makeWorkers(_ rng: inout SplitMix64, ids: inout [String]) -> CSVWriter {
        var w = CSVWriter(header: Generator.workerHeader)
        var used = Set<String>()
        let tWeights = Generator.townships.map(\.weight)
        let eWeights = Generator.education.map(\.weight)
        let mWeights = Generator.maleTrades.map(\.weight)
        let fWeights = Generator.femaleTrades.map(\.weight)
        let dWeights = Generator.destinations.map(\.weight)
        for _ in 0..<workers {
            let t = Generator.townships[rng.weighted(tWeights)]
            let age = 18 + rng.below(43)
            let male = rng.chance(0.58)
            var id = ""
            repeat {
                let year = asOf.year - age - (rng.chance(0.5) ? 1 : 0)
                let month = 1 + rng.below(12)
                let day = 1 + rng.below(CivilDate.daysIn(month: month, year: year))
                var birthYear = year
                let drawn = CivilDate(year: year, month: month, day: day)!
                if drawn.age(on: asOf) > 60 { birthYear += 1 }
                if drawn.age(on: asOf) < 18 { birthYear -= 1 }
                // Moving the year keeps a real date: 29 February becomes the 28th in a common year.
                let birth = CivilDate(year: birthYear, month: month, day: min(day, CivilDate.daysIn(month: month, year: birthYear)))!
                let seq = rng.below(500) * 2 + (male ? 1 : 0)
                let digits = "451031" + pad(birth.year, 4) + pad(birth.month, 2) + pad(birth.day, 2) + pad(seq, 3)
                id = digits + String(IDNumber.checkCharacter(for: digits))
            } while !used.insert(id).inserted
            let given = male ? Generator.givenMale : Generator.givenFemale
            var name = Generator.surnames[rng.below(Generator.surnames.count)] + given[rng.below(given.count)]
            if rng.chance(0.75) { name += given[rng.below(given.count)] }
            let village = Generator.villageStems[rng.below(Generator.villageStems.count)]
                + Generator.villageStems[rng.below(Generator.villageStems.count)] + (rng.chance(0.15) ? "社区" : "村")
            let poor = rng.chance(0.2)
            var edu = Generator.education[rng.weighted(eWeights)].name
            if age > 45 && (edu == "大专" || edu == "本科") { edu = "初中" }
            // Intentions: one or two trades, by sex; older workers lean to guard, cleaning and site work.
            var intentions: [String] = []
            let n = rng.chance(0.45) ? 2 : 1
            while intentions.count < n {
                var trade: String
                if age > 45 && rng.chance(0.5) {
                    trade = Generator.olderTrades[rng.below(Generator.olderTrades.count)]
                    if !male && (trade == "建筑工" || trade == "搬运工") { trade = "保洁" }
                } else {
                    trade = male ? Generator.maleTrades[rng.weighted(mWeights)].name : Generator.femaleTrades[rng.weighted(fWeights)].name
                }
                if !intentions.contains(trade) { intentions.append(trade) }
            }
            var skills: [String] = []
            if rng.chance(0.6) { skills.append(intentions[0]) }
            if rng.chance(0.2) {
                let other = male ? Generator.maleTrades[rng.weighted(mWeights)].name : Generator.femaleTrades[rng.weighted(fWeights)].name
                if !skills.contains(other) { skills.append(other) }
            }
            var certs: [String] = []
            for trade in intentions + skills {
                for (c, p) in Generator.certificateFor[trade] ?? [] where rng.chance(p) && !certs.contains(c) { certs.append(c) }
            }
            var dest = ""
            let r = rng.unit()
            if r < 0.35 { dest = "" } else if r < 0.60 { dest = "深圳" } else if r < 0.65 { dest = "不限" } else {
                var ds: [String] = []
                for _ in 0..<(1 + rng.below(2)) {
                    let d = Generator.destinations[rng.weighted(dWeights)].name
                    if !ds.contains(d) { ds.append(d) }
                }
                dest = ds.joined(separator: "、")
            }
            let wage = rng.chance(0.15) ? "" : String(3000 + 500 * rng.below(9))
            let s = rng.unit()
            let status = s < 0.5 ? "求职中" : s < 0.7 ? "待业" : "在岗"
            let phone = rng.chance(0.1) ? "" : "1" + String(3 + rng.below(7)) + pad(rng.below(1_000_000_000), 9)
            let intentionText = intentions.count == 2 && rng.chance(0.5) ? intentions.joined(separator: "或者") : intentions.joined(separator: "、")
            ids.append(id)
            w.append([id, name, rng.chance(0.1) ? t.code : t.name, village, poor ? "是" : "否", edu, skills.joined(separator: "、"),
                      certs.joined(separator: "、"), intentionText, dest, wage, status, phone])
        }
        return w
    }

    func makePosts(_ rng: inout SplitMix64, info: inout [(id: String, code: String, openings: Int)]) -> CSVWriter {
        var w = CSVWriter(header: Generator.postHeader)
        guard posts > 0 else { return w }
        // Employers: about one for every five posts, each with a valid credit code and a home district.
        let employerCount = max(1, posts / 5)
        var employers: [(name: String, code: String, dest: Int)] = []
        let dWeights = Generator.destinations.map(\.weight)
        var codes = Set<String>()
        for e in 0..<employerCount {
            let d = rng.weighted(dWeights)
            let city = Generator.destinations[d].name.hasSuffix("区") ? "深圳市" : Generator.destinations[d].name
            let name = city + Generator.employerWords[rng.below(Generator.employerWords.count)]
                + Generator.employerKinds[rng.below(Generator.employerKinds.count)] + "有限公司" + (e >= 200 ? "第\(e / 200 + 1)分公司" : "")
            var code = ""
            repeat {
                var first = "91" + Generator.districtCodes[d]
                for _ in 0..<9 { first.append(Character(Unicode.Scalar(CreditCode.alphabet[rng.below(CreditCode.alphabet.count)]))) }
                code = first + String(CreditCode.checkCharacter(for: first))
            } while !codes.insert(code).inserted
            employers.append((name, code, d))
        }
        // Heavy-tailed openings: most posts 1, a few up to 50, rescaled to total about 1.1 × workers.
        var openings = (0..<posts).map { _ -> Int in min(50, Int(1.0 / pow(max(rng.unit(), 1e-9), 0.8)) ) }
        let target = max(posts, Int((1.1 * Double(workers)).rounded()))
        var total = openings.reduce(0, +)
        var guardSteps = 0
        while total != target && guardSteps < 50 * (posts + target) {
            guardSteps += 1
            let i = rng.below(posts)
            if total < target && openings[i] < 50 && (openings[i] > 1 || rng.chance(0.3)) {
                openings[i] += 1; total += 1
            } else if total > target && openings[i] > 1 {
                openings[i] -= 1; total -= 1
            }
        }
        let tWeights = Generator.demand.map(\.weight)
        for p in 0..<posts {
            let e = employers[rng.below(employers.count)]
            let trade = Generator.demand[rng.weighted(tWeights)]
            let dest = rng.chance(0.7) ? e.dest : rng.weighted(dWeights)
            let lo = trade.wage.lowerBound + 100 * rng.below((trade.wage.upperBound - trade.wage.lowerBound) / 200 + 1)
            let hi = min(trade.wage.upperBound + 1000, lo + 500 * (1 + rng.below(4)))
            var edu = ""
            let er = rng.unit()
            if er < 0.15 { edu = "初中" } else if er < 0.2 { edu = "高中" } else if er < 0.22 { edu = "大专" }
            var amin = "", amax = ""
            let ar = rng.unit()
            if ar < 0.45 { amin = "18"; amax = String([40, 45, 50, 55][rng.below(4)]) } else if ar < 0.6 { amin = "16"; amax = "" } else if ar < 0.7 { amin = ""; amax = "60" }
            var certs: [String] = []
            for (c, pr) in Generator.requiredCertificate[trade.name] ?? [] where rng.chance(pr) {
                certs.append(c)
                if c.hasSuffix("驾驶证") { break }
            }
            let title = trade.name + ["", "师傅", "(长期)", "(急招)", "学徒"][rng.below(5)]
            info.append((String(format: "P%06d", p + 1), e.code, openings[p]))
            w.append([String(format: "P%06d", p + 1), e.name, e.code, title, trade.name, Generator.destinations[dest].name,
                      String(openings[p]), String(lo), String(hi), edu, amin, amax, certs.joined(separator: "、"),
                      rng.chance(0.6) ? "是" : "否"])
        }
        return w
    }
}

/// Zero-padded decimal: `pad(7, 3)` = "007".
func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
