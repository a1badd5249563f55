import Foundation
import RestoraDomain

/// What the clinical rules say about one observation: today the CTCAE grade of a graded laboratory value
/// (triglycerides, cholesterol, aminotransferases, bilirubin, GGT, ALP). A value in a unit the grading
/// does not accept is refused (422 naming `value.quantity.unit`) before anything is written.
struct ObservationInterpretation: Encodable, Sendable {
    var ctcae: CTCAEGradeResult?

    /// `lab` carries the ULN and baseline relative grades need; by default only the observation's own ULN.
    static func of(_ observation: Observation, lab: LabGradingContext? = nil) throws -> ObservationInterpretation {
        let lab = lab ?? LabGradingContext(upperLimitOfNormal: observation.upperLimitOfNormal)
        guard let term = CTCAELabCodes.term(for: observation.code), !term.isClinicianGraded else {
            return ObservationInterpretation(ctcae: nil)
        }
        guard let quantity = observation.value.quantity else {
            throw DomainError.invalidValue(field: "value.quantity", message: "\(term.displayName) needs a quantity with a unit")
        }
        do {
            return ObservationInterpretation(ctcae: try CTCAELabGrading.grade(CTCAELabMeasurement(
                term: term, value: quantity.value, unit: quantity.unit, upperLimitOfNormal: lab.upperLimitOfNormal, baseline: lab.baseline)))
        } catch let DomainError.invalidValue(field, message) {
            let mapped = ["unit": "value.quantity.unit", "value": "value.quantity.value"][field] ?? field
            throw DomainError.invalidValue(field: mapped, message: message)
        }
    }
}

/// The create answer of an observation or adverse event: the stored record (fields at the top level, as
/// elsewhere), the observation's interpretation and the safety alerts the record raised.
struct CreatedWithAlerts<Value: Encodable & Sendable>: Encodable {
    var record: Versioned<Value>
    var interpretation: ObservationInterpretation?
    var safety: ClinicalEntry.SafetyOutcome

    func encode(to encoder: Encoder) throws {
        try VersionedResponse(value: record).encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(interpretation, forKey: .interpretation)
        try c.encode(safety.alerts.map { VersionedResponse(value: $0) }, forKey: .safetyAlerts)
        try c.encode(safety.notEvaluated, forKey: .rulesNotEvaluated)
        try c.encode(safety.protocolsNotLoaded, forKey: .protocolsNotLoaded)
    }

    private enum Key: String, CodingKey { case interpretation, safetyAlerts, rulesNotEvaluated, protocolsNotLoaded }
}
