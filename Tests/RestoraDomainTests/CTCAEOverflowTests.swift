import Testing
@testable import RestoraDomain

/// A value so far above a tiny reference that its multiple overflows is refused, not graded: the grade result
/// is answered in JSON, which has no infinity (found by the API contract check, docs/api-contract.md).
@Suite("CTCAE grading refuses a multiple that overflows")
struct CTCAEOverflowTests {
    @Test("1e308 U/L over a ULN of 1e-200 (normal baseline) is an invalid value, not grade 4 with an infinite multiple")
    func overULN() throws {
        let m = CTCAELabMeasurement(term: .alanineAminotransferaseIncreased, value: 1e308, unit: "U/L",
                                    upperLimitOfNormal: 1e-200, baseline: .normal)
        #expect(throws: DomainError.invalidValue(
            field: "value", message: "the value is too large to grade as a multiple of its upper limit of normal; check the value and the unit")) {
            try CTCAELabGrading.grade(m)
        }
    }

    @Test("over an abnormal baseline the same")
    func overBaseline() throws {
        let m = CTCAELabMeasurement(term: .aspartateAminotransferaseIncreased, value: 1e308, unit: "U/L",
                                    upperLimitOfNormal: 1e-300, baseline: .value(1e-299))
        #expect(throws: DomainError.self) { try CTCAELabGrading.grade(m) }
    }

    @Test("large but finite multiples still grade")
    func finite() throws {
        let m = CTCAELabMeasurement(term: .alanineAminotransferaseIncreased, value: 1e300, unit: "U/L",
                                    upperLimitOfNormal: 40, baseline: .normal)
        let result = try CTCAELabGrading.grade(m)
        #expect(result.grade == 4)
        #expect(result.multiple?.isFinite == true)
    }
}
