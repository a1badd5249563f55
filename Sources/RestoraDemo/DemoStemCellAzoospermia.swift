import RestoraDomain

/// The autologous stem-cell azoospermia program (protocols/asc-azoospermia.yaml): 20 men with confirmed
/// non-obstructive azoospermia, a harvest, a released lot injected into the testis, and follow-up at months
/// 1, 3, 6 and 12. One lot fails release (viability) and is replaced by a second harvest; one man withdraws
/// after his harvest; 4 of the 19 injected men show motile sperm (REFERENCE.md D1, Zhankina 2024: 4/19).
enum DemoStemCellAzoospermia {
    static let code = "ASC"
    static let size = 20
    static let firstInjection = CalendarDate(year: 2025, month: 8, day: 4) ?? CalendarDate(dayNumber: 0)
    static let responders: Set<Int> = [1, 8, 12, 17]
    static let failingLot = 2
    static let withdrawal = 5

    static func build(_ context: inout DemoContext, sites: [Identifier<Site>]) throws -> [DemoParticipant] {
        var result = try (0..<size).map { i in
            try participant(i, start: firstInjection.adding(days: i * 12), site: sites[i % sites.count], context: &context)
        }
        let day = CalendarDate(year: 2025, month: 10, day: 6) ?? firstInjection
        result.append(try DemoScreenFailures.screenFailure(
            &context, code: code, number: size + 1, site: sites[0], sex: .male, age: 33, on: day,
            diagnoses: [Diagnosis(code: ClinicalCodes.organicAzoospermia)]
        ) { b, rng in
            try b.semenAnalysis(.azoospermia, on: day.adding(days: -12), visit: nil, rng: &rng)
            try b.semenAnalysis(.azoospermia, on: day, visit: nil, rng: &rng)
            b.observe(ClinicalCodes.yMicrodeletion, .coded(ClinicalCodes.local("detected")), on: day, note: "AZFc deletion (\(DemoLabel.text))")
        })
        return result
    }

    /// `i` picks the participant's pattern (responder, failing lot, withdrawal, tissue, side); `number` and
    /// `code` name them (the scaled clinic reuses the patterns of the 20 under its own code and numbers).
    static func participant(_ i: Int, start: CalendarDate, site: Identifier<Site>, context: inout DemoContext,
                            number: Int? = nil, code: String = DemoStemCellAzoospermia.code) throws -> DemoParticipant {
        let number = number ?? i + 1
        let person = context.participant(code: code, number: number, site: site, sex: .male, age: context.rng.int(27...45), on: start,
                                         diagnoses: [Diagnosis(code: ClinicalCodes.organicAzoospermia, note: "non-obstructive azoospermia")])
        var enrolment = context.enrolment(for: person)
        var b = DemoRecordBuilder(participantID: person.id, enrolmentID: enrolment.id)
        let withdrawnOn = i == withdrawal ? start.adding(days: -4) : nil
        let visits = DemoSchedule.visits(for: context.definition, enrolmentID: enrolment.id, start: start, today: context.today,
                                         rng: &context.rng, endedOn: withdrawnOn)
        guard let s1 = DemoSchedule.completed(visits, "screening-1"), let d1 = s1.actualDate,
              let s2 = DemoSchedule.completed(visits, "screening-2"), let d2 = s2.actualDate else {
            throw DemoGenerationError("\(person.mrn): screening visits not completed")
        }
        let fsh = context.rng.rounded(11...30, places: 1)
        hormones(&b, s1, on: d1, fsh: fsh, rng: &context.rng)
        for side in ["left", "right"] {
            b.quantity(ClinicalCodes.testicularVolume, context.rng.rounded(7...14, places: 0), "mL", on: d1, visit: s1, bodySite: side)
        }
        b.observe(ClinicalCodes.karyotype, .coded(ClinicalCodes.local("normal")), on: d1, visit: s1, note: "46,XY (\(DemoLabel.text))")
        b.observe(ClinicalCodes.yMicrodeletion, .coded(ClinicalCodes.local("not-detected")), on: d1, visit: s1)
        try b.semenAnalysis(.azoospermia, on: d1, visit: s1, rng: &context.rng)
        try b.semenAnalysis(.azoospermia, on: d2, visit: s2, rng: &context.rng)
        try context.requireEligible(context.screen(b, person, on: d2), person)
        // Eligible only once the second sample is in; on-treatment comes with the injection, below.
        try DemoEnrolmentPath.walk(&enrolment, [
            .init(status: .screening, on: d1, reason: "screening visit 1"),
            .init(status: .eligible, on: d2.adding(days: 2), reason: "all inclusion criteria met, no exclusion (screening report)"),
            .init(status: .consented, on: d2.adding(days: 4), reason: "informed consent signed"),
            .init(status: .enrolled, on: d2.adding(days: 4), reason: "enrolled by the investigator"),
        ])

        let chain = DemoCellChain(
            tissue: i % 3 == 0 ? "adipose-lipoaspirate" : "bone-marrow-aspirate",
            harvestSite: i % 3 == 0 ? "abdominal subcutaneous fat" : "posterior iliac crest", harvestVolumeML: 60,
            injectionSite: i % 2 == 0 ? "left testis" : "right testis", guidance: .ultrasound, injectionVolumeML: 5,
            doseCells: context.rng.rounded(3.2e6...4.8e6, places: 0), weightKg: context.rng.rounded(68...95, places: 0))
        var harvest = visits.first { $0.visitKey == "harvest" }?.actualDate ?? start.adding(days: -28)
        var products: [CellProduct] = []
        if i == failingLot {
            // Viability fails at the passage-1 check (day -24); a repeat harvest the next day still makes day 0.
            var failing = chain
            failing.failViability = true
            failing.processingDays = 14
            products.append(try failing.run(&b, context: &context, lot: "DEMO-LOT-\(code)-\(number)-A", harvest: start.adding(days: -38), injection: nil))
            harvest = start.adding(days: -23)
        }
        if let withdrawnOn {
            var product = try chain.run(&b, context: &context, lot: "DEMO-LOT-\(code)-\(number)", harvest: harvest, injection: nil)
            product.custody.append(CustodyEvent(kind: .destroyed, at: DemoRecordBuilder.instant(withdrawnOn.adding(days: 1)),
                                                actor: DemoCellChain.lab, location: "GMP facility", note: "participant withdrew; autologous lot destroyed"))
            products.append(product)
            try DemoEnrolmentPath.walk(&enrolment, [.init(status: .withdrawn, on: withdrawnOn, reason: "moving abroad; withdrew consent before the injection")])
            return DemoParticipant(record: b.record(person), enrolment: enrolment, visits: visits, cellProducts: products)
        }
        products.append(try chain.run(&b, context: &context, lot: "DEMO-LOT-\(code)-\(number)", harvest: harvest, injection: start))
        try DemoEnrolmentPath.walk(&enrolment, [.init(status: .onTreatment, on: start, reason: "intratesticular injection (day 0)")])
        try followUp(&b, i, visits: visits, fsh: fsh, start: start, rng: &context.rng)
        if let month1 = DemoSchedule.completed(visits, "month-1")?.actualDate {
            try DemoEnrolmentPath.walk(&enrolment, [.init(status: .followUp, on: month1, reason: "month-1 visit: follow-up phase")])
        }
        if let last = DemoSchedule.completed(visits, "month-12")?.actualDate {
            try DemoEnrolmentPath.walk(&enrolment, [.init(status: .completed, on: last, reason: "month-12 visit done; program completed")])
        }
        return DemoParticipant(record: b.record(person), enrolment: enrolment, visits: visits, cellProducts: products)
    }

