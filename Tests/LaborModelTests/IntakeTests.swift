import Foundation
import Testing
@testable import LaborModel

@Suite struct WorkerIntakeTests {
    func workers(_ text: String) throws -> IntakeResult<Worker> {
        let t = try CSVTable.parse(data: Fixtures.csv(text), file: "w.csv")
        return try WorkerIntake.validate(table: t, file: "w.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf)
    }

    @Test func errorSampleRejectsEveryBadRowAndKeepsTheGoodOnes() throws {
        let r = try WorkerIntake.read(path: Fixtures.sample + "/workers_errors.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf)
        #expect(r.read == 9)
        #expect(r.read == r.accepted.count + r.rejections.count)
        #expect(r.accepted.map(\.name) == ["罗国刚", "引号, 内含逗号", "小写x"])
        #expect(r.rejections.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(r.warnings.count == 1 && r.warnings[0].contains("备注"))
        let all = r.rejectionMessages().joined(separator: "\n")
        for needle in ["wrong check character", "把身份证号列设为文本", "birth date", "18 characters", "must not be empty",
                       "not a Longlin township", "是/否", "unknown education", "unknown occupation", "unknown certificate",
                       "unknown destination", "whole number", "employed, unemployed or seeking", "11-digit",
                       "duplicate id_number, first seen on line 2"] {
            #expect(all.contains(needle), "missing reason: \(needle)")
        }
        // ID numbers and phones are masked in messages.
        #expect(!all.contains("11010219840506970X"))
        #expect(all.contains("110102********970X"))
        // The many-error row carries every reason.
        #expect(r.rejections.first { $0.line == 7 }?.problems.count == 11)
    }

    @Test func parsedValues() throws {
        let r = try WorkerIntake.read(path: Fixtures.sample + "/workers_errors.csv", taxonomy: Fixtures.taxonomy, asOf: Fixtures.asOf)
        let tax = Fixtures.taxonomy
        let luo = r.accepted[0]
        #expect(luo.intentions == [tax.occupation("木工")!, tax.occupation("司机")!])
        #expect(luo.destinations == [tax.destination("罗湖区")!])
        #expect(luo.poorHousehold && luo.expectedWage == 4500 && luo.status == .seeking)
        let quoted = r.accepted[1]
        #expect(quoted.workerID == "440524188001010014")
        #expect(quoted.village == "多行\n村名")
        #expect(quoted.destinations?.count == 10) // 深圳 = every district
        let lower = r.accepted[2]
        #expect(lower.workerID == "44011319941005001X")
        #expect(lower.destinations == nil && lower.phone == "13900001234" && lower.status == .unemployed)
    }

    @Test func intentionSeparators() throws {
        let tax = Fixtures.taxonomy
        let want = [tax.occupation("木工")!, tax.occupation("司机")!]
        for sep in ["或者", "或", "、", ";", "|", "/", ",", "，"] {
            let r = try workers("身份证号,姓名,乡镇,求职意向\n11010519491231002X,甲,新州镇,\"木工\(sep)司机\"\n")
            #expect(r.accepted.first?.intentions == want, "separator \(sep)")
        }
    }

    @Test func englishHeadersAnyOrderAndTownshipCode() throws {
        let r = try workers("township,name,id_number,poor_household\n451031206,乙,11010519491231002X,yes\n")
        #expect(r.accepted.count == 1)
        #expect(r.accepted[0].township == Fixtures.taxonomy.township("金钟山乡"))
        #expect(r.accepted[0].poorHousehold)
    }

    @Test func missingRequiredColumnStopsTheFile() throws {
        do {
            _ = try workers("身份证号,姓名\n11010519491231002X,甲\n")
            Issue.record("a file without 乡镇 was read")
        } catch let IntakeError.missingColumns(file, columns, known) {
            #expect(file == "w.csv" && columns == ["乡镇 township"])
            #expect(known.count == Schema.workers.columns.count && known.contains { $0.hasPrefix("乡镇 township *") })
        }
    }

    /// Column aliases come from Data/taxonomy/columns.csv: 手机号码 is the phone, 是否贫困户 the poor flag.
    @Test func columnAliasesFromTheTaxonomy() throws {
        let r = try workers("身份证号码,姓名,所在乡镇,手机号码,是否贫困户\n11010519491231002X,甲,新州镇,13800000001,是\n")
        #expect(r.warnings.isEmpty)
        #expect(r.accepted.first?.phone == "13800000001" && r.accepted.first?.poorHousehold == true)
        #expect(r.columns == ["id_number", "name", "township", "phone", "poor_household"])
    }

    @Test func shortRowsAreReadAsEmptyCells() throws {
        let r = try workers("身份证号,姓名,乡镇,联系电话\n11010519491231002X,甲,新州镇\n")
        #expect(r.accepted.count == 1 && r.accepted[0].phone == nil)
    }

    @Test func rejectsFileKeepsFieldsAsRead() throws {
        let r = try workers("身份证号,姓名,乡镇\n11010219840506970X,甲,新州镇\n")
        let t = try CSVTable.parse(data: r.rejectsCSV(english: true).data(), file: "r.csv")
        #expect(t.header == ["line", "身份证号", "姓名", "乡镇", "reasons"])
        #expect(t.records[0].fields[0] == "2" && t.records[0].fields[1] == "11010219840506970X")
        #expect(t.records[0].fields[4].contains("check character"))
    }
}

@Suite struct PostIntakeTests {
    @Test func errorSample() throws {
        let r = try PostIntake.read(path: Fixtures.sample + "/posts_errors.csv", taxonomy: Fixtures.taxonomy)
        #expect(r.read == 5 && r.accepted.count == 2 && r.rejections.count == 3)
        #expect(r.accepted.map(\.postID) == ["P1", "P4"])
        let p4 = r.accepted[1]
        #expect(p4.openings == 1000 && p4.wageMin == 4000 && p4.ageMin == 18 && p4.ageMax == 40)
        #expect(p4.occupation == Fixtures.taxonomy.occupation("电子装配工"))
        let all = r.rejectionMessages().joined(separator: "\n")
        for needle in ["wrong check character (expected 3)", "must not be empty", "unknown location", "1–100000",
                       "wage_max is below wage_min", "16–65", "unknown certificate", "是/否",
                       "duplicate post_id, first seen on line 2"] {
            #expect(all.contains(needle), "missing reason: \(needle)")
        }
    }
}

@Suite struct TaxonomyTests {
    @Test func loadsTheListsTheIssueNames() throws {
        let t = Fixtures.taxonomy
        #expect(t.townships.count == 16)
        #expect(t.township("451031215") == t.township("介廷乡"))
        for name in ["罗湖区", "罗湖", "大鹏新区", "大鹏", "惠州市", "惠州"] { #expect(t.destination(name) != nil, "\(name)") }
        #expect(t.group("深圳")??.count == 10)
        #expect(t.group("不限") == .some(nil))
        for (occ, isco) in [("木工", "7115"), ("司机", "8322"), ("电工", "7411"), ("焊工", "7212"), ("普工", "9329"),
                            ("保安", "5414"), ("保洁", "9112"), ("厨师", "5120"), ("快递员", "9621"), ("建筑工", "9313"),
                            ("缝纫工", "8153"), ("电子装配工", "8212")] {
            #expect(t.occupation(occ).map { t.occupations[$0].isco.contains(isco) } == true, "\(occ)")
        }
        #expect(t.credit(t.occupation("装修工")!, t.occupation("木工")!) == 0.5)
        #expect(t.credit(t.occupation("木工")!, t.occupation("保洁")!) == 0)
        for c in ["C1驾驶证", "B2驾驶证", "A2驾驶证", "电工证", "焊工证", "叉车证", "厨师证", "保安员证", "育婴员证", "健康证", "B2", "驾照B2"] {
            #expect(t.certificate(c) != nil, "\(c)")
        }
        let a2 = t.certificate("A2")!
        #expect(Set(t.closure(ofCertificates: [a2])) == Set([a2, t.certificate("B2")!, t.certificate("C1")!]))
        let rank = { (s: String) in t.education[t.educationLevel(s)!].rank }
        #expect(rank("小学") < rank("初中") && rank("初中") < rank("高中") && rank("高中") == rank("中专")
                && rank("中专") < rank("大专") && rank("大专") < rank("本科") && rank("本科及以上") == rank("本科"))
        #expect(rank("vocational") == rank("senior"))
    }

    @Test func missingFileIsNamed() throws {
        let dir = Fixtures.tempDir()
        for f in ["townships.csv", "destinations.csv", "destination_groups.csv", "columns.csv", "occupations.csv", "substitutions.csv", "education.csv"] {
            try FileManager.default.copyItem(atPath: Fixtures.data + "/taxonomy/" + f, toPath: dir + "/" + f)
        }
        #expect(throws: TaxonomyError(file: dir + "/certificates.csv", line: nil, message: "taxonomy file is missing (缺少分类文件)")) {
            try Taxonomy.load(directory: dir)
        }
    }

    @Test func malformedLineIsNamed() throws {
        let dir = Fixtures.tempDir()
        for f in ["townships.csv", "destinations.csv", "destination_groups.csv", "columns.csv", "occupations.csv", "certificates.csv", "education.csv"] {
            try FileManager.default.copyItem(atPath: Fixtures.data + "/taxonomy/" + f, toPath: dir + "/" + f)
        }
        try "occupation,related,credit\n装修工,木工,0.5\n木工,宇航员,0.5\n".write(toFile: dir + "/substitutions.csv", atomically: true, encoding: .utf8)
        do {
            _ = try Taxonomy.load(directory: dir)
            Issue.record("should fail")
        } catch let e as TaxonomyError {
            #expect(e.file.hasSuffix("substitutions.csv") && e.line == 3 && e.message.contains("宇航员"))
        }
        try "occupation,related,credit\n装修工,木工,0.3\n".write(toFile: dir + "/substitutions.csv", atomically: true, encoding: .utf8)
        #expect(throws: TaxonomyError.self) { try Taxonomy.load(directory: dir) }
        // columns.csv: an unknown column, or an alias that already names another column, is named with its line.
        try FileManager.default.copyItem(atPath: Fixtures.data + "/taxonomy/substitutions.csv", toPath: dir + "/s.csv")
        try FileManager.default.removeItem(atPath: dir + "/substitutions.csv")
        try FileManager.default.moveItem(atPath: dir + "/s.csv", toPath: dir + "/substitutions.csv")
        for (text, says) in [("kind,key,aliases\nworkers,phone,手机\nworkers,nickname,外号\n", "no column 'nickname'"),
                             ("kind,key,aliases\nworkers,phone,手机\nworkers,village,手机\n", "alias '手机' already names"),
                             ("kind,key,aliases\nemployers,name,名称\n", "kind 'employers'")] {
            try text.write(toFile: dir + "/columns.csv", atomically: true, encoding: .utf8)
            do {
                _ = try Taxonomy.load(directory: dir)
                Issue.record("should fail: \(says)")
            } catch let e as TaxonomyError {
                #expect(e.file.hasSuffix("columns.csv") && e.line != nil && e.message.contains(says), "\(e)")
            }
        }
    }
}

@Suite struct GeneratorTests {
    @Test func sameSeedSameBytesAndEveryRowValid() throws {
        let a = Generator(workers: 500, posts: 120, seed: 9).generate()
        let b = Generator(workers: 500, posts: 120, seed: 9).generate()
        let c = Generator(workers: 500, posts: 120, seed: 10).generate()
        #expect(a.workers.data() == b.workers.data() && a.posts.data() == b.posts.data())
        #expect(a.workers.data() != c.workers.data())
        let tax = Fixtures.taxonomy
        let w = try WorkerIntake.validate(table: CSVTable.parse(data: a.workers.data(), file: "w"), file: "w", taxonomy: tax, asOf: Generator.defaultAsOf)
        let p = try PostIntake.validate(table: CSVTable.parse(data: a.posts.data(), file: "p"), file: "p", taxonomy: tax)
        #expect(w.rejections.isEmpty && w.accepted.count == 500)
        #expect(p.rejections.isEmpty && p.accepted.count == 120)
        // Openings total about 1.1 × workers, most posts have one or a few, none over 50.
        let total = p.accepted.reduce(0) { $0 + $1.openings }
        #expect(total == 550)
        #expect(p.accepted.allSatisfy { $0.openings >= 1 && $0.openings <= 50 })
        // Ages 18–60, ~20% poor.
        let ages = w.accepted.map { $0.idNumber.birthDate.age(on: Generator.defaultAsOf) }
        #expect(ages.min()! >= 18 && ages.max()! <= 60)
        let poor = Double(w.accepted.filter(\.poorHousehold).count) / 500
        #expect(poor > 0.14 && poor < 0.26)
        #expect(w.accepted.allSatisfy { $0.idNumber.value.hasPrefix("451031") })
    }

