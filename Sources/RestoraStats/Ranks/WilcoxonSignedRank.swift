import Foundation

/// Wilcoxon signed-rank test of the location of x − mu (or of paired differences), as R's wilcox.test:
/// exact when n < 50 with no ties and no zero differences, otherwise the normal approximation with the
/// tie-corrected variance and (by default) a continuity correction.
public enum WilcoxonSignedRank {
    public static func test(
        _ x: [Double], mu: Double = 0, alternative: Alternative = .twoSided,
        continuityCorrection: Bool = true, confidence: Double = 0.95
    ) throws -> RankTestResult {
        try SampleCheck.values(x, "x", minimum: 1)
        try Validate.finite(mu, "mu")
        try Validate.confidence(confidence)
        let shifted = x.map { $0 - mu }
        let nonZero = shifted.filter { $0 != 0 }
        let zeroes = nonZero.count != shifted.count
        let n = nonZero.count
        guard n > 0 else { throw StatsError.insufficientData("x: every difference equals mu, so there is nothing to rank") }
        let ranking = Ranking(nonZero.map { abs($0) })
        let v = zip(nonZero, ranking.ranks).reduce(0.0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        let nd = Double(n)
        if n < 50, !ranking.hasTies, !zeroes {
            let cdf = { (q: Double) in ExactRankDistributions.signedRankCDF(q, n: n) }
            let p: Double
            switch alternative {
            case .twoSided: p = min(1, 2 * (v > nd * (nd + 1) / 4 ? 1 - cdf(v - 1) : cdf(v)))
            case .greater: p = 1 - cdf(v - 1)
            case .less: p = cdf(v)
            }
            // Walsh averages (x_i + x_j)/2, i ≤ j, of the original data: median and order-statistic interval.
            var walsh: [Double] = []
            for i in 0..<x.count { for j in i..<x.count { walsh.append((x[i] + x[j]) / 2) } }
            walsh.sort()
            let counts = ExactRankDistributions.signedRankCounts(n)
            var qu = ExactRankDistributions.quantile((1 - confidence) / 2, counts: counts)
            if qu == 0 { qu = 1 }
            let ql = n * (n + 1) / 2 - qu
            let achieved = 2 * ExactRankDistributions.signedRankCDF(Double(qu - 1), n: n)
            let level = achievedLevel(requested: confidence, achievedAlpha: achieved)
            let interval = ConfidenceInterval(lower: walsh[qu - 1], upper: walsh[ql], level: level)
            return RankTestResult(statistic: v, pValue: p, alternative: alternative, exact: true,
                                  continuityCorrection: false, hodgesLehmann: median(walsh),
                                  interval: alternative == .twoSided ? interval : nil, count: n)
        }
        let z0 = v - nd * (nd + 1) / 4
        let sigma = (nd * (nd + 1) * (2 * nd + 1) / 24 - ranking.tieCorrection / 48).squareRoot()
        let p = normalApproximation(z0: z0, sigma: sigma, alternative: alternative, correct: continuityCorrection)
        return RankTestResult(statistic: v, pValue: p, alternative: alternative, exact: false,
                              continuityCorrection: continuityCorrection, hodgesLehmann: nil, interval: nil, count: n)
    }

    /// Paired version: the signed-rank test on x − y.
    public static func paired(
        _ x: [Double], _ y: [Double], mu: Double = 0, alternative: Alternative = .twoSided,
        continuityCorrection: Bool = true, confidence: Double = 0.95
    ) throws -> RankTestResult {
        guard x.count == y.count else {
            throw StatsError.invalidInput(field: "y", message: "paired samples must have equal length (x has \(x.count), y has \(y.count))")
        }
        try SampleCheck.values(y, "y", minimum: 1)
        return try test(zip(x, y).map { $0 - $1 }, mu: mu, alternative: alternative,
                        continuityCorrection: continuityCorrection, confidence: confidence)
    }

    /// R's normal approximation: z = (S − E − correction)/σ, correction = ±½ towards the null.
    static func normalApproximation(z0: Double, sigma: Double, alternative: Alternative, correct: Bool) -> Double {
        guard sigma > 0 else { return 1 }
        var correction = 0.0
        if correct {
            switch alternative {
            case .twoSided: correction = z0 > 0 ? 0.5 : (z0 < 0 ? -0.5 : 0)
            case .greater: correction = 0.5
            case .less: correction = -0.5
            }
        }
        let z = (z0 - correction) / sigma
        switch alternative {
        case .less: return Normal.cdf(z)
        case .greater: return Normal.sf(z)
        case .twoSided: return min(1, 2 * min(Normal.cdf(z), Normal.sf(z)))
        }
    }

    /// With few observations the discrete distribution cannot reach the requested level; like R, report the
    /// level actually achieved (1 − achieved α, two significant digits) when it falls short by more than α/2.
    static func achievedLevel(requested: Double, achievedAlpha: Double) -> Double {
        let alpha = 1 - requested
        guard achievedAlpha - alpha > alpha / 2, achievedAlpha > 0 else { return requested }
        let magnitude = pow(10, floor(log10(achievedAlpha)) - 1)
        return 1 - (achievedAlpha / magnitude).rounded(.toNearestOrEven) * magnitude // R: signif(, 2)
    }

    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
