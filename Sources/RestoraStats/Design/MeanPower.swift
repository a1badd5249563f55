import Foundation

/// Power and sample size for t-tests as R's power.t.test (strict = FALSE): the noncentral t, not the
/// normal approximation, so small trials are not over-promised.
public enum MeanPower {
    public enum Design: String, Sendable, Codable, CaseIterable {
        /// Two independent groups of n each (difference of means, common SD).
        case twoSample = "two-sample"
        /// n pairs; `sd` is the SD of the within-pair differences.
        case paired
        case oneSample = "one-sample"

        var groups: Double { self == .twoSample ? 2 : 1 }
    }

    /// power = P(T' > t_{1−α/k, ν}) with ν = (n−1)·g and noncentrality √(n/g)·δ/σ (g = 2 for two samples).
    public static func power(
        n: Double, delta: Double, sd: Double = 1, alpha: Double = 0.05, sides: Sidedness = .twoSided,
        design: Design = .twoSample
    ) throws -> Double {
        try check(delta: delta, sd: sd)
        try PowerCheck.alphaAndPower(alpha: alpha, power: nil)
        guard n.isFinite, n >= 2 else { throw StatsError.invalidInput(field: "n", message: "must be at least 2, got \(n)") }
        return rawPower(n: n, delta: delta, sd: sd, alpha: alpha, sides: sides, design: design)
    }

    static func rawPower(n: Double, delta: Double, sd: Double, alpha: Double, sides: Sidedness, design: Design) -> Double {
        let g = design.groups
        let nu = (n - 1) * g
        let effect = sides == .twoSided ? abs(delta) : delta
        let critical = StudentT.quantile(1 - alpha / sides.tails, df: nu)
        return NoncentralT.sf(critical, df: nu, ncp: (n / g).squareRoot() * effect / sd)
    }

    /// Smallest n (per group / pairs) reaching `power`; the real root is found by bisection to 1e-12.
    public static func sampleSize(
        delta: Double, sd: Double = 1, power: Double = 0.8, alpha: Double = 0.05, sides: Sidedness = .twoSided,
        design: Design = .twoSample
    ) throws -> SampleSizeResult {
        try check(delta: delta, sd: sd)
        try PowerCheck.alphaAndPower(alpha: alpha, power: power)
        let f = { (n: Double) in rawPower(n: n, delta: delta, sd: sd, alpha: alpha, sides: sides, design: design) }
        let n = try PowerCheck.solveSize(target: power, lo: 2, hi: 1e7, field: "delta", f)
        let size = Int(n.rounded(.up))
        return SampleSizeResult(exactSize: n, size: size, achievedPower: f(Double(size)))
    }

    static func check(delta: Double, sd: Double) throws {
        try Validate.finite(delta, "delta")
        guard delta != 0 else { throw StatsError.invalidInput(field: "delta", message: "must be non-zero") }
        try Validate.positive(sd, "sd")
    }
}
