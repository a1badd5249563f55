/// One- or two-sided significance level for a design calculation (R's `alternative` in power.*.test).
public enum Sidedness: String, Sendable, Codable, CaseIterable {
    case twoSided = "two-sided"
    case oneSided = "one-sided"

    var tails: Double { self == .twoSided ? 2 : 1 }
}

/// A sample-size answer: the exact (real) solution, the whole number to recruit and the power it gives.
public struct SampleSizeResult: Sendable, Equatable, Codable {
    /// Per group for two-sample designs, pairs for paired, subjects for one-sample.
    public let exactSize: Double
    /// `exactSize` rounded up.
    public let size: Int
    /// Power achieved with `size`.
    public let achievedPower: Double
}

enum PowerCheck {
    static func alphaAndPower(alpha: Double, power: Double?) throws {
        try Validate.probability(alpha, "alpha", open: true)
        if let power { try Validate.probability(power, "power", open: true) }
    }

    /// Smallest real n in [lo, hi] with power(n) ≥ target, by bisection on log n (power increases with n).
    static func solveSize(target: Double, lo: Double, hi: Double, field: String, _ power: (Double) -> Double) throws -> Double {
        guard power(hi) >= target else {
            throw StatsError.invalidInput(field: field, message: "the requested power is not reached with fewer than \(Int(hi)) subjects per group")
        }
        if power(lo) >= target { return lo }
        var a = lo, b = hi
        for _ in 0..<200 {
            let mid = (a * b).squareRoot()
            if power(mid) >= target { b = mid } else { a = mid }
            if b - a <= 1e-12 * b { break }
        }
        return b
    }
}
