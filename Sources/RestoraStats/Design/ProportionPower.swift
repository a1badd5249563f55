import Foundation

/// Power and sample size for comparing two independent proportions (per group, equal groups) with the
/// normal approximation of R's power.prop.test (strict = FALSE), plus Fleiss' continuity-corrected size.
public enum ProportionPower {
    /// R: Φ((√n |p₁−p₂| − z_{α/k} √((p₁+p₂)(1 − (p₁+p₂)/2))) / √(p₁q₁ + p₂q₂)), k = 1 or 2 sides.
    public static func power(p1: Double, p2: Double, n: Double, alpha: Double = 0.05, sides: Sidedness = .twoSided) throws -> Double {
        try check(p1: p1, p2: p2)
        try PowerCheck.alphaAndPower(alpha: alpha, power: nil)
        try Validate.positive(n, "n")
        return rawPower(p1: p1, p2: p2, n: n, alpha: alpha, sides: sides)
    }

    static func rawPower(p1: Double, p2: Double, n: Double, alpha: Double, sides: Sidedness) -> Double {
        let z = Normal.quantile(1 - alpha / sides.tails)
        let pooled = ((p1 + p2) * (1 - (p1 + p2) / 2)).squareRoot()
        let separate = (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
        return Normal.cdf(((n * (p1 - p2) * (p1 - p2)).squareRoot() - z * pooled) / separate)
    }

    /// Subjects per group. Without correction the closed form
    /// n = (z_{α/k} √(2p̄q̄) + z_β √(p₁q₁+p₂q₂))² / (p₁−p₂)², which is the root R's uniroot approximates;
    /// with `continuityCorrection`, Fleiss' n' = n/4 · (1 + √(1 + 4/(n |p₁−p₂|)))².
    public static func sampleSize(
        p1: Double, p2: Double, power: Double = 0.8, alpha: Double = 0.05, sides: Sidedness = .twoSided,
        continuityCorrection: Bool = false
    ) throws -> SampleSizeResult {
        try check(p1: p1, p2: p2)
        try PowerCheck.alphaAndPower(alpha: alpha, power: power)
        let za = Normal.quantile(1 - alpha / sides.tails), zb = Normal.quantile(power)
        let pooled = ((p1 + p2) * (1 - (p1 + p2) / 2)).squareRoot()
        let separate = (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
        let d = abs(p1 - p2)
        var n = (za * pooled + zb * separate) * (za * pooled + zb * separate) / (d * d)
        if continuityCorrection {
            let root = (1 + 4 / (n * d)).squareRoot()
            n = n / 4 * (1 + root) * (1 + root)
        }
        guard n.isFinite, n <= 1e12 else {
            throw StatsError.invalidInput(field: "p2", message: "is too close to p1: the sample size would exceed 10^12 per group")
        }
        let size = Int(n.rounded(.up))
        return SampleSizeResult(
            exactSize: n, size: size, achievedPower: rawPower(p1: p1, p2: p2, n: Double(size), alpha: alpha, sides: sides))
    }

    static func check(p1: Double, p2: Double) throws {
        try Validate.probability(p1, "p1", open: true)
        try Validate.probability(p2, "p2", open: true)
        guard p1 != p2 else { throw StatsError.invalidInput(field: "p2", message: "must differ from p1 (both are \(p1))") }
    }
}
