import Foundation

/// Catherine Loader's saddle-point terms ("Fast and accurate computation of binomial probabilities", 2000),
/// the same construction R's dbinom/dhyper/dpois use. They keep binomial, Poisson, beta and gamma densities
/// accurate to a few ulps even for counts in the millions, where exp(lgamma − lgamma − lgamma) loses digits.
enum LoaderTerms {
    static let logSqrt2Pi = 0.918_938_533_204_672_741_780_329_736_406 // log(sqrt(2π))
    static let log2Pi = 1.837_877_066_409_345_483_560_659_472_811

    /// stirlerr(n) = log(n!) − log(sqrt(2πn) (n/e)^n), the error of Stirling's formula.
    /// stirlerr at 0, ½, 1, …, 15 (R keeps the same table): the exact-test and interval code calls it with
    /// small integer counts millions of times, and a lookup replaces an lgamma and a log.
    static let halfIntegerTable: [Double] = (0...30).map { k in
        let n = Double(k) / 2
        return k == 0 ? 0 : lgamma(n + 1) - (n + 0.5) * log(n) + n - logSqrt2Pi
    }

    static func stirlerr(_ n: Double) -> Double {
        if n <= 15 {
            let twice = n + n
            if twice == twice.rounded(), twice >= 1 { return halfIntegerTable[Int(twice)] }
            // Small n: direct formula; lgamma is accurate to ~1 ulp of a quantity of order 30, so the absolute
            // error stays near 1e-14 (documented in docs/statistics.md).
            return lgamma(n + 1) - (n + 0.5) * log(n) + n - logSqrt2Pi
        }
        let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
        let nn = n * n
        if n > 500 { return (s0 - s1 / nn) / n }
        if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }

    /// bd0(x, np) = x log(x/np) + np − x, computed without cancellation when x ≈ np.
    static func bd0(_ x: Double, _ np: Double) -> Double {
        if abs(x - np) < 0.1 * (x + np) {
            var v = (x - np) / (x + np)
            var s = (x - np) * v
            var ej = 2 * x * v
            v *= v
            var j = 1.0
            while j < 1000 {
                ej *= v
                let s1 = s + ej / (2 * j + 1)
                if s1 == s { return s1 }
                s = s1
                j += 1
            }
            return s
        }
        return x * log(x / np) + np - x
    }

    /// Binomial density at (possibly non-integer) x for size n, success p, failure q = 1 − p, on the log scale.
    static func logDbinomRaw(_ x: Double, _ n: Double, _ p: Double, _ q: Double) -> Double {
        if p == 0 { return x == 0 ? 0 : -.infinity }
        if q == 0 { return x == n ? 0 : -.infinity }
        if x == 0 {
            if n == 0 { return 0 }
            return p < 0.1 ? -bd0(n, n * q) - n * p : n * log(q)
        }
        if x == n {
            return q < 0.1 ? -bd0(n, n * p) - n * q : n * log(p)
        }
        if x < 0 || x > n { return -.infinity }
        let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q)
        // log(2π x (n−x)/n); log1p(−x/n) would lose digits when x/n rounds near 1 (t with huge df).
        let lf = x > 0.5 * n ? log2Pi + log(x) + log(n - x) - log(n) : log2Pi + log(x) + log1p(-x / n)
        return lc - 0.5 * lf
    }

    /// Poisson density x^a e^−x / Γ(a+1) at real a ≥ 0 on the log scale.
    static func logDpoisRaw(_ a: Double, _ lambda: Double) -> Double {
        if lambda == 0 { return a == 0 ? 0 : -.infinity }
        if a == 0 { return -lambda }
        return -stirlerr(a) - bd0(a, lambda) - 0.5 * log(2 * Double.pi * a)
    }
}
