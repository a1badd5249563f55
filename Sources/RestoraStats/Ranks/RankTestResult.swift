/// Result of a Wilcoxon signed-rank or Mann–Whitney (rank-sum) test, fields as R's wilcox.test.
public struct RankTestResult: Sendable, Equatable, Codable {
    /// V (signed rank: sum of ranks of positive differences) or W (Mann–Whitney: rank sum of x − m(m+1)/2).
    public let statistic: Double
    public let pValue: Double
    public let alternative: Alternative
    /// True for the exact null distribution; false for the normal approximation (ties, zeros or n ≥ 50).
    public let exact: Bool
    public let continuityCorrection: Bool
    /// Hodges–Lehmann estimate and exact interval (two-sided); reported only with the exact distribution,
    /// where R computes them in closed form. The interval's level is the one achieved when the requested
    /// level is out of reach of so few observations (as R).
    public let hodgesLehmann: Double?
    public let interval: ConfidenceInterval?
    /// Observations used (after dropping zero differences for the signed-rank test).
    public let count: Int
}
