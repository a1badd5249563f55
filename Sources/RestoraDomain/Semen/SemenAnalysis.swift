/// One semen analysis as measured by the laboratory: the input to WHO classification (REFERENCE.md B).
/// Every measurement is optional: a missing value is "not measured" and any term that needs it reports
/// "cannot classify: needs …" instead of guessing.
public struct SemenAnalysis: Codable, Sendable, Equatable, Hashable {
    /// Collection date; needed only by the two-sample azoospermia diagnosis (interval between samples).
    public var collected: CalendarDate?
    /// Semen volume in mL. 0 means no ejaculate (aspermia).
    public var volumeML: Double?
    /// Sperm concentration in the fresh (uncentrifuged) preparation, 10^6/mL. 0 means none seen.
    public var concentrationMillionPerML: Double?
    /// Total sperm number per ejaculate, 10^6. Computed as volume × concentration when absent.
    public var totalCountMillion: Double?
    /// Total motility, progressive + non-progressive (PR+NP), %.
    public var totalMotilityPercent: Double?
    /// Progressive motility (PR), %. Cannot exceed total motility.
    public var progressiveMotilityPercent: Double?
    /// Live spermatozoa, %.
    public var vitalityPercent: Double?
    /// Morphologically normal forms, %.
    public var normalFormsPercent: Double?
    /// Examination of the centrifuged pellet when the fresh preparation showed no sperm (REFERENCE.md B3).
    public var pellet: PelletExamination?

    public init(
        collected: CalendarDate? = nil, volumeML: Double? = nil, concentrationMillionPerML: Double? = nil,
        totalCountMillion: Double? = nil, totalMotilityPercent: Double? = nil,
        progressiveMotilityPercent: Double? = nil, vitalityPercent: Double? = nil,
        normalFormsPercent: Double? = nil, pellet: PelletExamination? = nil
    ) {
        self.collected = collected
        self.volumeML = volumeML
        self.concentrationMillionPerML = concentrationMillionPerML
        self.totalCountMillion = totalCountMillion
        self.totalMotilityPercent = totalMotilityPercent
        self.progressiveMotilityPercent = progressiveMotilityPercent
        self.vitalityPercent = vitalityPercent
        self.normalFormsPercent = normalFormsPercent
        self.pellet = pellet
    }

    /// Total sperm number: the measured value, else volume × concentration, else nil.
    public var effectiveTotalCountMillion: Double? {
        if let totalCountMillion { return totalCountMillion }
        guard let volumeML, let concentrationMillionPerML else { return nil }
        return volumeML * concentrationMillionPerML
    }

    public var totalCountWasComputed: Bool { totalCountMillion == nil && effectiveTotalCountMillion != nil }

    /// Refuses impossible input, naming the field and its allowed range. Called by `interpret`.
    public func validate() throws {
        try AllowedRange.nonNegative("mL").checkIfPresent(volumeML, field: "volume")
        try AllowedRange.nonNegative("×10^6/mL").checkIfPresent(concentrationMillionPerML, field: "concentration")
        try AllowedRange.nonNegative("×10^6").checkIfPresent(totalCountMillion, field: "totalCount")
        try AllowedRange.percent.checkIfPresent(totalMotilityPercent, field: "totalMotility")
        try AllowedRange.percent.checkIfPresent(progressiveMotilityPercent, field: "progressiveMotility")
        try AllowedRange.percent.checkIfPresent(vitalityPercent, field: "vitality")
        try AllowedRange.percent.checkIfPresent(normalFormsPercent, field: "normalForms")
        // PR is a subset of PR+NP, so PR above the total is a data-entry error, not a finding.
        if let progressive = progressiveMotilityPercent, let total = totalMotilityPercent, progressive > total {
            throw DomainError.invalidValue(
                field: "progressiveMotility",
                message: "must be 0–\(NumberText.plain(total)) % (not above totalMotility); got \(NumberText.plain(progressive))")
        }
        try pellet?.validate()
    }
}

/// What the laboratory did with a sample that looked azoospermic on the wet preparation (REFERENCE.md B2, B3).
public struct PelletExamination: Codable, Sendable, Equatable, Hashable {
    public typealias Finding = SpecimenDetails.PelletFinding

    /// Whether the pellet of a centrifuged aliquot was actually examined.
    public var examined: Bool
    /// What the pellet held; required when `examined` is true.
    public var finding: Finding?
    /// Relative centrifugal force, × g.
    public var centrifugationG: Double?
    public var centrifugationMinutes: Double?

    public init(examined: Bool, finding: Finding? = nil, centrifugationG: Double? = nil, centrifugationMinutes: Double? = nil) {
        self.examined = examined
        self.finding = finding
        self.centrifugationG = centrifugationG
        self.centrifugationMinutes = centrifugationMinutes
    }

    /// From the lead's specimen model (Model/Observation.swift), so stored observations feed the rules.
    public init(specimen: SpecimenDetails) {
        self.init(
            examined: specimen.pelletExamined ?? false, finding: specimen.pelletFinding,
            centrifugationG: specimen.centrifugationG, centrifugationMinutes: specimen.centrifugationMinutes)
    }

    public func validate() throws {
        try AllowedRange.positive("× g").checkIfPresent(centrifugationG, field: "pellet.centrifugationG")
        try AllowedRange.positive("min").checkIfPresent(centrifugationMinutes, field: "pellet.centrifugationMinutes")
    }

    public var spermSeen: Bool { finding == .motileSperm || finding == .nonMotileSperm }
}
