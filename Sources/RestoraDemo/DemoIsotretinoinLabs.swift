import RestoraDomain

/// Plausible laboratory values for a man on isotretinoin (REFERENCE.md E2 monitoring): fasting lipids and
/// liver enzymes at baseline and monthly, PHQ-9 at every visit, reproductive hormones and testicular volume
/// at screening (B4: FSH and volume differ by histology). Values are synthetic.
struct DemoIsotretinoinLabs {
    let profile: DemoIsotretinoinProfile
    let cholesterolBase: Double
    let triglycerideBase: Double
    let hdl: Double

    init(profile: DemoIsotretinoinProfile, rng: inout SplitMix64) {
        self.profile = profile
        cholesterolBase = rng.rounded(150...190, places: 0)
        triglycerideBase = rng.rounded(70...135, places: 0)
        hdl = rng.rounded(38...60, places: 0)
    }

    func screening(_ b: inout DemoRecordBuilder, _ visit: Visit, on date: CalendarDate, rng: inout SplitMix64) {
        let fsh: ClosedRange<Double>, volume: ClosedRange<Double>
        switch (profile.histology, profile.cryptozoospermic) {
        case (.maturationArrest?, _): fsh = 4.5...9; volume = 14...20   // B4 caveat: MA can have normal FSH and volume
        case (.sertoliCellOnly?, _): fsh = 18...32; volume = 6...11
        case (.hypospermatogenesis?, _): fsh = 9...16; volume = 11...16
        case (nil, true): fsh = 6...12; volume = 13...19
        case (nil, false): fsh = 11...20; volume = 10...15
        }
        let panel = b.nextID("hormones")
        b.quantity(ClinicalCodes.fsh, rng.rounded(fsh, places: 1), "[IU]/L", on: date, visit: visit, panel: panel)
        b.quantity(ClinicalCodes.lh, rng.rounded(4...12, places: 1), "[IU]/L", on: date, visit: visit, panel: panel)
        b.quantity(ClinicalCodes.testosterone, rng.rounded(280...600, places: 0), "ng/dL", on: date, visit: visit, panel: panel)
        for side in ["left", "right"] {
            b.quantity(ClinicalCodes.testicularVolume, rng.rounded(volume, places: 0), "mL", on: date, visit: visit, bodySite: side)
        }
        b.quantity(ClinicalCodes.alcohol, Double(rng.int(0...2)), "{drinks}/d", on: date, visit: visit)
        chemistry(&b, visit, on: date, month: 0, rng: &rng)
        b.quantity(ClinicalCodes.phq9, Double(rng.int(0...7)), "{score}", on: date, visit: visit)
    }

    /// Monthly monitoring; `phqAlert` records a PHQ-9 of 16, above the protocol's alert threshold of 15 (A2).
    func visit(_ b: inout DemoRecordBuilder, _ visit: Visit, on date: CalendarDate, month: Int, phqAlert: Bool,
               rng: inout SplitMix64) {
        if month <= 6 { chemistry(&b, visit, on: date, month: month, rng: &rng) }
        let phq = phqAlert ? 16 : rng.int(0...(profile.irritability ? 9 : 6))
        b.quantity(ClinicalCodes.phq9, Double(phq), "{score}", on: date, visit: visit)
    }

    private func chemistry(_ b: inout DemoRecordBuilder, _ visit: Visit, on date: CalendarDate, month: Int, rng: inout SplitMix64) {
        // Isotretinoin raises lipids modestly; in the 5 men with an altered panel (A1) total cholesterol
        // passes the ULN (200 mg/dL, default) from month 2, CTCAE grade 1 "Cholesterol high" (E1).
        let onTreatment = month > 0
        var cholesterol = cholesterolBase + (onTreatment ? rng.double(3...15) : 0)
        if profile.cholesterol && month >= 2 { cholesterol = rng.double(212...262) }
        let triglyceride = triglycerideBase + (onTreatment ? rng.double(5...60) : 0)
        let ldl = cholesterol - hdl - triglyceride / 5  // Friedewald, mg/dL
        let lipids = b.nextID("lipids")
        b.quantity(ClinicalCodes.totalCholesterol, DemoNumber.round(cholesterol, places: 0), "mg/dL", on: date, visit: visit, panel: lipids)
        b.quantity(ClinicalCodes.triglyceride, DemoNumber.round(triglyceride, places: 0), "mg/dL", on: date, visit: visit, panel: lipids)
        b.quantity(ClinicalCodes.hdl, hdl, "mg/dL", on: date, visit: visit, panel: lipids)
        b.quantity(ClinicalCodes.ldl, DemoNumber.round(ldl, places: 0), "mg/dL", on: date, visit: visit, panel: lipids)
        let liver = b.nextID("liver")
        b.quantity(ClinicalCodes.alt, rng.rounded(14...(onTreatment ? 44 : 36), places: 0), "U/L", on: date, visit: visit, panel: liver, uln: 40)
        b.quantity(ClinicalCodes.ast, rng.rounded(15...(onTreatment ? 40 : 34), places: 0), "U/L", on: date, visit: visit, panel: liver, uln: 40)
    }

    /// REFERENCE.md A1: dry skin in everyone, irritability, altered cholesterol and rash in some; none led to
    /// stopping the drug (action "none").
    func adverseEvents(_ b: inout DemoRecordBuilder, start: CalendarDate, rng: inout SplitMix64) throws {
        let end = start.adding(days: 212)
        try b.adverseEvent(term: "Dry skin", grade: rng.chance(0.25) ? 2 : 1, onset: start.adding(days: rng.int(7...25)),
                           resolution: end, relatedness: .definite, expected: true, outcome: .recovered)
        if profile.irritability {
            try b.adverseEvent(term: "Irritability", grade: 1, onset: start.adding(days: rng.int(20...70)),
                               resolution: start.adding(days: rng.int(120...200)), relatedness: .possible, expected: true,
                               outcome: .recovered)
        }
        if profile.cholesterol {
            try b.adverseEvent(term: "Cholesterol high", grade: 1, onset: start.adding(days: 60),
                               resolution: end, relatedness: .probable, expected: true, outcome: .recovered)
        }
        if profile.rash {
            try b.adverseEvent(term: "Rash maculo-papular", grade: 1, onset: start.adding(days: rng.int(14...90)),
                               resolution: start.adding(days: rng.int(100...170)), relatedness: .possible, expected: true,
                               outcome: .recovered)
        }
    }
}
