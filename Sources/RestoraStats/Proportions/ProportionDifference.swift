import Foundation

/// Difference of two independent proportions p₁ − p₂ with Newcombe's hybrid score interval.
public struct ProportionDifference: Sendable, Equatable, Codable {
    public let successes1: Int
    public let trials1: Int
    public let successes2: Int
    public let trials2: Int
    public let difference: Double
    public let interval: ConfidenceInterval
    /// True when the Wilson intervals used a continuity correction (Newcombe's method 11 instead of 10).
    public let continuityCorrected: Bool

    /// Newcombe (1998) method 10: combine the Wilson score limits (l, u) of each proportion,
    /// δ − √((p₁−l₁)² + (u₂−p₂)²) … δ + √((u₁−p₁)² + (p₂−l₂)²). Method 11 uses continuity-corrected Wilson limits.
    public static func newcombe(
        successes1: Int, trials1: Int, successes2: Int, trials2: Int,
        confidence: Double = 0.95, continuityCorrection: Bool = false
    ) throws -> ProportionDifference {
        try Validate.successes(successes1, trials: trials1, successField: "successes1", trialField: "trials1")
        try Validate.successes(successes2, trials: trials2, successField: "successes2", trialField: "trials2")
        try Validate.confidence(confidence)
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let p1 = Double(successes1) / Double(trials1), p2 = Double(successes2) / Double(trials2)
        let yates = continuityCorrection ? 0.5 : 0
        let (l1, u1) = Proportion.wilson(x: Double(successes1), n: Double(trials1), z: z, yates: yates)
        let (l2, u2) = Proportion.wilson(x: Double(successes2), n: Double(trials2), z: z, yates: yates)
        let delta = p1 - p2
        let lower = delta - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = delta + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return ProportionDifference(
            successes1: successes1, trials1: trials1, successes2: successes2, trials2: trials2,
            difference: delta, interval: ConfidenceInterval(lower: lower, upper: upper, level: confidence),
            continuityCorrected: continuityCorrection)
    }
}
