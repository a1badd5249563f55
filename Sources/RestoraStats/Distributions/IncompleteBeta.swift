import Foundation

/// Regularized incomplete beta I_x(a, b) and its complement, each computed directly from x and y = 1 − x
/// (callers pass y exactly when they know it, e.g. t²/(ν+t²)), so neither tail suffers cancellation.
/// Lentz continued fraction on the side where it converges fast; Loader's prefactor for large a, b.
enum IncompleteBeta {
    static let epsilon = 1e-16
    static let tiny = 1e-300

    /// log(x^a y^b / B(a, b)).
    static func logPrefactor(_ x: Double, _ y: Double, _ a: Double, _ b: Double) -> Double {
        // x^a y^b / B(a,b) = dbinom(a; a+b, x) · a b / (a+b)
        LoaderTerms.logDbinomRaw(a, a + b, x, y) + log(a) + log(b) - log(a + b)
    }

    static func pair(x: Double, y: Double, a: Double, b: Double) -> (lower: Double, upper: Double) {
        let r = withDensity(x: x, y: y, a: a, b: b)
        return (r.lower, r.upper)
    }

    /// Both tails and the density from one prefactor evaluation (what each Newton step of the inverse needs).
    static func withDensity(x: Double, y: Double, a: Double, b: Double) -> (lower: Double, upper: Double, density: Double) {
        guard a > 0, b > 0, !x.isNaN, !y.isNaN else { return (.nan, .nan, .nan) }
        if x <= 0 { return (0, 1, density(x: x, y: y, a: a, b: b)) }
        if y <= 0 { return (1, 0, density(x: x, y: y, a: a, b: b)) }
        let front = logPrefactor(x, y, a, b)
        let density = exp(front - log(x) - log(y))
        if useDirectFraction(x: x, y: y, a: a, b: b) {
            let lower = exp(front + log(continuedFraction(x, a, b)) - log(a))
            return (lower, 1 - lower, density)
        }
        let upper = exp(front + log(continuedFraction(y, b, a)) - log(b))
        return (1 - upper, upper, density)
    }

    /// Which side's continued fraction to evaluate: Numerical Recipes' switch x < (a+1)/(a+b+2).
    /// Measured against mpmath, the fraction needs thousands of terms when one parameter is in the hundreds of
    /// thousands (Student t with df ≥ 1e5) and then carries up to ~4e-11 relative error; the other side would
    /// lose more to cancellation. Documented in docs/statistics.md.
    static func useDirectFraction(x: Double, y: Double, a: Double, b: Double) -> Bool {
        x < (a + 1) / (a + b + 2)
    }

    /// Density of Beta(a, b) at x (y = 1 − x).
    static func density(x: Double, y: Double, a: Double, b: Double) -> Double {
        if x <= 0 || y <= 0 {
            if x <= 0 { return a < 1 ? .infinity : (a == 1 ? b : 0) }
            return b < 1 ? .infinity : (b == 1 ? a : 0)
        }
        return exp(logPrefactor(x, y, a, b) - log(x) - log(y))
    }

    /// Modified Lentz evaluation of the continued fraction for I_x(a, b) (Numerical Recipes' betacf).
    static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        var m = 1.0
        while m < 1e6 {
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
            m += 1
        }
        return h
    }

    /// x with I_x(a, b) = p, solving on the smaller tail (target lower = p, or upper = q) for accuracy.
    static func inverse(p: Double, q: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, p >= 0, q >= 0, !p.isNaN, !q.isNaN else { return .nan }
        if p == 0 { return 0 }
        if q == 0 { return 1 }
        let guess = initialGuess(p: p, a: a, b: b)
        // f''/f' of the incomplete beta in x is the log-derivative of the density: (a−1)/x − (b−1)/(1−x).
        if p <= q {
            return RootSolver.increasingRoot(lo: 0, hi: 1, guess: guess) { x in
                let r = withDensity(x: x, y: 1 - x, a: a, b: b)
                return (r.lower - p, r.density, (a - 1) / x - (b - 1) / (1 - x))
            }
        }
        return RootSolver.increasingRoot(lo: 0, hi: 1, guess: guess) { x in
            let r = withDensity(x: x, y: 1 - x, a: a, b: b)
            return (q - r.upper, r.density, (a - 1) / x - (b - 1) / (1 - x))
        }
    }

    /// Starting point from Numerical Recipes' invbetai (normal approximation for a, b ≥ 1, power-law tails otherwise).
    static func initialGuess(p: Double, a: Double, b: Double) -> Double {
        var x: Double
        if a >= 1, b >= 1 {
            let pp = p < 0.5 ? p : 1 - p
            let t = (-2 * log(pp)).squareRoot()
            var z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t
            if p < 0.5 { z = -z }
            let al = (z * z - 3) / 6
            let h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
            let w = z * (al + h).squareRoot() / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5.0 / 6 - 2 / (3 * h))
            x = a / (a + b * exp(2 * w))
        } else {
            let lna = log(a / (a + b)), lnb = log(b / (a + b))
            let t = exp(a * lna) / a, u = exp(b * lnb) / b, w = t + u
            x = p < t / w ? pow(a * w * p, 1 / a) : 1 - pow(b * w * (1 - p), 1 / b)
        }
        return x.isFinite && x > 0 && x < 1 ? x : 0.5
    }
}
