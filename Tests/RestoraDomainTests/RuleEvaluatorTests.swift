import Testing
@testable import RestoraDomain

/// Rule kinds one at a time, at their edges: windows, units, counts, reviewed sections and combinators.
@Suite struct RuleEvaluatorTests {
    typealias F = ProtocolFixture
    static let date = F.day("2026-06-01")
    static let tg = Coding(.loinc, "2571-8")

    static func evaluate(_ rule: CriterionRule, _ record: ParticipantRecord) -> RuleResult {
        RuleEvaluator(record: record, date: date).evaluate(rule)
    }

    static func record(observations: [Observation] = [], medications: [ConcomitantMedication] = [],
                       reviewed: Set<ParticipantRecord.Section> = F.allSectionsReviewed) -> ParticipantRecord {
        ParticipantRecord(participant: F.participant(sex: .male, born: "1980-01-01"), observations: observations,
                          medications: medications, reviewedSections: reviewed)
    }

    static let tgAbove150 = CriterionRule.latest(LatestValueRule(
        code: tg, withinDays: 30, comparison: .atOrAbove, value: 150, unit: "mg/dL",
        conversions: [UnitConversion(from: "mmol/L", factor: 88.57)]))

    @Test(arguments: [
        ("2026-05-02", CriterionOutcome.met),   // first day of a 30-day window ending 2026-06-01
        ("2026-05-01", .unknown),               // one day too old
        ("2026-06-01", .met),                   // the screening date itself
        ("2026-06-02", .unknown),               // after the screening date: ignored
    ])
    func latestWindowEdges(_ day: String, _ expected: CriterionOutcome) {
        let record = Self.record(observations: [F.observation("o", .loinc, "2571-8", F.quantity(200, "mg/dL"), on: day)])
        #expect(Self.evaluate(Self.tgAbove150, record).outcome == expected)
    }

    @Test(arguments: [
        (150.0, "mg/dL", CriterionOutcome.met),   // atOrAbove is inclusive
        (149.9, "mg/dL", .notMet),
        (1.70, "mmol/L", .met),                   // 1.70 × 88.57 = 150.57 mg/dL
        (1.69, "mmol/L", .notMet),                // 149.68 mg/dL
    ])
    func latestThresholdAndConversion(_ value: Double, _ unit: String, _ expected: CriterionOutcome) {
        let record = Self.record(observations: [F.observation("o", .loinc, "2571-8", F.quantity(value, unit), on: "2026-05-20")])
        #expect(Self.evaluate(Self.tgAbove150, record).outcome == expected)
    }

    @Test func aUnitWithoutConversionIsUnknownAndSaysWhy() {
        let record = Self.record(observations: [F.observation("o", .loinc, "2571-8", F.quantity(1.9, "g/L"), on: "2026-05-20")])
        let result = Self.evaluate(Self.tgAbove150, record)
        #expect(result.outcome == .unknown)
        #expect(result.missing == ["loinc#2571-8 in mg/dL (found 1.9 g/L on 2026-05-20; no conversion declared)"])
    }

    @Test func theNewestValueWinsWhateverTheInputOrder() {
        let old = F.observation("a", .loinc, "2571-8", F.quantity(400, "mg/dL"), on: "2026-05-10")
        let new = F.observation("b", .loinc, "2571-8", F.quantity(100, "mg/dL"), on: "2026-05-20")
        #expect(Self.evaluate(Self.tgAbove150, Self.record(observations: [old, new])).outcome == .notMet)
        #expect(Self.evaluate(Self.tgAbove150, Self.record(observations: [new, old])).outcome == .notMet)
    }

    static let twoAzoospermic = CriterionRule.count(ObservationCountRule(
        code: Coding(.restora, "semen-classification"), values: [Coding(.restora, "azoospermia")],
        specimen: SpecimenCondition(pelletExamined: true), withinDays: 365, atLeast: 2, minimumDaysApart: 7))

    typealias Analysis = (term: String, date: String, pellet: Bool)

    static let countCases: [([Analysis], CriterionOutcome)] = [
        ([("azoospermia", "2026-03-01", true), ("azoospermia", "2026-03-08", true)], .met),        // exactly 7 days apart
        ([("azoospermia", "2026-03-01", true), ("azoospermia", "2026-03-07", true)], .unknown),    // 6 days apart
        ([("azoospermia", "2026-03-01", true)], .unknown),                                         // one only
        ([("azoospermia", "2026-03-01", true), ("oligozoospermia", "2026-03-09", true)], .notMet), // contrary result
        ([("azoospermia", "2026-03-01", true), ("azoospermia", "2026-03-09", false)], .unknown),   // pellet not examined
        ([("oligozoospermia", "2026-03-01", true), ("oligozoospermia", "2026-03-09", true)], .notMet),
        ([], .unknown),
    ]

    @Test(arguments: countCases)
    func countSemantics(_ analyses: [Analysis], _ expected: CriterionOutcome) {
        let observations = analyses.enumerated().map { F.semen("s\($0.offset)", $0.element.term, on: $0.element.date, pellet: $0.element.pellet) }
        #expect(Self.evaluate(Self.twoAzoospermic, Self.record(observations: observations)).outcome == expected)
    }

