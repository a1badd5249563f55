import RestoraDomain

/// Builds the isotretinoin program (protocols/isotretinoin-noa.yaml) from the plan: screening with two
/// pellet-examined semen analyses, a 26-week course dispensed monthly (≤30-day supply, REFERENCE.md E2),
/// monthly semen analyses, lipids, liver enzymes and PHQ-9, and the adverse events of REFERENCE.md A1.
enum DemoIsotretinoinCohort {
    static let code = "ISO"
    /// First day 0 of the cohort; later participants start every 9 days (all finish before the default today).
    static let firstStart = CalendarDate(year: 2025, month: 5, day: 5) ?? CalendarDate(dayNumber: 0)

    static func build(_ context: inout DemoContext, site: Identifier<Site>) throws -> [DemoParticipant] {
        let profiles = DemoIsotretinoinPlan.profiles(rng: &context.rng)
        let missedIndex = profiles.firstIndex { $0.responseMonth == nil && $0.histology == .sertoliCellOnly }
        let alertIndex = profiles.indices.first { profiles[$0].irritability && profiles[$0].responseMonth == nil && $0 != missedIndex }
        var result: [DemoParticipant] = []
        for (index, profile) in profiles.enumerated() {
            let start = firstStart.adding(days: index * 9)
            result.append(try participant(
                number: index + 1, profile: profile, start: start, site: site, context: &context,
                missed: index == missedIndex ? ["month-4"] : [], phqAlert: index == alertIndex))
        }
        return result
    }

    /// `ongoing`: the man is still on treatment on the demo's today (DemoIsotretinoinOnTreatment.swift): his
    /// course stays active with the supplies handed out so far, and the enrolment stays on-treatment.
    static func participant(
        number: Int, profile: DemoIsotretinoinProfile, start: CalendarDate, site: Identifier<Site>,
        context: inout DemoContext, missed: Set<String>, phqAlert: Bool, code: String = DemoIsotretinoinCohort.code,
        ongoing: Bool = false
    ) throws -> DemoParticipant {
        let diagnosis = profile.cryptozoospermic
            ? Diagnosis(code: ClinicalCodes.oligospermia, note: "intermittent cryptozoospermia")
            : Diagnosis(code: ClinicalCodes.organicAzoospermia, note: "non-obstructive azoospermia")
        var history: [HistoryItem] = []
        let retrievalDate = start.adding(days: -context.rng.int(200...900))
        if profile.priorRetrieval {
            history.append(HistoryItem(
                kind: .procedure, code: ClinicalCodes.spermRetrieval, description: "micro-TESE", date: retrievalDate,
                outcome: profile.histology == .hypospermatogenesis ? "few sperm, insufficient for ICSI" : "no sperm found"))
        }
        let person = context.participant(code: code, number: number, site: site, sex: .male,
                                         age: context.rng.int(26...44), on: start, diagnoses: [diagnosis], history: history)
        var enrolment = context.enrolment(for: person)
        var builder = DemoRecordBuilder(participantID: person.id, enrolmentID: enrolment.id)
        let visits = DemoSchedule.visits(for: context.definition, enrolmentID: enrolment.id, start: start,
                                         today: context.today, rng: &context.rng, missed: missed)
        guard let screening = DemoSchedule.completed(visits, "screening"), let screened = screening.actualDate else {
            throw DemoGenerationError("\(person.mrn): screening visit not completed")
        }
        if let histology = profile.histology {
            builder.observe(ClinicalCodes.histology, .coded(ClinicalCodes.local(histology.rawValue)), on: retrievalDate, bodySite: "testis")
        }
        // Two pellet-examined samples at least a week apart (REFERENCE.md A2, B2, B3); cryptozoospermia is intermittent.
        try builder.semenAnalysis(profile.cryptozoospermic ? .cryptozoospermiaNonMotile : .azoospermia,
                                  on: screened.adding(days: -14), visit: nil, rng: &context.rng)
        try builder.semenAnalysis(.azoospermia, on: screened, visit: screening, rng: &context.rng)
        var labs = DemoIsotretinoinLabs(profile: profile, rng: &context.rng)
        labs.screening(&builder, screening, on: screened, rng: &context.rng)
        let report = context.screen(builder, person, on: screened)
        try context.requireEligible(report, person)

        try DemoEnrolmentPath.walk(&enrolment, DemoEnrolmentPath.treated(screened: screened, start: start))
        builder.course(ongoing ? DemoIsotretinoinOnTreatment.course(person, enrolment, start: start, today: context.today, rng: &context.rng)
                               : course(person, enrolment, start: start, rng: &context.rng))
        for visit in visits where visit.status == .completed && visit.plannedDay >= 0 {
            guard let date = visit.actualDate else { continue }
            let month = monthIndex(visit.visitKey)
            if month > 0 {
                let responding = profile.responseMonth.map { month >= $0 } ?? false
                try builder.semenAnalysis(finding(profile, month: month, responding: responding, rng: &context.rng),
                                          on: date, visit: visit, rng: &context.rng)
            }
            labs.visit(&builder, visit, on: date, month: month, phqAlert: phqAlert && month == 4, rng: &context.rng)
        }
        if ongoing { return try DemoIsotretinoinOnTreatment.finish(builder, person, enrolment, visits, start: start, context: &context) }
        try labs.adverseEvents(&builder, start: start, rng: &context.rng)
        let end = visits.first { $0.visitKey == "end-of-treatment" }?.actualDate ?? start.adding(days: 182)
        let last = visits.first { $0.visitKey == "post-treatment" }?.actualDate ?? start.adding(days: 212)
        try DemoEnrolmentPath.walk(&enrolment, [
            .init(status: .followUp, on: end, reason: "26-week course completed; post-treatment follow-up"),
            .init(status: .completed, on: last, reason: "post-treatment visit done; program completed"),
        ])
        return DemoParticipant(record: builder.record(person), enrolment: enrolment, visits: visits)
    }

