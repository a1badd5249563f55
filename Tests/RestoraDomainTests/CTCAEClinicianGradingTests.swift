import Testing
@testable import RestoraDomain

@Suite("CTCAE clinician-graded terms (E1)")
struct CTCAEClinicianGradingTests {
    @Test func drySkinCriteriaText() throws {
        let g2 = try CTCAEClinicianCriteria.grade(.drySkin, clinicianGrade: 2)
        #expect(g2.criterion == "Covering 10–30% BSA and associated with erythema or pruritus; limiting instrumental ADL")
        #expect(g2.confidence == .confirmed)
        #expect(g2.rule == "clinician-graded")
    }

    /// Dry skin has no grade 4 or 5 ("–" in CTCAE); depression runs to 5 and is marked U.
    @Test(arguments: [
        (CTCAETerm.drySkin, 4, false), (.drySkin, 3, true), (.drySkin, 0, false),
        (.depression, 5, true), (.depression, 6, false),
        (.rashMaculoPapular, 3, true), (.rashMaculoPapular, 4, false),
        (.irritability, 1, true), (.irritability, 4, false),
    ])
    func definedGrades(term: CTCAETerm, grade: Int, defined: Bool) {
        let result = try? CTCAEClinicianCriteria.grade(term, clinicianGrade: grade)
        #expect((result != nil) == defined)
    }

    @Test func undefinedGradeMessageNamesTheGrades() {
        #expect(throws: DomainError.invalidValue(field: "grade", message: "Dry skin defines grades 1, 2, 3; got 4")) {
            try CTCAEClinicianCriteria.grade(.drySkin, clinicianGrade: 4)
        }
    }

    @Test(arguments: [CTCAETerm.depression, .rashMaculoPapular, .irritability])
    func unconfirmedTermsAreMarkedU(term: CTCAETerm) throws {
        #expect(try CTCAEClinicianCriteria.grade(term, clinicianGrade: 1).confidence == .unconfirmed)
    }

    @Test func labTermsAreNotClinicianGraded() {
        #expect(throws: DomainError.self) { try CTCAEClinicianCriteria.grade(.hypertriglyceridemia, clinicianGrade: 2) }
        #expect(throws: DomainError.self) {
            try CTCAELabGrading.grade(CTCAELabMeasurement(term: .drySkin, value: 1, unit: "mg/dL"))
        }
    }

    @Test(arguments: [("Dry skin", CTCAETerm.drySkin), ("ALT increased", .alanineAminotransferaseIncreased),
                      ("Hypertriglyceridemia", .hypertriglyceridemia), ("rash", .rashMaculoPapular),
                      ("Alkaline phosphatase increased", .alkalinePhosphataseIncreased), ("tg", .hypertriglyceridemia)])
    func termsFromAdverseEventText(text: String, term: CTCAETerm) {
        #expect(CTCAETerm(displayName: text) == term)
    }
}
