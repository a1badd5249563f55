import Foundation

/// Profile (penalized) likelihood confidence limits and likelihood-ratio tests for one coefficient:
/// the limits are the two values b where 2·(ℓ(β̂) − max ℓ(β | β_j = b)) equals the χ²₁ quantile,
/// found by a safeguarded Newton iteration (the slope is −2·score_j at the restricted fit).
struct ProfileLikelihood: Sendable {
    let newton: LogisticNewton
    let full: LogisticNewton.Result

    /// 2·(ℓ̂ − ℓ_j(b)) and its derivative in b; the restricted fit is warm-started from `start`.
    func deviance(index j: Int, at b: Double, start: inout [Double]) -> (value: Double, slope: Double)? {
        var beta = start
        beta[j] = b
        // Far out on the profile, Fisher scoring on the penalized likelihood converges only linearly,
        // so restricted fits get a generous iteration budget.
        var restrictedNewton = newton
        restrictedNewton.maximumIterations = 5000
        guard let restricted = restrictedNewton.fit(start: beta, fixed: [j]), restricted.converged else { return nil }
        start = restricted.beta
        return (2 * (full.evaluation.objective - restricted.evaluation.objective), -2 * restricted.evaluation.score[j])
    }

    /// Likelihood-ratio statistic for β_j = 0.
    func testStatistic(index j: Int) -> Double? {
        var start = full.beta
        return deviance(index: j, at: 0, start: &start).map { max($0.value, 0) }
    }

    func interval(index j: Int, standardError se: Double, level: Double, name: String) throws -> (Double, Double) {
        let target = ChiSquared.quantile(level, df: 1)
        let centre = full.beta[j]
        var limits: [Double] = []
        for side in [-1.0, 1.0] {
            var start = full.beta
            var inner = centre
            var step = max(se, 1e-3)
            var outer = centre + side * step
            var value: (value: Double, slope: Double)?
            var doublings = 0
            // Bracket: walk outward until the profile deviance passes the target.
            while true {
                value = deviance(index: j, at: outer, start: &start)
                guard let v = value else {
                    throw StatsError.didNotConverge("profile likelihood for '\(name)' at \(outer)")
                }
                if v.value >= target { break }
                inner = outer
                step *= 2
                outer = centre + side * step
                doublings += 1
                if doublings > 60 {
                    throw StatsError.didNotConverge(
                        "profile likelihood for '\(name)' never reaches the \(level) level on the \(side < 0 ? "lower" : "upper") side")
                }
            }
            // Safeguarded Newton inside [inner, outer] (ordered along `side`).
            var x = outer
            var fx = value!.value - target
            var slope = value!.slope
            for _ in 0..<200 {
                var next = x - fx / slope
                let lo = min(inner, outer), hi = max(inner, outer)
                if !(slope != 0) || !next.isFinite || next <= lo || next >= hi { next = (inner + outer) / 2 }
                guard let v = deviance(index: j, at: next, start: &start) else {
                    throw StatsError.didNotConverge("profile likelihood for '\(name)' at \(next)")
                }
                let fnext = v.value - target
                if fnext >= 0 { outer = next } else { inner = next }
                let done = abs(next - x) <= 1e-12 * max(1, abs(next)) || fnext == 0
                x = next; fx = fnext; slope = v.slope
                if done || abs(outer - inner) <= 1e-12 * max(1, abs(x)) { break }
            }
            limits.append(x)
        }
        return (limits[0], limits[1])
    }
}
