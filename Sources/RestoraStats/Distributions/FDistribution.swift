import Foundation

/// Fisher's F distribution with `df1`, `df2` > 0 degrees of freedom.
public enum FDistribution {
    static func betaArguments(_ x: Double, _ df1: Double, _ df2: Double) -> (u: Double, v: Double) {
        let r = df1 * x / df2 // u = r / (1 + r), v = 1 / (1 + r), both without cancellation
        if r.isInfinite { return (1, 0) }
        return (r / (1 + r), 1 / (1 + r))
    }

    public static func cdf(_ x: Double, df1: Double, df2: Double) -> Double {
        guard !x.isNaN, df1 > 0, df2 > 0 else { return .nan }
        if x <= 0 { return 0 }
        let (u, v) = betaArguments(x, df1, df2)
        return IncompleteBeta.pair(x: u, y: v, a: df1 / 2, b: df2 / 2).lower
    }

    public static func sf(_ x: Double, df1: Double, df2: Double) -> Double {
        guard !x.isNaN, df1 > 0, df2 > 0 else { return .nan }
        if x <= 0 { return 1 }
        let (u, v) = betaArguments(x, df1, df2)
        return IncompleteBeta.pair(x: u, y: v, a: df1 / 2, b: df2 / 2).upper
    }

    public static func pdf(_ x: Double, df1: Double, df2: Double) -> Double {
        guard !x.isNaN, df1 > 0, df2 > 0 else { return .nan }
        if x <= 0 { return x == 0 && df1 == 2 ? 1 : 0 }
        let (u, v) = betaArguments(x, df1, df2)
        let dudx = df1 * df2 / ((df1 * x + df2) * (df1 * x + df2))
        return IncompleteBeta.density(x: u, y: v, a: df1 / 2, b: df2 / 2) * dudx
    }

    /// Inverse beta for the start, then Newton on the F scale so large quantiles keep their digits.
    public static func quantile(_ p: Double, df1: Double, df2: Double) -> Double {
        guard !p.isNaN, p >= 0, p <= 1, df1 > 0, df2 > 0 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        let q = 1 - p
        let u = IncompleteBeta.inverse(p: p, q: q, a: df1 / 2, b: df2 / 2)
        var guess = df2 * u / (df1 * (1 - u))
        if !(guess > 0) || !guess.isFinite { guess = 1 }
        if p <= 0.5 {
            return RootSolver.increasingRoot(lo: 0, hi: .infinity, guess: guess) { x in
                (cdf(x, df1: df1, df2: df2) - p, pdf(x, df1: df1, df2: df2))
            }
        }
        return RootSolver.increasingRoot(lo: 0, hi: .infinity, guess: guess) { x in
            (q - sf(x, df1: df1, df2: df2), pdf(x, df1: df1, df2: df2))
        }
    }
}