    @Test func heavyTailAtEqualSizes() throws {
        let g = Generator(workers: 5000, posts: 5000, seed: 3).generate()
        let p = try PostIntake.validate(table: CSVTable.parse(data: g.posts.data(), file: "p"), file: "p", taxonomy: Fixtures.taxonomy)
        let o = p.accepted.map(\.openings)
        #expect(o.reduce(0, +) == 5500)
        #expect(o.filter { $0 == 1 }.count > 4000)
        #expect(o.max()! > 5)
    }
}

/// List cells are cut over their UTF-8 bytes; the oracle cuts them a Unicode scalar at a time, as the rules read.
@Suite struct ListSplitTests {
    static func scalarSplit(_ s: String) -> [String] {
        var out: [String] = [], current = "", pending = Array(s.unicodeScalars)[...]
        func flush() {
            let t = Normalize.cell(current)
            if !t.isEmpty { out.append(t) }
            current = ""
        }
        while let u = pending.popFirst() {
            if "、;|/,；，／".unicodeScalars.contains(u) {
                flush()
            } else if u == "或" {
                flush()
                if pending.first == "者" { pending.removeFirst() }
            } else {
                current.unicodeScalars.append(u)
            }
        }
        flush()
        return out
    }

    @Test(arguments: 1...5)
    func cutsAsTheScalarRulesDo(seed: UInt64) {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let pieces = ["、", ";", "|", "/", ",", "；", "，", "／", "或", "者", "或者", "木工", "电工", "司机", "a", "B", " ", "　", "Ａ", "é", "🙂", "〇", "、、"]
        for _ in 0..<400 {
            let s = (0..<next(9)).map { _ in pieces[next(pieces.count)] }.joined()
            #expect(RowReader.split(s) == Self.scalarSplit(s), "\(s)")
        }
        #expect(RowReader.split("木工或者司机") == ["木工", "司机"] && RowReader.split("电工、 焊工 ;") == ["电工", "焊工"])
    }
}
