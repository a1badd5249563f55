/// The screening assessments the protocol criteria read as observations, with the values each can take
/// (issue #14 item 1). Checked for every door by `ClinicalEntry` before anything is stored:
/// - PHQ-9 total score, LOINC 44261-6: a whole number 0–27 (nine items scored 0–3; REFERENCE.md A2 RA-4
///   excludes > 15), as an integer or a quantity in "{score}";
/// - alcoholic drinks per day (restora code, REFERENCE.md A2 RA-4 excludes > 4): 0–100 in "{drinks}/d" (an
///   entry-error limit);
/// - testicular volume (restora code, REFERENCE.md B4/D1): 0–100 mL per testis (entry-error limit);
/// - karyotype (normal/abnormal) and Y-chromosome microdeletion (detected/not-detected), coded values the
///   ASC protocol's exclusion reads (REFERENCE.md D1).
public enum ScreeningAssessments {
    public static let karyotypeValues = [Coding(.restora, "normal", display: "Normal karyotype"),
                                         Coding(.restora, "abnormal", display: "Abnormal karyotype")]
    public static let yMicrodeletionValues = [Coding(.restora, "not-detected", display: "No Y-chromosome microdeletion"),
                                              Coding(.restora, "detected", display: "Y-chromosome microdeletion detected")]
    public static let phq9Unit = "{score}"
    public static let alcoholUnit = "{drinks}/d"

    /// Refuses a value outside what the assessment can take (422 naming `value`); other codes pass untouched.
    public static func check(_ observation: Observation) throws {
        let code = observation.code
        if code.sameConcept(as: ClinicalCodes.phq9) {
            let number: Double?
            switch observation.value {
            case let .integer(n): number = Double(n)
            case let .quantity(q) where q.unit == phq9Unit || q.unit == "1": number = q.value
            default: number = nil
            }
            guard let number, number.isFinite, number == number.rounded(), (0...27).contains(number) else {
                throw DomainError.invalidValue(field: "value", message: "a PHQ-9 total score is a whole number from 0 to 27")
            }
        } else if code.sameConcept(as: ClinicalCodes.alcohol) {
            guard let q = observation.value.quantity, q.unit == alcoholUnit, q.value.isFinite, (0...100).contains(q.value) else {
                throw DomainError.invalidValue(field: "value", message: "alcoholic drinks per day are a number from 0 to 100 in {drinks}/d")
            }
        } else if code.sameConcept(as: ClinicalCodes.testicularVolume) {
            guard let q = observation.value.quantity, q.unit == "mL", q.value.isFinite, (0...100).contains(q.value) else {
                throw DomainError.invalidValue(field: "value", message: "a testicular volume is a number from 0 to 100 in mL")
            }
        } else if code.sameConcept(as: ClinicalCodes.karyotype) || code.sameConcept(as: ClinicalCodes.yMicrodeletion) {
            let allowed = code.sameConcept(as: ClinicalCodes.karyotype) ? karyotypeValues : yMicrodeletionValues
            guard let value = observation.value.coding, allowed.contains(where: { $0.sameConcept(as: value) }) else {
                throw DomainError.invalidValue(field: "value", message: "\(code.display ?? code.code) is coded as one of \(allowed.map(\.code).joined(separator: ", "))")
            }
        }
    }
}
