import Foundation
@testable import RestoraDomain
import Testing

/// The ULN and baseline a recorded laboratory value is graded with (REFERENCE.md E1).
@Suite("Lab grading context from the record")
struct LabGradingContextTests {
    static func alt(_ id: String, _ value: Double, day: Int, uln: Double? = 40, unit: String = "U/L") -> Observation {
        Observation(id: Identifier(id), participantID: "p-1", code: ClinicalCodes.alt, value: .quantity(Quantity(value, unit)),
                    effective: CalendarDate(year: 2025, month: 1, day: day)!.startOfDayUTC, upperLimitOfNormal: uln)
    }

    @Test("the baseline is the earliest earlier value of the test: normal at or below its ULN, else its value")
    func baseline() {
        let first = Self.alt("a1", 40, day: 1)     // at the ULN: normal
        let later = Self.alt("a2", 250, day: 20)
        #expect(LabGradingContext.recorded(later, history: [later, first]) == LabGradingContext(upperLimitOfNormal: 40, baseline: .normal))
        let abnormal = Self.alt("a0", 90, day: 1)
        let second = Self.alt("a3", 50, day: 10)
        // The earliest earlier value counts, not the latest.
        #expect(LabGradingContext.recorded(later, history: [second, abnormal, later]).baseline == .value(90))
        // The first value of a test has no baseline; a value recorded later but dated earlier is not a baseline.
        #expect(LabGradingContext.recorded(first, history: [first, later]).baseline == nil)
        // Another unit is not compared; a value without its own ULN uses the new value's ULN.
        #expect(LabGradingContext.recorded(later, history: [Self.alt("k", 0.5, day: 1, unit: "ukat/L"), later]).baseline == nil)
        #expect(LabGradingContext.recorded(later, history: [Self.alt("n", 60, day: 1, uln: nil), later]).baseline == .value(60))
    }

    @Test("with ULN and a normal baseline, ALT 250 U/L (ULN 40) fires the grade 3 rule; without ULN it is named as not evaluated")
    func ruleFires() {
        let rule = SafetyRule(id: "alt-grade3-hold", description: "Hold at grade 3 ALT",
                              trigger: .ctcae(.init(term: .alanineAminotransferaseIncreased, minimumGrade: 3)), action: .holdDrug)
        let later = Self.alt("a2", 250, day: 20)
        let lab = LabGradingContext.recorded(later, history: [Self.alt("a1", 30, day: 1), later])
        #expect([rule].evaluate(later, lab: lab).fired.map(\.ruleID) == ["alt-grade3-hold"])
        let noULN = [rule].evaluate(Self.alt("a4", 250, day: 20, uln: nil), lab: LabGradingContext())
        #expect(noULN.fired.isEmpty)
        #expect(noULN.notEvaluated.first?.contains("needs upper limit of normal") == true)
    }
}