    static func followUp(_ b: inout DemoRecordBuilder, _ i: Int, visits: [Visit], fsh: Double, start: CalendarDate,
                         rng: inout SplitMix64) throws {
        for visit in visits where visit.status == .completed && visit.plannedDay > 0 {
            guard let date = visit.actualDate else { continue }
            let responding = responders.contains(i) && visit.plannedDay >= 91
            try b.semenAnalysis(responding ? .cryptozoospermiaMotile : .azoospermia, on: date, visit: visit, rng: &rng)
            hormones(&b, visit, on: date, fsh: fsh * rng.double(0.8...1.05), rng: &rng)
            if visit.plannedDay >= 182 {
                b.quantity(ClinicalCodes.testicularVolume, rng.rounded(7...15, places: 0), "mL", on: date, visit: visit, bodySite: "left")
            }
        }
        if i % 4 == 1 {
            try b.adverseEvent(term: "Testicular pain", grade: 1, onset: start.adding(days: 1), resolution: start.adding(days: 6),
                               relatedness: .definite, expected: true, outcome: .recovered)
        }
        if i % 5 == 0 {
            try b.adverseEvent(term: "Bruising", grade: 1, onset: start.adding(days: -27), resolution: start.adding(days: -18),
                               relatedness: .definite, expected: true, outcome: .recovered)
        }
    }

    static func hormones(_ b: inout DemoRecordBuilder, _ visit: Visit, on date: CalendarDate, fsh: Double, rng: inout SplitMix64) {
        let panel = b.nextID("hormones")
        b.quantity(ClinicalCodes.fsh, DemoNumber.round(fsh, places: 1), "[IU]/L", on: date, visit: visit, panel: panel)
        b.quantity(ClinicalCodes.lh, rng.rounded(6...16, places: 1), "[IU]/L", on: date, visit: visit, panel: panel)
        b.quantity(ClinicalCodes.testosterone, rng.rounded(220...520, places: 0), "ng/dL", on: date, visit: visit, panel: panel)
        b.quantity(ClinicalCodes.inhibinB, rng.rounded(10...60, places: 0), "pg/mL", on: date, visit: visit, panel: panel)
    }
}
