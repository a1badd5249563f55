import Foundation

/// Mann–Whitney U / Wilcoxon rank-sum test of a location shift between x and y, as R's
/// wilcox.test(x, y): exact when both samples have fewer than 50 observations and there are no ties,
/// otherwise the normal approximation with tie-corrected variance and (by default) continuity correction.
public enum MannWhitney {
    public static func test(
        _ x: [Double], _ y: [Double], mu: Double = 0, alternative: Alternative = .twoSided,
        continuityCorrection: Bool = true, confidence: Double = 0.95
    ) throws -> RankTestResult {
        try SampleCheck.values(x, "x", minimum: 1)
        try SampleCheck.values(y, "y", minimum: 1)
        try Validate.finite(mu, "mu")
        try Validate.confidence(confidence)
        let m = x.count, n = y.count
        let ranking = Ranking(x.map { $0 - mu } + y)
        let rankSum = ranking.ranks[0..<m].reduce(0, +)
        let md = Double(m), nd = Double(n)
        let w = rankSum - md * (md + 1) / 2
        if m < 50, n < 50, !ranking.hasTies {
            let cdf = { (q: Double) in ExactRankDistributions.rankSumCDF(q, m: m, n: n) }
            let p: Double
            switch alternative {
            case .twoSided: p = min(1, 2 * (w > md * nd / 2 ? 1 - cdf(w - 1) : cdf(w)))
            case .greater: p = 1 - cdf(w - 1)
            case .less: p = cdf(w)
            }
            var differences: [Double] = []
            differences.reserveCapacity(m * n)
            for a in x { for b in y { differences.append(a - b) } }
            differences.sort()
            let counts = ExactRankDistributions.rankSumCounts(m: m, n: n)
            var qu = ExactRankDistributions.quantile((1 - confidence) / 2, counts: counts)
            if qu == 0 { qu = 1 }
            let ql = m * n - qu
            let achieved = 2 * ExactRankDistributions.rankSumCDF(Double(qu - 1), m: m, n: n)
            let level = WilcoxonSignedRank.achievedLevel(requested: confidence, achievedAlpha: achieved)
            let interval = ConfidenceInterval(lower: differences[qu - 1], upper: differences[ql], level: level)
            return RankTestResult(statistic: w, pValue: p, alternative: alternative, exact: true,
                                  continuityCorrection: false,
                                  hodgesLehmann: WilcoxonSignedRank.median(differences),
                                  interval: alternative == .twoSided ? interval : nil, count: m + n)
        }
        let z0 = w - md * nd / 2
        let total = md + nd
        let sigma = ((md * nd / 12) * ((total + 1) - ranking.tieCorrection / (total * (total - 1)))).squareRoot()
        let p = WilcoxonSignedRank.normalApproximation(z0: z0, sigma: sigma, alternative: alternative, correct: continuityCorrection)
        return RankTestResult(statistic: w, pValue: p, alternative: alternative, exact: false,
                              continuityCorrection: continuityCorrection, hodgesLehmann: nil, interval: nil, count: m + n)
    }
}
