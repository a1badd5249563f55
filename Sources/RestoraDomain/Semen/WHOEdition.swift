/// The WHO laboratory manual edition whose lower reference limits an interpretation used. Stored on every
/// interpretation because the limits differ between editions (REFERENCE.md B1, "software implication").
public enum WHOEdition: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    /// WHO laboratory manual, 6th edition, 2021 (ISBN 978-92-4-003078-7). The default.
    case sixth2021
    /// WHO laboratory manual, 5th edition, 2010 (Table A1.1).
    case fifth2010

    public static let `default`: WHOEdition = .sixth2021

    public var displayName: String {
        switch self {
        case .sixth2021: "WHO 6th edition (2021)"
        case .fifth2010: "WHO 5th edition (2010)"
        }
    }

    /// Accepts `6`, `6th`, `2021`, `sixth2021`, `5`, `5th`, `2010`, `fifth2010` (CLI and YAML convenience).
    public init?(flexible text: String) {
        switch text.lowercased() {
        case "6", "6th", "sixth", "2021", "who2021", "sixth2021": self = .sixth2021
        case "5", "5th", "fifth", "2010", "who2010", "fifth2010": self = .fifth2010
        default: return nil
        }
    }

    public var lowerReferenceLimits: SemenReferenceLimits {
        switch self {
        case .sixth2021: .who2021
        case .fifth2010: .who2010
        }
    }
}

/// The 5th-centile lower reference limits (LRLs) of one WHO edition. A value *below* the limit is
/// below the reference range; a value *equal to* the limit is within it (WHO 2010 nomenclature:
/// "equal to or above the lower reference limits" is normozoospermia; REFERENCE.md B2).
public struct SemenReferenceLimits: Codable, Sendable, Equatable, Hashable {
    public var volumeML: Double
    public var concentrationMillionPerML: Double
    public var totalNumberMillion: Double
    public var totalMotilityPercent: Double
    public var progressiveMotilityPercent: Double
    public var vitalityPercent: Double
    public var normalFormsPercent: Double

    public init(
        volumeML: Double, concentrationMillionPerML: Double, totalNumberMillion: Double,
        totalMotilityPercent: Double, progressiveMotilityPercent: Double, vitalityPercent: Double,
        normalFormsPercent: Double
    ) {
        self.volumeML = volumeML
        self.concentrationMillionPerML = concentrationMillionPerML
        self.totalNumberMillion = totalNumberMillion
        self.totalMotilityPercent = totalMotilityPercent
        self.progressiveMotilityPercent = progressiveMotilityPercent
        self.vitalityPercent = vitalityPercent
        self.normalFormsPercent = normalFormsPercent
    }

    /// REFERENCE.md B1, WHO 6th ed. (2021) column (MSD Manual table citing WHO 2021, C).
    public static let who2021 = SemenReferenceLimits(
        volumeML: 1.4, concentrationMillionPerML: 16, totalNumberMillion: 39,
        totalMotilityPercent: 42, progressiveMotilityPercent: 30, vitalityPercent: 54, normalFormsPercent: 4)

    /// REFERENCE.md B1, WHO 5th ed. (2010) column (WHO 2010 Table A1.1, C).
    public static let who2010 = SemenReferenceLimits(
        volumeML: 1.5, concentrationMillionPerML: 15, totalNumberMillion: 39,
        totalMotilityPercent: 40, progressiveMotilityPercent: 32, vitalityPercent: 58, normalFormsPercent: 4)
}
