import Foundation

/// The noncentral t distribution (needed by power.t.test-style power). Port of R's pnt: Lenth's AS 243 with
/// Guenther's twin series, error bound 1e-12, and the Abramowitz–Stegun 26.7.10 normal approximation when
/// df > 4e5 or the noncentrality is extreme.
public enum NoncentralT {
    public static func cdf(_ t: Double, df: Double, ncp: Double) -> Double {
        value(t, df: df, ncp: ncp, lowerTail: true)
    }

    public static func sf(_ t: Double, df: Double, ncp: Double) -> Double {
        value(t, df: df, ncp: ncp, lowerTail: false)
    }

    static func value(_ t: Double, df: Double, ncp: Double, lowerTail: Bool) -> Double {
        guard !t.isNaN, !ncp.isNaN, df > 0 else { return .nan }
        if ncp == 0 { return lowerTail ? StudentT.cdf(t, df: df) : StudentT.sf(t, df: df) }
        if t.isInfinite { return (t < 0) == lowerTail ? 0 : 1 }
        let negdel: Bool, tt: Double, del: Double
        if t >= 0 {
            negdel = false; tt = t; del = ncp
        } else {
            if ncp > 40, !lowerTail { return 1 } // pt(t, ncp) ≤ Φ(−ncp) ≈ 0
            if ncp > 40 { return 0 }
            negdel = true; tt = -t; del = -ncp
        }
        let lower = lowerTail != negdel
        if df > 4e5 || del * del > 2 * M_LN2 * 1021 {
            let s = 1 / (4 * df)
            let z = (tt * (1 - s) - del) / (1 + tt * tt * 2 * s).squareRoot()
            return lower ? Normal.cdf(z) : Normal.sf(z)
        }
        var tnc = 0.0
        let x = t * t / (t * t + df)
        if x > 0 {
            let lambda = del * del
            var p = 0.5 * exp(-0.5 * lambda)
            if p == 0 { return lower ? 0 : 1 }
            var q = (2 / Double.pi).squareRoot() * p * del
            var s = 0.5 - p
            if s < 1e-7 { s = -0.5 * expm1(-0.5 * lambda) }
            var a = 0.5
            let b = 0.5 * df
            let rxb = pow(df / (t * t + df), b)
            let albeta = 0.5 * log(Double.pi) + lgamma(b) - lgamma(0.5 + b)
            var xodd = IncompleteBeta.pair(x: x, y: df / (t * t + df), a: a, b: b).lower
            var godd = 2 * rxb * exp(a * log(x) - albeta)
            let bx = b * x
            var xeven = bx < Double.ulpOfOne ? bx : 1 - rxb // 1 − (1−x)^b, accurately when t² ≪ df
            var geven = bx * rxb
            tnc = p * xodd + q * xeven
            var it = 1.0
            while it <= 1000 {
                a += 1
                xodd -= godd
                xeven -= geven
                godd *= x * (a + b - 1) / a
                geven *= x * (a + b - 0.5) / (a + 0.5)
                p *= lambda / (2 * it)
                q *= lambda / (2 * it + 1)
                tnc += p * xodd + q * xeven
                s -= p
                if s < -1e-10 { break }
                if s <= 0, it > 1 { break }
                let errbd = 2 * s * (xodd - godd)
                if abs(errbd) < 1e-12 { break }
                it += 1
            }
        }
        tnc += Normal.cdf(-del)
        let clamped = min(tnc, 1)
        return lower ? clamped : 1 - clamped
    }
}
