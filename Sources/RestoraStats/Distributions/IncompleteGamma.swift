import Foundation

/// Regularized incomplete gamma P(a, x) and Q(a, x) = 1 − P, each returned directly (never as 1 − the other
/// when that one is small), so far tails stay accurate. Series for x < a + 1, Lentz continued fraction otherwise;
/// the prefactor x^a e^−x / Γ(a+1) comes from Loader's saddle-point form so large a does not lose digits.
enum IncompleteGamma {
    static let epsilon = 1e-16
    static let tiny = 1e-300

    /// (P, Q) for a > 0, x ≥ 0; NaN pair outside the domain.
    static func pair(_ a: Double, _ x: Double) -> (lower: Double, upper: Double) {
        guard a > 0, x >= 0, !a.isNaN, !x.isNaN else { return (.nan, .nan) }
        if x == 0 { return (0, 1) }
        if x.isInfinite { return (1, 0) }
        if a.isInfinite { return (0, 1) }
        let logPrefactor = LoaderTerms.logDpoisRaw(a, x) // log(x^a e^-x / Γ(a+1))
        if x < a + 1 {
            // P = x^a e^-x / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
            var term = 1.0, sum = 1.0, n = 1.0
            while n < 1e6 {
                term *= x / (a + n)
                sum += term
                if term < sum * epsilon { break }
                n += 1
            }
            let p = exp(logPrefactor + log(sum))
            return (p, 1 - p)
        }
        // Q = x^a e^-x / Γ(a) · CF, with Γ(a) = Γ(a+1)/a.
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 1e6 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
            i += 1
        }
        let q = exp(logPrefactor + log(a) + log(h))
        return (1 - q, q)
    }
}