    /// month-1 … month-5 → 1…5, end of treatment → 6, post-treatment → 7, baseline → 0.
    static func monthIndex(_ key: String) -> Int {
        switch key {
        case "end-of-treatment": 6
        case "post-treatment": 7
        default: key.hasPrefix("month-") ? Int(key.dropFirst(6)) ?? 0 : 0
        }
    }

    static func finding(_ profile: DemoIsotretinoinProfile, month: Int, responding: Bool, rng: inout SplitMix64) -> DemoSemenFinding {
        if responding {
            // The first positive sample of some responders shows motile sperm only in the pellet.
            if profile.responseMonth == month && rng.chance(0.3) { return .cryptozoospermiaMotile }
            return .fresh(concentration: rng.rounded(0.1...3.5, places: 2), motility: rng.rounded(12...45, places: 0))
        }
        if profile.cryptozoospermic && month % 2 == 1 { return .cryptozoospermiaNonMotile }
        return .azoospermia
    }

    /// Isotretinoin 20 mg twice daily for 26 weeks (REFERENCE.md A1), dispensed every 30 days (E2).
    static func course(_ person: Participant, _ enrolment: Enrolment, start: CalendarDate, rng: inout SplitMix64) -> MedicationCourse {
        let dispensings = (0..<6).map { k in
            Dispensing(date: start.adding(days: 30 * k), unitsDispensed: 60, daysCovered: 30,
                       unitsReturned: rng.int(0...4), lot: "DEMO-ISO-LOT-\(k + 1)")
        }
        return MedicationCourse(
            id: Identifier("\(person.id.rawValue)-isotretinoin"), participantID: person.id, enrolmentID: enrolment.id,
            drug: ClinicalCodes.isotretinoin, dose: Quantity(20, "mg"), route: "oral", timesPerDay: 2, start: start,
            plannedStop: start.adding(days: 181), stop: start.adding(days: 181), status: .completed,
            dispensings: dispensings)
    }
}
