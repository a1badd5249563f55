/// Comparisons against clinical cut-offs that treat a value within a relative 1e-9 of the cut-off as
/// *on* it. Binary floating point cannot represent 1.3 × 30 or 2.77 × 0.01 exactly, and a value a
/// laboratory reports as exactly on a boundary must be judged by the boundary's inclusive/exclusive rule,
/// not by rounding noise. Real measurement resolution is many orders of magnitude coarser.
public enum ClinicalComparison {
    static let relativeTolerance = 1e-9

    public static func isOn(_ value: Double, _ cutoff: Double) -> Bool {
        abs(value - cutoff) <= relativeTolerance * max(1, abs(cutoff))
    }

    /// value < cutoff, strictly, and not within tolerance of it.
    public static func isBelow(_ value: Double, _ cutoff: Double) -> Bool { value < cutoff && !isOn(value, cutoff) }

    /// value > cutoff, strictly, and not within tolerance of it.
    public static func isAbove(_ value: Double, _ cutoff: Double) -> Bool { value > cutoff && !isOn(value, cutoff) }

    public static func isAtOrAbove(_ value: Double, _ cutoff: Double) -> Bool { !isBelow(value, cutoff) }
    public static func isAtOrBelow(_ value: Double, _ cutoff: Double) -> Bool { !isAbove(value, cutoff) }
}
