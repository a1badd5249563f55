import Foundation

/// The binomial distribution Bin(n, p). Out-of-domain arguments give NaN.
public enum Binomial {
    static func valid(_ n: Int, _ p: Double) -> Bool { n >= 0 && p >= 0 && p <= 1 }

    /// P(X = k), Loader's saddle-point form (as R's dbinom): accurate for n in the millions.
    public static func pmf(_ k: Int, n: Int, p: Double) -> Double {
        guard valid(n, p) else { return .nan }
        if k < 0 || k > n { return 0 }
        return exp(LoaderTerms.logDbinomRaw(Double(k), Double(n), p, 1 - p))
    }

    public static func logPMF(_ k: Int, n: Int, p: Double) -> Double {
        guard valid(n, p) else { return .nan }
        if k < 0 || k > n { return -.infinity }
        return LoaderTerms.logDbinomRaw(Double(k), Double(n), p, 1 - p)
    }

    /// P(X ≤ k) = 1 − I_p(k+1, n−k), taken from the complement side of the incomplete beta directly.
    public static func cdf(_ k: Int, n: Int, p: Double) -> Double {
        guard valid(n, p) else { return .nan }
        if k < 0 { return 0 }
        if k >= n { return 1 }
        if p == 0 { return 1 }
        if p == 1 { return 0 }
        return IncompleteBeta.pair(x: p, y: 1 - p, a: Double(k + 1), b: Double(n - k)).upper
    }

    /// P(X > k) = I_p(k+1, n−k).
    public static func sf(_ k: Int, n: Int, p: Double) -> Double {
        guard valid(n, p) else { return .nan }
        if k < 0 { return 1 }
        if k >= n { return 0 }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        return IncompleteBeta.pair(x: p, y: 1 - p, a: Double(k + 1), b: Double(n - k)).lower
    }
}
