import RestoraDomain

/// Candidates who did not make it into a program: one who answered the pre-screening questionnaire and
/// never came to screening, and screen failures whose records the eligibility engine itself rejects.
enum DemoScreenFailures {
    /// A candidate still at pre-screening (never booked a screening visit).
    static func prescreenedOnly(_ context: inout DemoContext, code: String, number: Int, site: Identifier<Site>,
                                sex: Sex, age: Int, on date: CalendarDate) -> DemoParticipant {
        let person = context.participant(code: code, number: number, site: site, sex: sex, age: age, on: date)
        let enrolment = context.enrolment(for: person)
        let builder = DemoRecordBuilder(participantID: person.id, enrolmentID: enrolment.id)
        return DemoParticipant(record: builder.record(person), enrolment: enrolment)
    }

    /// Screens a candidate whose record `fill` writes and requires the engine to find them ineligible;
    /// the transition's reason names the failing criteria, as the screening report would.
    static func screenFailure(
        _ context: inout DemoContext, code: String, number: Int, site: Identifier<Site>, sex: Sex, age: Int,
        on date: CalendarDate, postmenopausal: Bool? = nil, diagnoses: [Diagnosis] = [],
        fill: (inout DemoRecordBuilder, inout SplitMix64) throws -> Void
    ) throws -> DemoParticipant {
        let person = context.participant(code: code, number: number, site: site, sex: sex, age: age, on: date,
                                         postmenopausal: postmenopausal, diagnoses: diagnoses)
        var enrolment = context.enrolment(for: person)
        var builder = DemoRecordBuilder(participantID: person.id, enrolmentID: enrolment.id)
        try fill(&builder, &context.rng)
        let report = context.screen(builder, person, on: date)
        guard report.verdict == .ineligible else {
            throw DemoGenerationError("\(person.mrn) should fail screening for \(context.definition.id) but is \(report.verdict.rawValue)")
        }
        try DemoEnrolmentPath.walk(&enrolment, [
            .init(status: .screening, on: date, reason: "screening visit"),
            .init(status: .screenFailed, on: date.adding(days: 3), reason: "not eligible: \(report.failing.joined(separator: ", "))"),
        ])
        return DemoParticipant(record: builder.record(person), enrolment: enrolment)
    }
}

extension DemoIsotretinoinCohort {
    /// One candidate never screened, one excluded for obstructive azoospermia, one for PHQ-9 above 15 (A2).
    static func nonEnrolled(_ context: inout DemoContext, site: Identifier<Site>) throws -> [DemoParticipant] {
        let day = CalendarDate(year: 2025, month: 9, day: 15) ?? firstStart
        let first = DemoScreenFailures.prescreenedOnly(&context, code: code, number: 31, site: site, sex: .male, age: 38, on: day)
        let obstructive = try DemoScreenFailures.screenFailure(
            &context, code: code, number: 32, site: site, sex: .male, age: 35, on: day,
            diagnoses: [Diagnosis(code: ClinicalCodes.organicAzoospermia), Diagnosis(code: ClinicalCodes.obstructiveAzoospermia)]
        ) { b, rng in
            try b.semenAnalysis(.azoospermia, on: day.adding(days: -10), visit: nil, rng: &rng)
            try b.semenAnalysis(.azoospermia, on: day, visit: nil, rng: &rng)
        }
        let depressed = try DemoScreenFailures.screenFailure(
            &context, code: code, number: 33, site: site, sex: .male, age: 41, on: day.adding(days: 20),
            diagnoses: [Diagnosis(code: ClinicalCodes.organicAzoospermia)]
        ) { b, rng in
            try b.semenAnalysis(.azoospermia, on: day.adding(days: 8), visit: nil, rng: &rng)
            try b.semenAnalysis(.azoospermia, on: day.adding(days: 20), visit: nil, rng: &rng)
            b.quantity(ClinicalCodes.phq9, 18, "{score}", on: day.adding(days: 20))
        }
        return [first, obstructive, depressed]
    }
}
