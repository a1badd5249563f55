import Foundation
import Testing
import Yams
@testable import RestoraDomain

@Suite("Safety rules and SAE deadlines (E1, E3)")
struct SafetyRuleTests {
    static let yaml = """
    - id: tg-grade3-hold
      description: Hold isotretinoin at grade 3 hypertriglyceridemia
      trigger: { ctcae: { term: hypertriglyceridemia, minimumGrade: 3 } }
      action: holdDrug
    - id: alt-above-120
      description: Alert when ALT exceeds 120 U/L
      trigger: { observation: { system: loinc, code: "1742-6", comparison: above, value: 120, unit: "U/L" } }
      action: alert
      note: 3×ULN for a 40 U/L laboratory
    - id: tg-mmol
      description: Alert at triglycerides ≥ 5.7 mmol/L
      trigger: { observation: { system: loinc, code: "2571-8", comparison: atOrAbove, value: 5.7, unit: "mmol/L" } }
      action: alert
    - id: sae-report
      description: Report every serious adverse event
      trigger: { seriousAdverseEvent: {} }
      action: report
    - id: depression-stop
      description: Stop at grade 3 depression
      trigger:
        ctcae: { term: depression, minimumGrade: 3 }
      action: stopTreatment
    """

    static func rules() throws -> [SafetyRule] { try YAMLDecoder().decode([SafetyRule].self, from: yaml) }

    @Test func yamlReadsNaturally() throws {
        let rules = try Self.rules()
        #expect(rules.count == 5)
        #expect(rules[0].trigger == .ctcae(CTCAEGradeThreshold(term: .hypertriglyceridemia, minimumGrade: 3)))
        #expect(rules[1].trigger == .observation(ObservationThreshold(system: .loinc, code: "1742-6", comparison: .above, value: 120, unit: "U/L")))
        #expect(rules[3].trigger == .seriousAdverseEvent(SeriousAdverseEventCriteria()))
        #expect(rules[4].action == .stopTreatment)
    }

    @Test func roundTripsThroughJSONAndYAML() throws {
        let rules = try Self.rules()
        #expect(try JSONDecoder().decode([SafetyRule].self, from: JSONEncoder().encode(rules)) == rules)
        #expect(try YAMLDecoder().decode([SafetyRule].self, from: YAMLEncoder().encode(rules)) == rules)
    }

    @Test func triggerWithTwoKindsIsRefused() {
        let bad = """
        id: x
        description: y
        trigger: { seriousAdverseEvent: {}, ctcae: { term: drySkin, minimumGrade: 2 } }
        action: alert
        """
        #expect(throws: DecodingError.self) { try YAMLDecoder().decode(SafetyRule.self, from: bad) }
        let badGrade = "id: x\ndescription: y\ntrigger: { ctcae: { term: drySkin, minimumGrade: 6 } }\naction: alert\n"
        #expect(throws: DecodingError.self) { try YAMLDecoder().decode(SafetyRule.self, from: badGrade) }
    }

    static func observation(_ code: String, _ value: Double, _ unit: String) -> Observation {
        Observation(id: "o1", participantID: "p1", code: Coding(.loinc, code), value: .quantity(Quantity(value, unit)),
                    effective: Date(timeIntervalSince1970: 0))
    }

    @Test(arguments: [(120.0, false), (120.1, true), (119, false)])
    func observationThresholdIsStrictForAbove(alt: Double, fires: Bool) throws {
        let result = try Self.rules().evaluate(Self.observation("1742-6", alt, "U/L"))
        #expect(result.fired.contains { $0.ruleID == "alt-above-120" } == fires)
    }

    @Test func observationInOtherLipidUnitIsConverted() throws {
        // 5.7 mmol/L × 88.57 = 504.849 mg/dL: at the threshold → fires (atOrAbove); 504 mg/dL does not.
        #expect(try Self.rules().evaluate(Self.observation("2571-8", 504.849, "mg/dL")).fired.contains { $0.ruleID == "tg-mmol" })
        #expect(try !Self.rules().evaluate(Self.observation("2571-8", 504, "mg/dL")).fired.contains { $0.ruleID == "tg-mmol" })
    }

    @Test func ctcaeRuleOnLabObservation() throws {
        let rules = try Self.rules()
        // 600 mg/dL: grade 3 (>500–1000) and also 6.77 mmol/L ≥ 5.7, so both triglyceride rules fire.
        let g3 = rules.evaluate(Self.observation("2571-8", 600, "mg/dL"))
        #expect(g3.fired.map(\.ruleID) == ["tg-grade3-hold", "tg-mmol"])
        #expect(g3.strongestAction == .holdDrug)
        // 500 mg/dL: grade 2 and 5.65 mmol/L < 5.7: nothing fires.
        #expect(rules.evaluate(Self.observation("2571-8", 500, "mg/dL")).fired.isEmpty)
    }

