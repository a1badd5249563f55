/// One grade's interval on a CTCAE scale. CTCAE writes ranges as "a–b" with a leading ">" when the
/// lower end is excluded: ">ULN–3.0×ULN" is (1, 3] in multiples of ULN; "150–300 mg/dL" is [150, 300].
/// The upper end is always included (the next grade starts with ">").
public struct CTCAEGradeBand: Sendable, Equatable {
    public var grade: Int
    public var lower: Double
    public var lowerInclusive: Bool
    /// nil = no upper end (the top grade).
    public var upper: Double?
    /// The criterion as CTCAE v5.0 prints it (REFERENCE.md E1).
    public var criterion: String

    public init(grade: Int, lower: Double, lowerInclusive: Bool = false, upper: Double?, criterion: String) {
        self.grade = grade
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.criterion = criterion
    }

    public func contains(_ x: Double) -> Bool {
        let aboveLower = lowerInclusive ? ClinicalComparison.isAtOrAbove(x, lower) : ClinicalComparison.isAbove(x, lower)
        let belowUpper = upper.map { ClinicalComparison.isAtOrBelow(x, $0) } ?? true
        return aboveLower && belowUpper
    }
}

extension Array where Element == CTCAEGradeBand {
    /// The band containing `x`, or nil when `x` is below grade 1 (no adverse event by these criteria).
    func band(containing x: Double) -> CTCAEGradeBand? { first { $0.contains(x) } }
}
