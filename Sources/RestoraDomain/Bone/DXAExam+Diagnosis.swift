/// DXA diagnosis from the lowest of lumbar spine, femoral neck, total hip and 33 % radius
/// (REFERENCE.md C1, AACE/ACE 2020), in the vocabulary ISCD assigns to the patient.
extension DXAExam {
    public func diagnose(references: BoneReferenceTable = .default) throws -> DXADiagnosis {
        let (vocabulary, needs) = try patient.vocabulary()
        let results = try sites.map { try score($0, references: references) }
        var diagnosis = DXADiagnosis(vocabulary: vocabulary, sites: results)
        if let needs {
            diagnosis.cannotClassify.append("cannot classify: needs \(needs) (T-scores apply only after menopause)")
            return diagnosis
        }
        switch vocabulary {
        case .tScore: try classifyByTScore(&diagnosis, results)
        case .zScore: try classifyByZScore(&diagnosis, results)
        case nil: break
        }
        return diagnosis
    }

    private func score(_ m: DXASiteMeasurement, references: BoneReferenceTable) throws -> DXASiteResult {
        try AllowedRange.positive("g/cm²").checkIfPresent(m.bmdGPerCm2, field: "\(m.site.rawValue).bmd")
        try AllowedRange(lower: -20, upper: 20, unit: "SD").checkIfPresent(m.reportedTScore, field: "\(m.site.rawValue).tScore")
        try AllowedRange(lower: -20, upper: 20, unit: "SD").checkIfPresent(m.reportedZScore, field: "\(m.site.rawValue).zScore")
        var t = m.reportedTScore, tSource = t.map { _ in "reported by scanner" }
        if let bmd = m.bmdGPerCm2, let reference = references.reference(for: m.site, scanner: scanner) {
            t = try TScore.compute(bmdGPerCm2: bmd, reference: reference)
            tSource = "computed from \(reference.source)"
        }
        var z = m.reportedZScore, zSource = z.map { _ in "reported by scanner" }
        if let bmd = m.bmdGPerCm2, let reference = m.ageMatchedReference {
            z = try ZScore.compute(bmdGPerCm2: bmd, ageMatched: reference)
            zSource = "computed from \(reference.source)"
        }
        return DXASiteResult(site: m.site, bmdGPerCm2: m.bmdGPerCm2, tScore: t, tScoreSource: tSource,
                             zScore: z, zScoreSource: zSource)
    }

    private func lowest(_ results: [DXASiteResult], _ score: (DXASiteResult) -> Double?) -> (SkeletalSite, Double)? {
        results.compactMap { r in score(r).map { (r.site, $0) } }
            .min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    }

    private func classifyByTScore(_ diagnosis: inout DXADiagnosis, _ results: [DXASiteResult]) throws {
        for r in results where r.tScore == nil {
            diagnosis.notes.append("\(r.site.displayName): no T-score (needs a reference for this site and scanner, or the scanner's T-score)")
        }
        guard let (site, t) = lowest(results, \.tScore) else {
            diagnosis.cannotClassify.append("cannot classify: needs a T-score (or BMD with a reference) at lumbar spine, femoral neck, total hip or 33% radius")
            return
        }
        diagnosis.lowestSite = site
        diagnosis.lowestScore = t
        let category = try BoneDensityCategory.classify(tScore: t, fragilityFracture: fragilityFracture ?? false)
        diagnosis.category = category
        if category == .osteoporosis && fragilityFracture == nil {
            diagnosis.cannotClassify.append("cannot classify severe osteoporosis: needs fragility-fracture history")
        }
        if fragilityFracture == true && ClinicalComparison.isAbove(t, -2.5) {
            // REFERENCE.md C1 (AACE/ACE 2020): a fragility fracture is osteoporosis even with normal BMD;
            // the WHO densitometric category itself stays as measured.
            diagnosis.notes.append("fragility fracture: clinical osteoporosis by AACE/ACE 2020 regardless of T-score")
        }
    }

    private func classifyByZScore(_ diagnosis: inout DXADiagnosis, _ results: [DXASiteResult]) throws {
        diagnosis.notes.append("T-score categories do not apply (ISCD: premenopausal women, men under 50); Z-score wording used, and osteoporosis cannot be diagnosed by BMD alone")
        guard let (site, z) = lowest(results, \.zScore) else {
            diagnosis.cannotClassify.append("cannot classify: needs a Z-score (reported, or BMD with an age-matched reference)")
            return
        }
        diagnosis.lowestSite = site
        diagnosis.lowestScore = z
        diagnosis.zScoreWording = try ZScoreWording.classify(zScore: z)
    }
}
