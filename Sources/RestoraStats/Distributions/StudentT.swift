import Foundation

/// Student's t distribution with `df` > 0 degrees of freedom (non-integer allowed, as in Welch's test).
public enum StudentT {
    /// P(|T| > |t|) / 2 via I_x(ν/2, 1/2) with x = ν/(ν+t²) and 1 − x = t²/(ν+t²) both formed without cancellation.
    static func halfTail(_ t: Double, df: Double) -> (tail: Double, body: Double) {
        let ratio = t * t / df
        let x = 1 / (1 + ratio)
        let y = ratio.isInfinite ? 1 : 1 / (1 + 1 / ratio)
        let pair = IncompleteBeta.pair(x: x, y: y, a: df / 2, b: 0.5)
        return (0.5 * pair.lower, 0.5 + 0.5 * pair.upper)
    }

    public static func cdf(_ t: Double, df: Double) -> Double {
        guard !t.isNaN, df > 0 else { return .nan }
        if df.isInfinite { return Normal.cdf(t) }
        let h = halfTail(t, df: df)
        return t < 0 ? h.tail : h.body
    }

    public static func sf(_ t: Double, df: Double) -> Double {
        guard !t.isNaN, df > 0 else { return .nan }
        if df.isInfinite { return Normal.sf(t) }
        let h = halfTail(t, df: df)
        return t > 0 ? h.tail : h.body
    }

    public static func pdf(_ t: Double, df: Double) -> Double {
        guard !t.isNaN, df > 0 else { return .nan }
        if df.isInfinite { return Normal.pdf(t) }
        let logC = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
        return exp(logC - (df + 1) / 2 * log1p(t * t / df))
    }

    public static func quantile(_ p: Double, df: Double) -> Double {
        guard !p.isNaN, p >= 0, p <= 1, df > 0 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if df.isInfinite { return Normal.quantile(p) }
        if p > 0.5 { return -lowerQuantile(1 - p, df: df) }
        return lowerQuantile(p, df: df)
    }

    /// Quantile for p < 0.5 (negative t): start from the inverse beta, polish by Newton on the t scale.
    static func lowerQuantile(_ p: Double, df: Double) -> Double {
        let x = IncompleteBeta.inverse(p: 2 * p, q: 1 - 2 * p, a: df / 2, b: 0.5)
        var guess = -(df * (1 / x - 1)).squareRoot()
        if !guess.isFinite || guess >= 0 { guess = min(Normal.quantile(p), -1e-8) }
        return RootSolver.increasingRoot(lo: -.infinity, hi: 0, guess: guess) { t in
            (halfTail(t, df: df).tail - p, pdf(t, df: df))
        }
    }
}
