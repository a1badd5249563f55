/// CTCAE v5.0 terms Restora grades (REFERENCE.md E1). Raw values are the YAML/JSON spelling.
public enum CTCAETerm: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    // Laboratory terms, graded automatically from value, unit, ULN and (where needed) baseline.
    case hypertriglyceridemia
    case cholesterolHigh
    case alanineAminotransferaseIncreased
    case aspartateAminotransferaseIncreased
    case bloodBilirubinIncreased
    case gammaGlutamylTransferaseIncreased
    case alkalinePhosphataseIncreased
    // Clinician-graded terms: a clinician picks the grade against the criteria text.
    case drySkin
    case depression
    case rashMaculoPapular
    case irritability

    /// The CTCAE v5.0 term name as printed in the NCI table.
    public var displayName: String {
        switch self {
        case .hypertriglyceridemia: "Hypertriglyceridemia"
        case .cholesterolHigh: "Cholesterol high"
        case .alanineAminotransferaseIncreased: "Alanine aminotransferase increased"
        case .aspartateAminotransferaseIncreased: "Aspartate aminotransferase increased"
        case .bloodBilirubinIncreased: "Blood bilirubin increased"
        case .gammaGlutamylTransferaseIncreased: "GGT increased"
        case .alkalinePhosphataseIncreased: "Alkaline phosphatase increased"
        case .drySkin: "Dry skin"
        case .depression: "Depression"
        case .rashMaculoPapular: "Rash maculo-papular"
        case .irritability: "Irritability"
        }
    }

    /// Short aliases accepted from the command line and protocol files (`alt`, `tg`, `rash`, …).
    public init?(alias: String) {
        let key = alias.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        if let term = CTCAETerm.allCases.first(where: { $0.rawValue.lowercased() == key }) {
            self = term
            return
        }
        switch key {
        case "tg", "triglycerides", "triglyceride": self = .hypertriglyceridemia
        case "cholesterol", "chol", "hypercholesterolemia": self = .cholesterolHigh
        case "alt": self = .alanineAminotransferaseIncreased
        case "ast": self = .aspartateAminotransferaseIncreased
        case "bilirubin", "bili": self = .bloodBilirubinIncreased
        case "ggt": self = .gammaGlutamylTransferaseIncreased
        case "alp", "alkalinephosphatase": self = .alkalinePhosphataseIncreased
        case "rash", "maculopapularrash": self = .rashMaculoPapular
        default: return nil
        }
    }

    public var isClinicianGraded: Bool {
        switch self {
        case .drySkin, .depression, .rashMaculoPapular, .irritability: true
        default: false
        }
    }
}
