/// WHO densitometric categories (REFERENCE.md C1; WHO 1994, Kanis WHO TRS 843). Boundaries:
/// normal T ≥ −1.0; low bone mass −2.5 < T < −1.0; osteoporosis T ≤ −2.5; severe (established)
/// osteoporosis T ≤ −2.5 plus ≥1 fragility fracture. T is compared unrounded; a scanner that prints one
/// decimal should be given the printed value if that is what the clinic diagnoses on.
public enum BoneDensityCategory: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case normal
    case lowBoneMass
    case osteoporosis
    case severeOsteoporosis

    public static func classify(tScore t: Double, fragilityFracture: Bool) throws -> BoneDensityCategory {
        try AllowedRange(lower: -20, upper: 20, unit: "SD").check(t, field: "tScore")
        if ClinicalComparison.isAtOrAbove(t, -1.0) { return .normal }
        if ClinicalComparison.isAbove(t, -2.5) { return .lowBoneMass }
        return fragilityFracture ? .severeOsteoporosis : .osteoporosis
    }

    public var displayName: String {
        switch self {
        case .normal: "normal"
        case .lowBoneMass: "low bone mass (osteopenia)"
        case .osteoporosis: "osteoporosis"
        case .severeOsteoporosis: "severe (established) osteoporosis"
        }
    }
}

/// ISCD wording for people to whom T-score categories do not apply (REFERENCE.md C1): Z ≤ −2.0 is
/// "below the expected range for age"; Z > −2.0 is "within the expected range for age".
public enum ZScoreWording: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case belowExpectedRangeForAge
    case withinExpectedRangeForAge

    public static func classify(zScore z: Double) throws -> ZScoreWording {
        try AllowedRange(lower: -20, upper: 20, unit: "SD").check(z, field: "zScore")
        return ClinicalComparison.isAtOrBelow(z, -2.0) ? .belowExpectedRangeForAge : .withinExpectedRangeForAge
    }

    public var text: String {
        switch self {
        case .belowExpectedRangeForAge: "below the expected range for age"
        case .withinExpectedRangeForAge: "within the expected range for age"
        }
    }
}