    @Test func unconvertibleUnitIsReportedNotIgnored() throws {
        let result = try Self.rules().evaluate(Self.observation("1742-6", 3, "ukat/L"))
        #expect(result.fired.isEmpty)
        #expect(result.notEvaluated.contains { $0.hasPrefix("alt-above-120") })
    }

    static func event(term: String = "Depression", grade: Int = 2, seriousness: [AdverseEvent.Seriousness] = [],
                      expected: Bool = false, relatedness: AdverseEvent.Relatedness = .possible,
                      outcome: AdverseEvent.Outcome = .unknown, aware: String? = "2026-03-10") -> AdverseEvent {
        AdverseEvent(id: "ae1", participantID: "p1", term: term, grade: grade, seriousness: seriousness, expected: expected,
                     relatedness: relatedness, onset: CalendarDate("2026-03-01")!, outcome: outcome,
                     sponsorAwareOn: aware.flatMap(CalendarDate.init))
    }

    @Test func adverseEventRules() throws {
        let rules = try Self.rules()
        #expect(try rules.evaluate(Self.event(grade: 2)).fired.isEmpty)
        let severe = try rules.evaluate(Self.event(grade: 3, seriousness: [.hospitalization]))
        #expect(severe.fired.map(\.ruleID) == ["sae-report", "depression-stop"])
        #expect(severe.strongestAction == .stopTreatment)
        #expect(severe.fired.first?.reportingDeadline?.category == .fifteenDay)
    }

    /// E3: day 0 = sponsor receipt (2026-03-10). 7 days → 2026-03-17; 15 days → 2026-03-25.
    @Test(arguments: [
        ([AdverseEvent.Seriousness.death], AdverseEvent.Outcome.fatal, 5, SAEReportingDeadline.Category.sevenDay, "2026-03-17"),
        ([.lifeThreatening], .unknown, 4, .sevenDay, "2026-03-17"),
        ([.hospitalization], .unknown, 3, .fifteenDay, "2026-03-25"),
        ([.disability], .unknown, 3, .fifteenDay, "2026-03-25"),
        ([.congenitalAnomaly], .unknown, 3, .fifteenDay, "2026-03-25"),
        ([.otherImportant], .unknown, 2, .fifteenDay, "2026-03-25"),
    ])
    func deadlineBySeriousness(seriousness: [AdverseEvent.Seriousness], outcome: AdverseEvent.Outcome, grade: Int,
                               category: SAEReportingDeadline.Category, due: String) throws {
        let deadline = try SAEReportingDeadline.evaluate(Self.event(grade: grade, seriousness: seriousness, outcome: outcome))
        #expect(deadline.category == category)
        #expect(deadline.dueDate == CalendarDate(due))
        #expect(deadline.dayZero == CalendarDate("2026-03-10"))
        if category == .sevenDay {
            #expect(deadline.label == "7-day IND safety report")
            #expect(deadline.writtenReportDueDate == CalendarDate("2026-03-25"))
        }
    }

    @Test func notExpeditedWhenExpectedOrUnrelatedOrNotSerious() throws {
        #expect(try SAEReportingDeadline.evaluate(Self.event(seriousness: [.hospitalization], expected: true)).category == .notExpedited)
        #expect(try SAEReportingDeadline.evaluate(Self.event(seriousness: [.hospitalization], relatedness: .unlikely)).category == .notExpedited)
        #expect(try SAEReportingDeadline.evaluate(Self.event()).category == .notSerious)
    }

    @Test func missingDayZeroIsNamed() throws {
        let deadline = try SAEReportingDeadline.evaluate(Self.event(seriousness: [.hospitalization], aware: nil))
        #expect(deadline.category == .fifteenDay)
        #expect(deadline.dueDate == nil)
        #expect(deadline.needs == "sponsor receipt date (day 0) to compute the due date")
    }

    @Test func onlyReportableFilter() throws {
        let rules = [SafetyRule(id: "r", description: "d", trigger: .seriousAdverseEvent(.init(onlyReportable: true)), action: .report)]
        #expect(try rules.evaluate(Self.event(seriousness: [.hospitalization], expected: true)).fired.isEmpty)
        #expect(try rules.evaluate(Self.event(seriousness: [.hospitalization])).fired.count == 1)
    }

    @Test func adverseEventGradeMustExistForItsTerm() throws {
        #expect(throws: DomainError.invalidValue(field: "grade", message: "Dry skin defines grades 1, 2, 3; got 4")) {
            try Self.rules().evaluate(Self.event(term: "Dry skin", grade: 4))
        }
        #expect(try Self.rules().evaluate(Self.event(term: "Dry skin", grade: 3)).fired.isEmpty)
    }
}
