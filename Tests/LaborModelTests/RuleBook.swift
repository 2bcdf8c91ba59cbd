import LaborModel

/// The test oracle of the GEMM path: a pair's score computed straight from the rules as README states them,
/// with none of `MatchRules`', `MatchEncoder`'s or `ScoringWeights`' helper functions (only their data: the
/// weights' values and the taxonomy's tables), so a mistake in those helpers cannot hide in both.
struct RuleBook {
    let taxonomy: Taxonomy
    let weights: ScoringWeights
    let asOf: CivilDate
    var excluded: Set<String> = []

    /// Whole years on the as-of date, from the birth date written in the ID number (digits 7–14).
    func age(_ w: Worker) -> Int {
        let id = Array(w.workerID)
        let year = Int(String(id[6..<10]))!, month = Int(String(id[10..<12]))!, day = Int(String(id[12..<14]))!
        var a = asOf.year - year
        if asOf.month < month || (asOf.month == month && asOf.day < day) { a -= 1 }
        return a
    }

    /// 1 for the same trade, the credit of Data/taxonomy/substitutions.csv for a related one, else 0.
    func credit(_ a: Int, _ b: Int) -> Double {
        if a == b { return 1 }
        return taxonomy.substitutes[a].first { $0.occupation == b }?.credit ?? 0
    }

    /// Intentions by rank (1, 0.625, then 0.5), skills 0.5, each times the trade credit; the best one counts.
    func occupation(_ w: Worker, _ occ: Int) -> Double {
        var best = 0.0
        for (rank, i) in w.intentions.enumerated() {
            best = max(best, weights.intention[min(rank, weights.intention.count - 1)] * credit(i, occ))
        }
        for s in w.skills { best = max(best, weights.skill * credit(s, occ)) }
        return best
    }

    /// The expectation counts as the smallest edge at or above it (above all: more than the last). The post's
    /// 月薪下限 meeting it gives wage.met, only its 月薪上限 wage.max_met. No expectation is always met.
    func wage(_ w: Worker, _ p: JobPost) -> Double {
        guard let e = w.expectedWage, e > 0 else { return weights.wageMet }
        let edge = weights.wageEdges.first { $0 >= e } ?? weights.wageEdges.last! + 1
        if edge <= p.wageMin { return weights.wageMet }
        if edge <= p.wageMax { return weights.wageMaxMet }
        return 0
    }

    /// Certificates held, with what each implies (A2 → B2 → C1), followed to the end.
    func held(_ w: Worker) -> Set<Int> {
        var have = Set(w.certificates)
        var changed = true
        while changed {
            changed = false
            for c in have { for d in taxonomy.certificates[c].implies where !have.contains(d) { have.insert(d); changed = true } }
        }
        return have
    }

    /// How many hard rules the pair breaks: each missing certificate, an age outside the post's range (18–60
    /// when it sets none), education below its minimum, an excluded employer.
    func brokenRules(_ w: Worker, _ p: JobPost) -> Int {
        var n = 0
        let have = held(w)
        for c in p.requiredCertificates where !have.contains(c) { n += 1 }
        let a = age(w)
        if a < (p.ageMin ?? 18) || a > (p.ageMax ?? 60) { n += 1 }
        if let m = p.educationMin {
            let rank = w.education.map { taxonomy.education[$0].rank } ?? 0
            if rank < taxonomy.education[m].rank { n += 1 }
        }
        if excluded.contains(p.creditCode) { n += 1 }
        return n
    }

    func score(_ w: Worker, _ p: JobPost) -> Double {
        weights.occupation * occupation(w, p.occupation)
            + ((w.destinations?.contains(p.location) ?? true) ? weights.destination : 0)
            + wage(w, p)
            + (p.boardLodging ? weights.boardLodging : 0)
            - weights.big * Double(brokenRules(w, p))
    }

    /// The score × 1024, as the engine ranks it.
    func quantized(_ w: Worker, _ p: JobPost) -> Int { Int((score(w, p) * 1024).rounded()) }
}
