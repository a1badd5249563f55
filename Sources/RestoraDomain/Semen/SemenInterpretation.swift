/// The result of interpreting one semen analysis. Always carries the WHO edition used (REFERENCE.md B1).
public struct SemenInterpretation: Codable, Sendable, Equatable {
    public var edition: WHOEdition
    /// Individual WHO terms that apply, in nomenclature order.
    public var terms: [SemenTerm]
    /// The single name a report prints, e.g. "oligoasthenoteratozoospermia"; nil when nothing could be classified.
    public var summary: String?
    /// Set whenever azoospermia is (or may be) the finding.
    public var azoospermia: AzoospermiaStatus?
    /// Each parameter against its lower reference limit.
    public var parameters: [SemenParameterAssessment]
    /// "cannot classify: needs …" for every term that a missing value left open.
    public var cannotClassify: [String]
    /// Total sperm number (10^6), measured or computed, and whether it was computed.
    public var totalCountMillion: Double?
    public var totalCountComputed: Bool
    /// Total motile sperm count (10^6) = volume × concentration × (PR+NP)%; nil when an input is missing.
    public var totalMotileSpermCountMillion: Double?
    /// The programs' response rule (REFERENCE.md A1, A2): motile sperm in the ejaculate.
    public var motileSpermInEjaculate: MotileSpermFinding

    public init(
        edition: WHOEdition, terms: [SemenTerm], summary: String?, azoospermia: AzoospermiaStatus?,
        parameters: [SemenParameterAssessment], cannotClassify: [String], totalCountMillion: Double?,
        totalCountComputed: Bool, totalMotileSpermCountMillion: Double?, motileSpermInEjaculate: MotileSpermFinding
    ) {
        self.edition = edition
        self.terms = terms
        self.summary = summary
        self.azoospermia = azoospermia
        self.parameters = parameters
        self.cannotClassify = cannotClassify
        self.totalCountMillion = totalCountMillion
        self.totalCountComputed = totalCountComputed
        self.totalMotileSpermCountMillion = totalMotileSpermCountMillion
        self.motileSpermInEjaculate = motileSpermInEjaculate
    }
}

/// One parameter compared with its LRL. `belowLimit` is nil when the value was not measured.
public struct SemenParameterAssessment: Codable, Sendable, Equatable {
    public enum Parameter: String, Codable, Sendable, Equatable, CaseIterable {
        case volume, concentration, totalCount, totalMotility, progressiveMotility, vitality, normalForms

        public var unit: String {
            switch self {
            case .volume: "mL"
            case .concentration: "10^6/mL"
            case .totalCount: "10^6/ejaculate"
            case .totalMotility, .progressiveMotility, .vitality, .normalForms: "%"
            }
        }
    }

    public var parameter: Parameter
    public var value: Double?
    public var lowerReferenceLimit: Double
    public var unit: String
    /// true when value < LRL (strictly, see ClinicalComparison); false when value ≥ LRL; nil when not measured.
    public var belowLimit: Bool?

    public init(parameter: Parameter, value: Double?, lowerReferenceLimit: Double) {
        self.parameter = parameter
        self.value = value
        self.lowerReferenceLimit = lowerReferenceLimit
        self.unit = parameter.unit
        self.belowLimit = value.map { ClinicalComparison.isBelow($0, lowerReferenceLimit) }
    }
}

/// Whether an azoospermia finding is confirmed by pellet examination (REFERENCE.md B2, B3).
public struct AzoospermiaStatus: Codable, Sendable, Equatable {
    public var confirmed: Bool
    /// Why not, in words a report can print, e.g. "pellet not examined after centrifugation".
    public var reason: String?

    public init(confirmed: Bool, reason: String? = nil) {
        self.confirmed = confirmed
        self.reason = reason
    }
}