    static let isotretinoinWithin56 = CriterionRule.medication(MedicationRule(codes: [Coding(.rxnorm, "6064")], withinDays: 56))

    @Test(arguments: [
        ("2026-04-06", CriterionOutcome.met),   // stopped on the first day of the 56-day window
        ("2026-04-05", .notMet),                // stopped the day before it
    ])
    func medicationWindowEdges(_ stop: String, _ expected: CriterionOutcome) {
        let record = Self.record(medications: [F.medication(nil, code: Coding(.rxnorm, "6064"), start: "2025-10-01", stop: stop)])
        #expect(Self.evaluate(Self.isotretinoinWithin56, record).outcome == expected)
    }

    @Test func absenceCountsOnlyInAReviewedSection() {
        let rule = CriterionRule.medication(MedicationRule(classes: ["tetracycline"]))
        #expect(Self.evaluate(rule, Self.record()).outcome == .notMet)
        let unreviewed = Self.evaluate(rule, Self.record(reviewed: [.diagnoses]))
        #expect(unreviewed.outcome == .unknown)
        #expect(unreviewed.missing.first?.contains("reviewed medications list") == true)
        // A match is evidence whether or not the section was reviewed.
        let found = Self.evaluate(rule, Self.record(medications: [F.medication("Tetracycline")], reviewed: []))
        #expect(found.outcome == .met)
    }

    @Test func combinatorsFollowThreeValuedLogic() {
        let met = CriterionRule.sex([.male]), notMet = CriterionRule.sex([.female])
        let unknown = CriterionRule.diagnosis(DiagnosisRule(codes: ["E23.0"]))
        let record = Self.record(reviewed: [])
        func outcome(_ rule: CriterionRule) -> CriterionOutcome { Self.evaluate(rule, record).outcome }
        #expect(outcome(.allOf([met, met])) == .met)
        #expect(outcome(.allOf([met, unknown])) == .unknown)
        #expect(outcome(.allOf([unknown, notMet])) == .notMet)
        #expect(outcome(.anyOf([unknown, met])) == .met)
        #expect(outcome(.anyOf([unknown, notMet])) == .unknown)
        #expect(outcome(.anyOf([notMet, notMet])) == .notMet)
        #expect(outcome(.not(met)) == .notMet)
        #expect(outcome(.not(notMet)) == .met)
        #expect(outcome(.not(unknown)) == .unknown)
    }

    @Test func diagnosisPrefixesAndOnsetAfterTheDate() {
        var record = Self.record()
        record.participant.diagnoses = [Diagnosis(code: Coding(.icd10cm, "N46.023"), onset: F.day("2026-07-01"))]
        let rule = CriterionRule.diagnosis(DiagnosisRule(prefixes: ["N46.0"]))
        #expect(Self.evaluate(rule, record).outcome == .notMet)   // diagnosed after the screening date
        record.participant.diagnoses[0].onset = F.day("2026-01-01")
        #expect(Self.evaluate(rule, record).outcome == .met)
        #expect(Self.evaluate(.diagnosis(DiagnosisRule(prefixes: ["N46.1"])), record).outcome == .notMet)
    }

    @Test func unknownSexIsUnknownNotExcluded() {
        var record = Self.record()
        record.participant.sex = .unknown
        #expect(Self.evaluate(.sex([.male]), record).outcome == .unknown)
    }

    @Test func screeningIsDeterministic() throws {
        let definition = try F.definition("isotretinoin-noa")
        let record = IsotretinoinEligibilityTests.eligible
        var shuffled = record
        shuffled.observations.reverse()
        shuffled.medications.reverse()
        let first = EligibilityEngine.screen(record, against: definition, on: Self.date)
        #expect(EligibilityEngine.screen(shuffled, against: definition, on: Self.date) == first)
    }
}

/// Screening reads each list once per criterion: a record with thousands of observations still screens
/// quickly. A quadratic slip (e.g. re-sorting inside a loop over observations) would blow this bound.
@Suite struct EligibilityScaleTests {
    @Test func aLargeRecordScreensQuickly() throws {
        let definition = try ProtocolFixture.definition("isotretinoin-noa")
        var record = IsotretinoinEligibilityTests.eligible
        for index in 0..<20_000 {
            let day = ProtocolFixture.day("2021-01-01").adding(days: index % 1_900)
            record.observations.append(Observation(
                id: Identifier("bulk-\(index)"), participantID: "p-1", code: Coding(.loinc, index % 2 == 0 ? "2571-8" : "1742-6"),
                value: .quantity(Quantity(100, index % 2 == 0 ? "mg/dL" : "U/L")), effective: day.startOfDayUTC))
        }
        let clock = ContinuousClock()
        var report: EligibilityReport?
        let elapsed = clock.measure {
            report = EligibilityEngine.screen(record, against: definition, on: IsotretinoinEligibilityTests.screeningDate)
        }
        #expect(report?.verdict == .eligible)
        #expect(elapsed < .seconds(5), "screening took \(elapsed)")
    }
}
