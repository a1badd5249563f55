/// The alternative hypothesis of a test, named as R names them.
public enum Alternative: String, Sendable, Codable, CaseIterable {
    case twoSided = "two-sided"
    /// The true value (odds ratio, proportion, location shift) is less than the null value.
    case less
    /// The true value is greater than the null value.
    case greater
}

/// A confidence interval with its level; one-sided intervals have an infinite or boundary end.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    public let lower: Double
    public let upper: Double
    public let level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }
}
