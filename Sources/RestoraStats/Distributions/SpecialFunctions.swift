import Foundation

/// The special functions under every distribution in RestoraStats. Accuracy measured against scipy/R is in
/// docs/statistics.md ("Special functions"). Out-of-domain arguments return NaN; analyses validate first.
public enum SpecialFunctions {
    /// log Γ(x) for x > 0 (log |Γ(x)| elsewhere), from the platform libm (correctly rounded to ~1 ulp).
    public static func logGamma(_ x: Double) -> Double {
        lgamma(x)
    }

    /// log B(a, b).
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// Lower regularized incomplete gamma P(a, x).
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        IncompleteGamma.pair(a, x).lower
    }

    /// Upper regularized incomplete gamma Q(a, x) = 1 − P(a, x), computed directly in its tail.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        IncompleteGamma.pair(a, x).upper
    }

    /// Regularized incomplete beta I_x(a, b).
    public static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        IncompleteBeta.pair(x: x, y: 1 - x, a: a, b: b).lower
    }

    /// 1 − I_x(a, b), computed directly (accurate when I_x(a, b) is close to 1).
    public static func regularizedBetaComplement(_ x: Double, _ a: Double, _ b: Double) -> Double {
        IncompleteBeta.pair(x: x, y: 1 - x, a: a, b: b).upper
    }

    /// x such that I_x(a, b) = p.
    public static func inverseRegularizedBeta(_ p: Double, _ a: Double, _ b: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        return IncompleteBeta.inverse(p: p, q: 1 - p, a: a, b: b)
    }

    /// x such that P(a, x) = p.
    public static func inverseRegularizedGammaP(_ p: Double, _ a: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        return GammaInverse.inverse(p: p, q: 1 - p, a: a)
    }
}

/// Inversion of the regularized gamma function on the smaller tail.
enum GammaInverse {
    static func inverse(p: Double, q: Double, a: Double) -> Double {
        guard a > 0, !p.isNaN, !q.isNaN else { return .nan }
        if p == 0 { return 0 }
        if q == 0 { return .infinity }
        // Wilson–Hilferty start: chi-square with 2a degrees of freedom, halved.
        let z = Normal.quantile(p)
        let k = 2 * a
        let c = 2 / (9 * k)
        var guess = k * pow(max(1 - c + z * c.squareRoot(), 1e-3), 3) / 2
        if a < 1, p < 0.5 { guess = pow(p * exp(lgamma(a + 1)), 1 / a) } // P(a, x) ≈ x^a / Γ(a+1) near 0
        if !(guess > 0) || !guess.isFinite { guess = a }
        let density = { (x: Double) -> Double in exp((a - 1) * log(x) - x - lgamma(a)) }
        if p <= q {
            return RootSolver.increasingRoot(lo: 0, hi: .infinity, guess: guess) { x in
                (IncompleteGamma.pair(a, x).lower - p, density(x))
            }
        }
        return RootSolver.increasingRoot(lo: 0, hi: .infinity, guess: guess) { x in
            (q - IncompleteGamma.pair(a, x).upper, density(x))
        }
    }
}
