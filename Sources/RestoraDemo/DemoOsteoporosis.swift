import RestoraDomain

/// The osteoporosis program (protocols/msc-osteoporosis.yaml): 40 participants at three sites, screening DXA
/// with osteoporosis by T-score (REFERENCE.md C1), harvest, released lot, image-guided injection, DXA at
/// months 6 and 12 whose changes the report judges against the LSC (C3), a few new fractures (C4), and
/// HRT or bisphosphonates recorded as adjuncts. Changes are synthetic: no local-injection trial exists (C5, U).
enum DemoOsteoporosis {
    static let code = "OST"
    static let size = 40
    static let firstInjection = CalendarDate(year: 2025, month: 3, day: 3) ?? CalendarDate(dayNumber: 0)
    static let newFractures: Set<Int> = [6, 19, 33]
    static let scanners = ["Hologic Horizon A", "GE Lunar iDXA", "Hologic Discovery W"]

    static func build(_ context: inout DemoContext, sites: [Identifier<Site>]) throws -> [DemoParticipant] {
        var result = try (0..<size).map { i in
            try participant(i, start: firstInjection.adding(days: i * 7), siteIndex: i % sites.count, sites: sites, context: &context)
        }
        let day = CalendarDate(year: 2025, month: 6, day: 2) ?? firstInjection
        result.append(try DemoScreenFailures.screenFailure(
            &context, code: code, number: size + 1, site: sites[0], sex: .female, age: 61, on: day, postmenopausal: true
        ) { b, _ in
            // Osteopenia only (lowest T −1.8), no fragility fracture: the osteoporosis criterion is not met.
            let bmd = Dictionary(uniqueKeysWithValues: DemoDXA.sites.map { ($0, DemoDXA.bmd(tScore: -1.8, site: $0)) })
            try DemoDXA.record(&b, bmd: bmd, on: day, visit: nil, scanner: scanners[0])
        })
        return result
    }

