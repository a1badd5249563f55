/// A site's precision error, from the centre's own precision study (REFERENCE.md C3: 15 patients × 3 scans
/// or 30 × 2, with repositioning). RMS-SD in g/cm² is preferred over %CV; both are accepted.
public struct PrecisionError: Codable, Sendable, Equatable, Hashable {
    public enum Unit: String, Codable, Sendable, Equatable, Hashable {
        /// Root-mean-square SD, g/cm² (ISCD's preferred expression).
        case gPerCm2 = "g/cm2"
        /// Root-mean-square coefficient of variation, %.
        case percent = "%"
    }

    public var value: Double
    public var unit: Unit

    public init(value: Double, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    /// LSC (95 %) = 2.77 × precision error (REFERENCE.md C3, ISCD precision-calculator glossary, C).
    public static let lscMultiplier = 2.77

    public var leastSignificantChange: Double { PrecisionError.lscMultiplier * value }

    /// Minimum acceptable technologist precision from REFERENCE.md C3 — marked **U** there (the ISCD 2005
    /// numbers were not retrieved), so these are configurable defaults, not cited facts. Replace them with the
    /// centre's own precision study. No default for the 33 % radius: its precision must be configured.
    public static let unconfirmedDefaults: [SkeletalSite: PrecisionError] = [
        .lumbarSpine: PrecisionError(value: 1.9, unit: .percent),  // U: LSC 5.3 %
        .totalHip: PrecisionError(value: 1.8, unit: .percent),     // U: LSC 5.0 %
        .femoralNeck: PrecisionError(value: 2.5, unit: .percent),  // U: LSC 6.9 %
    ]
}

/// The verdict on a change in BMD between two scans at the same site on the same scanner.
public enum BoneDensityChange: String, Codable, Sendable, Equatable, Hashable {
    case significantGain
    case significantLoss
    case noSignificantChange
}

public struct BoneDensityChangeAssessment: Codable, Sendable, Equatable {
    public var site: SkeletalSite
    public var previousGPerCm2: Double
    public var currentGPerCm2: Double
    public var changeGPerCm2: Double
    public var changePercent: Double
    /// The LSC in the precision error's own unit (g/cm² or %).
    public var leastSignificantChange: Double
    public var lscUnit: PrecisionError.Unit
    public var verdict: BoneDensityChange
    /// "given" for the centre's own precision, or the U default's label (REFERENCE.md C3).
    public var precisionSource: String
}

public enum LeastSignificantChange {
    /// A change is significant when its magnitude is **at or above** the LSC (REFERENCE.md C3: "significant
    /// if ≥ LSC"). With a %CV precision the change is compared as a percentage of the previous BMD.
    public static func assess(
        site: SkeletalSite, previousGPerCm2 previous: Double, currentGPerCm2 current: Double, precision: PrecisionError
    ) throws -> BoneDensityChangeAssessment {
        try AllowedRange.positive("g/cm²").check(previous, field: "previousBmd")
        try AllowedRange.positive("g/cm²").check(current, field: "currentBmd")
        try AllowedRange.positive(precision.unit.rawValue).check(precision.value, field: "precisionError")
        let delta = current - previous
        let percent = delta / previous * 100
        let compared = precision.unit == .percent ? percent : delta
        let lsc = precision.leastSignificantChange
        let verdict: BoneDensityChange
        if ClinicalComparison.isAtOrAbove(abs(compared), lsc) {
            verdict = compared > 0 ? .significantGain : .significantLoss
        } else {
            verdict = .noSignificantChange
        }
        return BoneDensityChangeAssessment(
            site: site, previousGPerCm2: previous, currentGPerCm2: current, changeGPerCm2: delta,
            changePercent: percent, leastSignificantChange: lsc, lscUnit: precision.unit, verdict: verdict,
            precisionSource: "given")
    }

    /// With the site's configured precision (`precisions`, the centre's own), falling back to the U defaults,
    /// which the result labels; throws naming the site when neither exists (e.g. 33 % radius).
    public static func assess(
        site: SkeletalSite, previousGPerCm2: Double, currentGPerCm2: Double,
        precisions: [SkeletalSite: PrecisionError] = [:]
    ) throws -> BoneDensityChangeAssessment {
        if let given = precisions[site] {
            return try assess(site: site, previousGPerCm2: previousGPerCm2, currentGPerCm2: currentGPerCm2, precision: given)
        }
        guard let fallback = PrecisionError.unconfirmedDefaults[site] else {
            throw DomainError.invalidValue(
                field: "precisionError",
                message: "no precision error configured for \(site.displayName); give the centre's value (> 0, g/cm2 or %)")
        }
        var result = try assess(site: site, previousGPerCm2: previousGPerCm2, currentGPerCm2: currentGPerCm2, precision: fallback)
        result.precisionSource = "unconfirmed default \(NumberText.plain(fallback.value)) % (REFERENCE.md C3, U): use the centre's precision study"
        return result
    }
}
