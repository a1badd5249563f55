/// Builds a `SemenAnalysis` from stored observations of one panel, by LOINC code (REFERENCE.md F1), so
/// reports can classify what the CRF recorded. Units must be the ones the rules use; anything else is refused.
extension SemenAnalysis {
    /// LOINC codes per parameter (REFERENCE.md F1). Concentration lists 9780-8 and the 11068-0 some
    /// ConceptMaps use (F1 notes the conflict); normal forms accept the light-microscopy variant 19051-2.
    public static let loincCodes: [SemenAnalysisField: [String]] = [
        .volume: ["3160-9"],
        .concentration: ["9780-8", "11068-0"],
        .totalMotility: ["6800-7"],
        .progressiveMotility: ["14194-5"],
        .vitality: ["10613-8"],
        .normalForms: ["10622-9", "19051-2"],
    ]

    public enum SemenAnalysisField: String, Sendable, CaseIterable {
        case volume, concentration, totalMotility, progressiveMotility, vitality, normalForms

        public var acceptedUnits: [String] {
            switch self {
            case .volume: ["mL"]
            case .concentration: ["10*6/mL", "10^6/mL", "/nL"]
            case .totalMotility, .progressiveMotility, .vitality, .normalForms: ["%"]
            }
        }
    }

    /// Reads the semen parameters among `observations` (other codes are ignored). The pellet comes from the
    /// first observation whose specimen records a pellet examination.
    public init(observations: [Observation]) throws {
        self.init()
        for observation in observations where observation.code.system == .loinc {
            guard let field = SemenAnalysisField.allCases.first(where: {
                SemenAnalysis.loincCodes[$0]?.contains(observation.code.code) == true
            }) else { continue }
            guard let quantity = observation.value.quantity else {
                throw DomainError.invalidValue(field: field.rawValue, message: "must be a quantity in \(field.acceptedUnits[0])")
            }
            guard field.acceptedUnits.contains(quantity.unit) else {
                throw DomainError.unknownUnit(field: field.rawValue, unit: quantity.unit, allowed: field.acceptedUnits)
            }
            switch field {
            case .volume: volumeML = quantity.value
            case .concentration: concentrationMillionPerML = quantity.value
            case .totalMotility: totalMotilityPercent = quantity.value
            case .progressiveMotility: progressiveMotilityPercent = quantity.value
            case .vitality: vitalityPercent = quantity.value
            case .normalForms: normalFormsPercent = quantity.value
            }
            if collected == nil { collected = observation.effectiveDate }
        }
        if let specimen = observations.compactMap(\.specimen).first(where: { $0.pelletExamined != nil }) {
            pellet = PelletExamination(specimen: specimen)
        }
    }
}
