import Foundation

/// The beta distribution Beta(a, b).
public enum BetaDistribution {
    public static func cdf(_ x: Double, a: Double, b: Double) -> Double {
        guard !x.isNaN, a > 0, b > 0 else { return .nan }
        return IncompleteBeta.pair(x: min(max(x, 0), 1), y: 1 - min(max(x, 0), 1), a: a, b: b).lower
    }

    public static func sf(_ x: Double, a: Double, b: Double) -> Double {
        guard !x.isNaN, a > 0, b > 0 else { return .nan }
        return IncompleteBeta.pair(x: min(max(x, 0), 1), y: 1 - min(max(x, 0), 1), a: a, b: b).upper
    }

    public static func pdf(_ x: Double, a: Double, b: Double) -> Double {
        guard !x.isNaN, a > 0, b > 0 else { return .nan }
        if x < 0 || x > 1 { return 0 }
        return IncompleteBeta.density(x: x, y: 1 - x, a: a, b: b)
    }

    public static func quantile(_ p: Double, a: Double, b: Double) -> Double {
        guard !p.isNaN, p >= 0, p <= 1, a > 0, b > 0 else { return .nan }
        return IncompleteBeta.inverse(p: p, q: 1 - p, a: a, b: b)
    }
}
