import Foundation

/// Confidence-interval methods for one binomial proportion.
public enum ProportionIntervalMethod: String, Sendable, Codable, CaseIterable {
    /// Exact (Clopper–Pearson) interval from beta quantiles, as R's binom.test. Guaranteed coverage, conservative.
    case clopperPearson = "clopper-pearson"
    /// Wilson score interval without continuity correction (R's prop.test(correct = FALSE)).
    case wilson
    /// Wilson score interval with Yates' continuity correction, exactly as R's prop.test(correct = TRUE).
    case wilsonCorrected = "wilson-cc"
    /// Jeffreys interval: equal-tailed quantiles of Beta(x + ½, n − x + ½) (as statsmodels, no boundary adjustment).
    case jeffreys
    /// Agresti–Coull "add z²/2 successes and failures" Wald interval, clipped to [0, 1].
    case agrestiCoull = "agresti-coull"
}

/// One binomial proportion x / n with a confidence interval.
public struct ProportionEstimate: Sendable, Equatable, Codable {
    public let successes: Int
    public let trials: Int
    public let estimate: Double
    public let method: ProportionIntervalMethod
    public let interval: ConfidenceInterval
}

public enum Proportion {
    /// Estimate and two-sided interval for `successes` out of `trials`.
    /// - Parameter nullProportion: only used by `.wilsonCorrected`, which (as R's prop.test) shrinks the
    ///   continuity correction to |x − n p₀| when that is below ½; R's default p₀ is 0.5.
    public static func interval(
        successes: Int, trials: Int, method: ProportionIntervalMethod = .clopperPearson,
        confidence: Double = 0.95, nullProportion: Double = 0.5
    ) throws -> ProportionEstimate {
        try Validate.successes(successes, trials: trials)
        try Validate.confidence(confidence)
        try Validate.probability(nullProportion, "null proportion")
        let x = Double(successes), n = Double(trials)
        let alpha = 1 - confidence
        let z = Normal.quantile(1 - alpha / 2)
        let bounds: (Double, Double)
        switch method {
        case .clopperPearson:
            bounds = clopperPearson(successes: successes, trials: trials, alpha: alpha / 2)
        case .wilson:
            bounds = wilson(x: x, n: n, z: z, yates: 0)
        case .wilsonCorrected:
            bounds = wilson(x: x, n: n, z: z, yates: min(0.5, abs(x - n * nullProportion)))
        case .jeffreys:
            bounds = (BetaDistribution.quantile(alpha / 2, a: x + 0.5, b: n - x + 0.5),
                      BetaDistribution.quantile(1 - alpha / 2, a: x + 0.5, b: n - x + 0.5))
        case .agrestiCoull:
            let nTilde = n + z * z
            let pTilde = (x + z * z / 2) / nTilde
            let half = z * (pTilde * (1 - pTilde) / nTilde).squareRoot()
            bounds = (max(0, pTilde - half), min(1, pTilde + half))
        }
        return ProportionEstimate(
            successes: successes, trials: trials, estimate: x / n, method: method,
            interval: ConfidenceInterval(lower: bounds.0, upper: bounds.1, level: confidence))
    }

    /// Clopper–Pearson bounds with `alpha` in each tail (R's binom.test p.L / p.U).
    static func clopperPearson(successes x: Int, trials n: Int, alpha: Double) -> (Double, Double) {
        let lower = x == 0 ? 0 : BetaDistribution.quantile(alpha, a: Double(x), b: Double(n - x + 1))
        let upper = x == n ? 1 : BetaDistribution.quantile(1 - alpha, a: Double(x + 1), b: Double(n - x))
        return (lower, upper)
    }

    /// R's prop.test interval for one sample (the score interval with correction `yates`, 0 for none).
    static func wilson(x: Double, n: Double, z: Double, yates: Double) -> (Double, Double) {
        let estimate = x / n
        let z22n = z * z / (2 * n)
        var pc = estimate + yates / n
        let upper = pc >= 1 ? 1 : (pc + z22n + z * (pc * (1 - pc) / n + z22n / (2 * n)).squareRoot()) / (1 + 2 * z22n)
        pc = estimate - yates / n
        let lower = pc <= 0 ? 0 : (pc + z22n - z * (pc * (1 - pc) / n + z22n / (2 * n)).squareRoot()) / (1 + 2 * z22n)
        return (max(lower, 0), min(upper, 1))
    }
}