    /// `i` picks the participant's pattern (sex, adjuncts, fractures, tissue, injection site); `number` and
    /// `code` name them (the scaled clinic reuses the patterns of the 40 under its own code and numbers).
    static func participant(_ i: Int, start: CalendarDate, siteIndex: Int, sites: [Identifier<Site>],
                            context: inout DemoContext, number: Int? = nil,
                            code: String = DemoOsteoporosis.code) throws -> DemoParticipant {
        let number = number ?? i + 1
        let woman = i % 7 != 3
        var history: [HistoryItem] = []
        if i % 3 == 0 {
            history.append(HistoryItem(kind: .fracture, code: ClinicalCodes.fragilityFracture, description: "vertebral fragility fracture (T12)",
                                       date: start.adding(days: -context.rng.int(400...2000)), outcome: "healed"))
        }
        let person = context.participant(
            code: code, number: number, site: sites[siteIndex], sex: woman ? .female : .male, age: context.rng.int(56...80),
            on: start, postmenopausal: woman ? true : nil, diagnoses: [Diagnosis(code: ClinicalCodes.osteoporosis)], history: history)
        var enrolment = context.enrolment(for: person)
        var b = DemoRecordBuilder(participantID: person.id, enrolmentID: enrolment.id)
        if i % 5 < 2 {
            b.medications.append(ConcomitantMedication(drug: ClinicalCodes.alendronate, drugClass: "bisphosphonate", dose: "70 mg weekly",
                                                       start: start.adding(days: -700), adjunct: true))
        }
        if woman && i % 6 == 1 {
            b.medications.append(ConcomitantMedication(drug: ClinicalCodes.estradiol, drugClass: "hrt", dose: "1 mg daily",
                                                       start: start.adding(days: -900), adjunct: true))
        }
        let visits = DemoSchedule.visits(for: context.definition, enrolmentID: enrolment.id, start: start, today: context.today, rng: &context.rng)
        guard let screening = DemoSchedule.completed(visits, "screening"), let screened = screening.actualDate else {
            throw DemoGenerationError("\(person.mrn): screening visit not completed")
        }
        let scanner = scanners[siteIndex % scanners.count]
        let baseline: [SkeletalSite: Double] = [
            .lumbarSpine: DemoDXA.bmd(tScore: context.rng.double(-3.8 ... -2.6), site: .lumbarSpine),
            .femoralNeck: DemoDXA.bmd(tScore: context.rng.double(-3.2 ... -1.6), site: .femoralNeck),
            .totalHip: DemoDXA.bmd(tScore: context.rng.double(-3.0 ... -1.4), site: .totalHip),
        ]
        try DemoDXA.record(&b, bmd: baseline, on: screened, visit: screening, scanner: scanner)
        try context.requireEligible(context.screen(b, person, on: screened), person)
        try DemoEnrolmentPath.walk(&enrolment, Array(DemoEnrolmentPath.treated(screened: screened, start: start).dropLast()))
        let weight = context.rng.rounded(48...82, places: 0)
        let chain = DemoCellChain(
            tissue: i % 2 == 0 ? "bone-marrow-aspirate" : "adipose-lipoaspirate",
            harvestSite: i % 2 == 0 ? "posterior iliac crest" : "abdominal subcutaneous fat", harvestVolumeML: 50,
            injectionSite: ["hip", "lumbar spine", "wrist"][i % 3], guidance: i % 3 == 1 ? .fluoroscopy : .ultrasound,
            injectionVolumeML: 8, doseCells: DemoNumber.round(weight * context.rng.double(2.5e6...4.5e6), places: 0), weightKg: weight)
        let harvest = visits.first { $0.visitKey == "harvest" }?.actualDate ?? start.adding(days: -28)
        let product = try chain.run(&b, context: &context, lot: "DEMO-LOT-\(code)-\(number)", harvest: harvest, injection: start)
        try DemoEnrolmentPath.walk(&enrolment, [.init(status: .onTreatment, on: start, reason: "image-guided injection (day 0)")])
        // Mean yearly change by site (synthetic): spine +2 %, neck +0.8 %, hip +1 %, with spread so some pass the LSC.
        let drift: [SkeletalSite: (Double, Double)] = [.lumbarSpine: (2.0, 3.2), .femoralNeck: (0.8, 3.6), .totalHip: (1.0, 2.8)]
        // Drawn in site order: a dictionary's iteration order is not stable between instances.
        var yearly: [SkeletalSite: Double] = [:]
        for site in DemoDXA.sites {
            guard let (mean, sd) = drift[site] else { continue }
            yearly[site] = context.rng.normal(mean: mean, sd: sd)
        }
        for visit in visits where visit.status == .completed && visit.plannedDay > 0 {
            guard let date = visit.actualDate else { continue }
            let fractured = newFractures.contains(i) && visit.visitKey == "month-6"
            b.observe(ClinicalCodes.fractureReview, .coded(ClinicalCodes.local(fractured ? "new-fracture" : "no-new-fracture")), on: date, visit: visit)
            if fractured {
                try b.adverseEvent(term: "Wrist fracture", grade: 2, onset: date.adding(days: -20), resolution: date.adding(days: 40),
                                   relatedness: .unlikely, expected: false, outcome: .recovered)
            }
            guard visit.plannedDay >= 182 else { continue }
            let fraction = Double(visit.plannedDay) / 365
            let scan = Dictionary(uniqueKeysWithValues: DemoDXA.sites.compactMap { site -> (SkeletalSite, Double)? in
                guard let before = baseline[site], let change = yearly[site] else { return nil }
                return (site, DemoNumber.round(before * (1 + change * fraction / 100), places: 3))
            })
            try DemoDXA.record(&b, bmd: scan, on: date, visit: visit, scanner: scanner)
        }
        if i % 8 == 2 {
            try b.adverseEvent(term: "Injection site reaction", grade: 1, onset: start, resolution: start.adding(days: 4),
                               relatedness: .definite, expected: true, outcome: .recovered)
        }
        if let month1 = DemoSchedule.completed(visits, "month-1")?.actualDate {
            try DemoEnrolmentPath.walk(&enrolment, [.init(status: .followUp, on: month1, reason: "month-1 visit: follow-up phase")])
        }
        if let last = DemoSchedule.completed(visits, "month-12")?.actualDate {
            try DemoEnrolmentPath.walk(&enrolment, [.init(status: .completed, on: last, reason: "month-12 DXA done; program completed")])
        }
        return DemoParticipant(record: b.record(person), enrolment: enrolment, visits: visits, cellProducts: [product])
    }
}
