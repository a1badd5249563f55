/// What a cell product must meet before it may be released for administration (REFERENCE.md D2).
/// A protocol may embed one (YAML keys as below); `isct2006Default` is the fallback.
///
/// ```yaml
/// release:
///   identity:
///     - { markers: [CD73], minimumPercent: 95 }
///     - { markers: [CD14, CD11b], maximumPercent: 2 }
///   minimumViabilityPercent: 70
///   endotoxinLimit: { value: 5, unit: EU/kg }
///   sterility: { requirement: noGrowth, incubationDays: 14 }
///   mycoplasma: negative
///   dose: { minimumCells: 75e6, maximumCells: 150e6, basis: absolute }
/// ```
public struct ReleaseSpecification: Codable, Sendable, Equatable, Hashable {
    /// Surface-marker thresholds; each entry is one ISCT line.
    public var identity: [MarkerRequirement]
    /// Viability must be at or above this percentage (inclusive). REFERENCE.md D2: "generally >70%" (Noh 2015),
    /// "≥70% (trypan blue)" in example spec A; we use the inclusive form the suggested defaults state.
    public var minimumViabilityPercent: Double
    public var endotoxinLimit: EndotoxinLimit
    public var sterility: SterilityRequirement
    public var mycoplasma: MycoplasmaRequirement
    /// Absent when the protocol defines no dose window; then dose is not a release criterion.
    public var dose: DoseRange?

    public init(
        identity: [MarkerRequirement], minimumViabilityPercent: Double, endotoxinLimit: EndotoxinLimit,
        sterility: SterilityRequirement, mycoplasma: MycoplasmaRequirement, dose: DoseRange?
    ) {
        self.identity = identity
        self.minimumViabilityPercent = minimumViabilityPercent
        self.endotoxinLimit = endotoxinLimit
        self.sterility = sterility
        self.mycoplasma = mycoplasma
        self.dose = dose
    }

    /// ISCT 2006 minimal MSC criteria (Dominici 2006, REFERENCE.md D2) plus the system defaults suggested
    /// there: viability ≥70 %, no growth at 14 days, endotoxin ≤5 EU/kg, mycoplasma negative. No dose window:
    /// the dose comes from the protocol.
    public static let isct2006Default = ReleaseSpecification(
        identity: MarkerRequirement.isct2006,
        minimumViabilityPercent: 70,
        endotoxinLimit: EndotoxinLimit(value: 5, unit: .euPerKilogram),
        sterility: SterilityRequirement(requirement: .noGrowth, incubationDays: 14),
        mycoplasma: .negative,
        dose: nil
    )
}

/// One identity line: the measured percentage of cells positive for a marker. `markers` lists
/// alternatives the laboratory may test ("CD14 or CD11b"); at least one must be reported and every reported
/// alternative must meet the limit (a product positive for CD11b fails even if CD14 is clean).
public struct MarkerRequirement: Codable, Sendable, Equatable, Hashable {
    public var markers: [String]
    /// Inclusive lower limit (≥), for positive markers.
    public var minimumPercent: Double?
    /// Inclusive upper limit (≤), for negative markers.
    public var maximumPercent: Double?

    public init(markers: [String], minimumPercent: Double? = nil, maximumPercent: Double? = nil) {
        self.markers = markers
        self.minimumPercent = minimumPercent
        self.maximumPercent = maximumPercent
    }

    public static func positive(_ marker: String, atLeast percent: Double) -> MarkerRequirement {
        MarkerRequirement(markers: [marker], minimumPercent: percent)
    }

    public static func negative(_ markers: String..., atMost percent: Double) -> MarkerRequirement {
        MarkerRequirement(markers: markers, maximumPercent: percent)
    }

    /// REFERENCE.md D2 (Dominici 2006 Table 1): ≥95 % CD105, CD73, CD90; ≤2 % CD45, CD34, CD14 or CD11b,
    /// CD79α or CD19, HLA-DR. "CD79a" is the ASCII spelling of CD79α.
    public static let isct2006: [MarkerRequirement] = [
        .positive("CD73", atLeast: 95),
        .positive("CD90", atLeast: 95),
        .positive("CD105", atLeast: 95),
        .negative("CD45", atMost: 2),
        .negative("CD34", atMost: 2),
        .negative("CD14", "CD11b", atMost: 2),
        .negative("CD79a", "CD19", atMost: 2),
        .negative("HLA-DR", atMost: 2),
    ]

    public var label: String { markers.joined(separator: " or ") }
}

public struct EndotoxinLimit: Codable, Sendable, Equatable, Hashable {
    /// Inclusive upper limit (result ≤ value passes), as in "≤5 EU/kg" (REFERENCE.md D2 example spec A).
    public var value: Double
    public var unit: EndotoxinUnit

    public init(value: Double, unit: EndotoxinUnit) {
        self.value = value
        self.unit = unit
    }
}

public enum EndotoxinUnit: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case euPerKilogram = "EU/kg"
    case euPerMillilitre = "EU/mL"
    /// Total endotoxin in the dose administered.
    case euPerDose = "EU"
}

public struct SterilityRequirement: Codable, Sendable, Equatable, Hashable {
    public enum Requirement: String, Codable, Sendable, Equatable, Hashable {
        case noGrowth
    }

    public var requirement: Requirement
    /// Culture duration the "no growth" result must cover (14 days BacT/ALERT, REFERENCE.md D2 spec A).
    public var incubationDays: Int?

    public init(requirement: Requirement, incubationDays: Int?) {
        self.requirement = requirement
        self.incubationDays = incubationDays
    }
}

public enum MycoplasmaRequirement: String, Codable, Sendable, Equatable, Hashable {
    case negative
    /// For protocols whose product is not tested for mycoplasma (e.g. a point-of-care aspirate concentrate).
    case notRequired
}

/// The protocol's dose window, inclusive at both ends ("minimum must be met", REFERENCE.md D2 spec A).
public struct DoseRange: Codable, Sendable, Equatable, Hashable {
    public enum Basis: String, Codable, Sendable, Equatable, Hashable {
        /// Cells per kilogram of recipient body weight (e.g. 2×10^6 cells/kg, REFERENCE.md C5).
        case perKilogram
        /// Total cells in the dose (e.g. 3–5×10^6 MSCs, REFERENCE.md D1).
        case absolute
    }

    public var minimumCells: Double
    public var maximumCells: Double
    public var basis: Basis

    public init(minimumCells: Double, maximumCells: Double, basis: Basis) {
        self.minimumCells = minimumCells
        self.maximumCells = maximumCells
        self.basis = basis
    }
}
