import RestoraDomain

/// DXA scans as the scanner reports them: BMD and T-score per site (REFERENCE.md C1, F1). T-scores are
/// computed with the domain's formula from young-adult references: NHANES III for the femoral neck (C2,
/// S); the lumbar-spine and total-hip references below are synthetic stand-ins for a manufacturer database (U).
enum DemoDXA {
    static let sites: [SkeletalSite] = [.lumbarSpine, .femoralNeck, .totalHip]

    static let references = BoneReferenceTable(entries: [
        .init(site: .femoralNeck, reference: .nhanes3FemoralNeck),
        .init(site: .lumbarSpine, reference: BoneDensityReference(meanGPerCm2: 1.047, sdGPerCm2: 0.110,
                                                                  source: "demo lumbar-spine reference (synthetic, U)")),
        .init(site: .totalHip, reference: BoneDensityReference(meanGPerCm2: 0.942, sdGPerCm2: 0.122,
                                                               source: "demo total-hip reference (synthetic, U)")),
    ])

    /// BMD for a target T-score: the inverse of T = (BMD − mean) / SD.
    static func bmd(tScore: Double, site: SkeletalSite) -> Double {
        guard let reference = references.reference(for: site, scanner: nil) else { return 0.8 }
        return DemoNumber.round(reference.meanGPerCm2 + tScore * reference.sdGPerCm2, places: 3)
    }

    /// Records one scan (BMD and T-score at each site) and returns the T-scores it recorded.
    @discardableResult
    static func record(_ b: inout DemoRecordBuilder, bmd: [SkeletalSite: Double], on date: CalendarDate, visit: Visit?,
                       scanner: String) throws -> [SkeletalSite: Double] {
        let panel = b.nextID("dxa")
        var scores: [SkeletalSite: Double] = [:]
        for site in sites {
            guard let value = bmd[site], let reference = references.reference(for: site, scanner: nil) else { continue }
            let t = DemoNumber.round(try TScore.compute(bmdGPerCm2: value, reference: reference), places: 1)
            scores[site] = t
            b.observe(ClinicalCodes.dxaBMD(site), .quantity(Quantity(value, "g/cm2")), on: date, visit: visit, panel: panel,
                      bodySite: site.displayName, note: "\(scanner) (\(DemoLabel.text))")
            b.observe(ClinicalCodes.dxaTScore(site), .quantity(Quantity(t, "{T-score}")), on: date, visit: visit, panel: panel,
                      bodySite: site.displayName, note: "\(scanner) (\(DemoLabel.text))")
        }
        return scores
    }
}
