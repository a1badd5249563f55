import Foundation

/// The chi-square distribution with `df` > 0 degrees of freedom: Gamma(df/2, scale 2).
public enum ChiSquared {
    public static func cdf(_ x: Double, df: Double) -> Double {
        guard !x.isNaN, df > 0 else { return .nan }
        if x <= 0 { return 0 }
        return IncompleteGamma.pair(df / 2, x / 2).lower
    }

    public static func sf(_ x: Double, df: Double) -> Double {
        guard !x.isNaN, df > 0 else { return .nan }
        if x <= 0 { return 1 }
        return IncompleteGamma.pair(df / 2, x / 2).upper
    }

    public static func quantile(_ p: Double, df: Double) -> Double {
        guard !p.isNaN, p >= 0, p <= 1, df > 0 else { return .nan }
        return 2 * GammaInverse.inverse(p: p, q: 1 - p, a: df / 2)
    }
}
