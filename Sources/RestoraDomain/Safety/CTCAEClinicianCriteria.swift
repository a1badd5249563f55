/// Criteria text for the clinician-graded terms. The clinician picks the grade; Restora records it with the
/// text it was chosen against and refuses grades the term does not define.
public enum CTCAEClinicianCriteria {
    public struct Criteria: Sendable, Equatable {
        /// grade → criterion text; grades not listed are not defined for the term ("–" in CTCAE).
        public var byGrade: [Int: String]
        public var confidence: SourceConfidence
        public var source: String
    }

    public static func criteria(for term: CTCAETerm) -> Criteria? {
        switch term {
        case .drySkin:
            // REFERENCE.md E1, C (ESMO OncologyPro, CTCAE v5 Table 6). No grade 4 or 5.
            return Criteria(byGrade: [
                1: "Covering <10% BSA and no associated erythema or pruritus",
                2: "Covering 10–30% BSA and associated with erythema or pruritus; limiting instrumental ADL",
                3: "Covering >30% BSA and associated with pruritus; limiting self-care ADL",
            ], confidence: .confirmed, source: "CTCAE v5.0, REFERENCE.md E1")
        case .depression:
            // REFERENCE.md E1 marks this row U (recalled, not retrieved): a configurable default to verify
            // against the NCI PDF before relying on it.
            return Criteria(byGrade: [
                1: "Mild depressive symptoms",
                2: "Moderate depressive symptoms; limiting instrumental ADL",
                3: "Severe depressive symptoms; limiting self-care ADL; hospitalization not indicated",
                4: "Life-threatening consequences, threats of harm to self or others; hospitalization indicated",
                5: "Death",
            ], confidence: .unconfirmed, source: "CTCAE v5.0 as recalled in REFERENCE.md E1 (U)")
        case .rashMaculoPapular:
            // Not in REFERENCE.md (the programs report "rash", A1): wording from CTCAE v5.0 as commonly
            // transcribed, unverified here — U, configurable.
            return Criteria(byGrade: [
                1: "Macules/papules covering <10% BSA with or without symptoms (e.g., pruritus, burning, tightness)",
                2: "Macules/papules covering 10–30% BSA with or without symptoms (e.g., pruritus, burning, tightness); limiting instrumental ADL; rash covering >30% BSA with or without mild symptoms",
                3: "Macules/papules covering >30% BSA with moderate or severe symptoms; limiting self-care ADL",
            ], confidence: .unconfirmed, source: "CTCAE v5.0, not in REFERENCE.md (U)")
        case .irritability:
            // Not in REFERENCE.md (irritability 47 % in the index study, A1): CTCAE v5.0 wording from memory,
            // U, configurable.
            return Criteria(byGrade: [
                1: "Mild; easily consolable",
                2: "Moderate; limiting instrumental ADL; increased attention indicated",
                3: "Severe abnormal or excessive behavior; limiting self-care ADL; inconsolable",
            ], confidence: .unconfirmed, source: "CTCAE v5.0, not in REFERENCE.md (U)")
        default:
            return nil
        }
    }

    /// Refuses an adverse event whose grade its CTCAE term does not define (dry skin has no grade 4 or 5).
    /// Terms Restora does not know are left to the model's own 1–5 check.
    public static func validate(_ event: AdverseEvent) throws {
        guard let term = CTCAETerm(displayName: event.term), let criteria = criteria(for: term),
              criteria.byGrade[event.grade] == nil else { return }
        let defined = criteria.byGrade.keys.sorted().map(String.init).joined(separator: ", ")
        throw DomainError.invalidValue(field: "grade", message: "\(term.displayName) defines grades \(defined); got \(event.grade)")
    }

    /// Records the clinician's grade with its criterion text; refuses a grade the term does not define.
    public static func grade(_ term: CTCAETerm, clinicianGrade grade: Int) throws -> CTCAEGradeResult {
        guard let criteria = criteria(for: term) else {
            throw DomainError.invalidValue(
                field: "term", message: "\(term.displayName) is graded from a laboratory value, not by the clinician")
        }
        let defined = criteria.byGrade.keys.sorted()
        guard let text = criteria.byGrade[grade] else {
            throw DomainError.invalidValue(
                field: "grade",
                message: "\(term.displayName) defines grades \(defined.map(String.init).joined(separator: ", ")); got \(grade)")
        }
        var result = CTCAEGradeResult(term: term, grade: grade, criterion: text, rule: "clinician-graded",
                                      confidence: criteria.confidence)
        result.source = criteria.source
        return result
    }
}
