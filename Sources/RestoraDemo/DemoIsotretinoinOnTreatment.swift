import RestoraDomain

/// The demo clinic is mid-program on its "today" (issue #15): besides the published cohort of 30 men, who all
/// finished before it (REFERENCE.md A1 figures, kept), four more men are on treatment, with an active
/// isotretinoin course dispensed month by month so far, the enrolment `on-treatment` and their visits up to
/// today attended — so a safety event (a grade 3 triglyceride, a grade 3 ALT) can be tried on them at once and
/// its hold seen on the course. Their day 0 is 20, 50, 80 and 110 days before today. They are drawn after the
/// cohort from the program's random stream, so the cohort's values do not change; the study report analyses
/// the participants whose treatment period is over and says how many are still on treatment.
enum DemoIsotretinoinOnTreatment {
    static let daysOnTreatment = [20, 50, 80, 110]
    /// MRN numbers after the cohort (1–30) and the men who were not enrolled (31–33).
    static let firstNumber = 34

    static func build(_ context: inout DemoContext, site: Identifier<Site>) throws -> [DemoParticipant] {
        try daysOnTreatment.enumerated().map { index, days in
            let profile = DemoIsotretinoinProfile(
                cryptozoospermic: false, priorRetrieval: true,
                histology: index % 2 == 0 ? .maturationArrest : .sertoliCellOnly, responseMonth: nil,
                irritability: index == 1)
            return try DemoIsotretinoinCohort.participant(
                number: firstNumber + index, profile: profile, start: context.today.adding(days: -days), site: site,
                context: &context, missed: [], phqAlert: false, ongoing: true)
        }
    }

    /// Isotretinoin 20 mg twice daily (REFERENCE.md A1), still active: a 30-day supply every 30 days up to
    /// today (E2); every supply but the current one counted back.
    static func course(_ person: Participant, _ enrolment: Enrolment, start: CalendarDate, today: CalendarDate,
                       rng: inout SplitMix64) -> MedicationCourse {
        let supplies = (0..<6).filter { start.adding(days: 30 * $0) <= today }
        let dispensings = supplies.map { k in
            Dispensing(date: start.adding(days: 30 * k), unitsDispensed: 60, daysCovered: 30,
                       unitsReturned: k == supplies.last ? nil : rng.int(0...4), lot: "DEMO-ISO-LOT-\(k + 1)")
        }
        return MedicationCourse(
            id: Identifier("\(person.id.rawValue)-isotretinoin"), participantID: person.id, enrolmentID: enrolment.id,
            drug: ClinicalCodes.isotretinoin, dose: Quantity(20, "mg"), route: "oral", timesPerDay: 2, start: start,
            plannedStop: start.adding(days: 181), status: .active, dispensings: dispensings)
    }

    /// Dry skin from the second week, not yet resolved (REFERENCE.md A1: everyone); the enrolment stays on treatment.
    static func finish(_ builder: DemoRecordBuilder, _ person: Participant, _ enrolment: Enrolment, _ visits: [Visit],
                       start: CalendarDate, context: inout DemoContext) throws -> DemoParticipant {
        var builder = builder
        try builder.adverseEvent(term: "Dry skin", grade: 1, onset: start.adding(days: context.rng.int(7...14)), resolution: nil,
                                 relatedness: .definite, expected: true, outcome: .recovering)
        return DemoParticipant(record: builder.record(person), enrolment: enrolment, visits: visits)
    }
}
