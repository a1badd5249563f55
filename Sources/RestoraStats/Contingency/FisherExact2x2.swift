import Foundation

/// Fisher's exact test on a 2×2 table exactly as R's fisher.test: p-value from the hypergeometric
/// distribution, conditional maximum-likelihood odds ratio and its exact conditional interval.
public struct FisherExact2x2Result: Sendable, Equatable, Codable {
    public let table: ContingencyTable
    public let alternative: Alternative
    public let pValue: Double
    /// Conditional MLE of the odds ratio (R's estimate; 0 or +∞ at the edges of the support).
    public let oddsRatio: Double
    public let interval: ConfidenceInterval
    /// Unconditional sample odds ratio ad/bc (what scipy.stats.fisher_exact reports; may be 0, ∞ or NaN→∞).
    public let sampleOddsRatio: Double
}

public enum FisherExact {
    /// Largest support of the 2×2 conditional distribution held in memory (10^7 doubles = 80 MB).
    public static let maximumSupport = 10_000_000

    public static func test2x2(
        _ table: ContingencyTable, alternative: Alternative = .twoSided, confidence: Double = 0.95
    ) throws -> FisherExact2x2Result {
        guard table.isTwoByTwo else {
            throw StatsError.invalidInput(field: "table", message: "must be 2×2 for the odds ratio, got \(table.rowCount)×\(table.columnCount)")
        }
        try Validate.confidence(confidence)
        // The conditional distribution is held in memory over its whole support (min of the margins).
        let c = table.counts
        let supportSize = min(c[0][0] + c[0][1], c[0][0] + c[1][0], c[1][0] + c[1][1], c[0][1] + c[1][1]) + 1
        guard supportSize <= FisherExact.maximumSupport else {
            throw StatsError.invalidInput(
                field: "table",
                message: "margins too large for the exact test (\(supportSize) possible tables, limit \(FisherExact.maximumSupport)); use the chi-square test")
        }
        let noncentral = NoncentralHypergeometric(table)
        let x = noncentral.observed
        let pValue: Double
        switch alternative {
        case .less: pValue = noncentral.lowerTail(x, logOddsRatio: 0)
        case .greater: pValue = noncentral.upperTail(x, logOddsRatio: 0)
        case .twoSided: pValue = noncentral.twoSidedPValue()
        }
        let interval: ConfidenceInterval
        switch alternative {
        case .less:
            interval = ConfidenceInterval(lower: 0, upper: noncentral.upperLimit(alpha: 1 - confidence), level: confidence)
        case .greater:
            interval = ConfidenceInterval(lower: noncentral.lowerLimit(alpha: 1 - confidence), upper: .infinity, level: confidence)
        case .twoSided:
            let alpha = (1 - confidence) / 2
            interval = ConfidenceInterval(
                lower: noncentral.lowerLimit(alpha: alpha), upper: noncentral.upperLimit(alpha: alpha), level: confidence)
        }
        let ad = Double(c[0][0]) * Double(c[1][1]), bc = Double(c[0][1]) * Double(c[1][0])
        let sample = bc == 0 ? (ad == 0 ? Double.nan : .infinity) : ad / bc
        return FisherExact2x2Result(
            table: table, alternative: alternative, pValue: min(1, max(0, pValue)),
            oddsRatio: noncentral.conditionalMLE(), interval: interval, sampleOddsRatio: sample)
    }
}
