import Foundation

/// Result of a t-test, with the fields of R's t.test.
public struct TTestResult: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case oneSample = "one-sample", paired, welch, student }
    public let kind: Kind
    public let alternative: Alternative
    public let statistic: Double
    public let degreesOfFreedom: Double
    public let pValue: Double
    /// Mean (one-sample), mean difference (paired) or difference of means x̄ − ȳ (two-sample).
    public let estimate: Double
    public let standardError: Double
    /// Interval for `estimate`; one-sided alternatives give an infinite end.
    public let interval: ConfidenceInterval
    public let nullValue: Double
}

/// One-sample, paired, Welch and pooled (Student) t-tests exactly as R's t.test.
public enum TTest {
    public static func oneSample(
        _ x: [Double], mu: Double = 0, alternative: Alternative = .twoSided, confidence: Double = 0.95
    ) throws -> TTestResult {
        try SampleCheck.values(x, "x", minimum: 2)
        try Validate.finite(mu, "mu")
        try Validate.confidence(confidence)
        let s = SampleSummary(x)
        let se = (s.variance / Double(s.count)).squareRoot()
        try SampleCheck.notConstant(se: se, mean: s.mean, field: "x")
        return finish(.oneSample, estimate: s.mean, se: se, df: Double(s.count - 1), mu: mu,
                      alternative: alternative, confidence: confidence)
    }

    /// Paired test on the differences x − y (R: t.test(x, y, paired = TRUE)).
    public static func paired(
        _ x: [Double], _ y: [Double], mu: Double = 0, alternative: Alternative = .twoSided, confidence: Double = 0.95
    ) throws -> TTestResult {
        guard x.count == y.count else {
            throw StatsError.invalidInput(field: "y", message: "paired samples must have equal length (x has \(x.count), y has \(y.count))")
        }
        try SampleCheck.values(x, "x", minimum: 2)
        try SampleCheck.values(y, "y", minimum: 2)
        let d = zip(x, y).map { $0 - $1 }
        let r = try oneSample(d, mu: mu, alternative: alternative, confidence: confidence)
        return TTestResult(kind: .paired, alternative: r.alternative, statistic: r.statistic,
                           degreesOfFreedom: r.degreesOfFreedom, pValue: r.pValue, estimate: r.estimate,
                           standardError: r.standardError, interval: r.interval, nullValue: mu)
    }

    /// Two independent samples: Welch (default) or pooled-variance Student test for x̄ − ȳ.
    public static func twoSample(
        _ x: [Double], _ y: [Double], mu: Double = 0, equalVariances: Bool = false,
        alternative: Alternative = .twoSided, confidence: Double = 0.95
    ) throws -> TTestResult {
        try SampleCheck.values(x, "x", minimum: equalVariances ? 1 : 2)
        try SampleCheck.values(y, "y", minimum: equalVariances ? 1 : 2)
        try Validate.finite(mu, "mu")
        try Validate.confidence(confidence)
        let sx = SampleSummary(x), sy = SampleSummary(y)
        let nx = Double(sx.count), ny = Double(sy.count)
        let se: Double, df: Double
        if equalVariances {
            df = nx + ny - 2
            guard df > 0 else { throw StatsError.insufficientData("x and y: the pooled t-test needs at least 3 observations in total") }
            var v = 0.0
            if sx.count > 1 { v += (nx - 1) * sx.variance }
            if sy.count > 1 { v += (ny - 1) * sy.variance }
            v /= df
            se = (v * (1 / nx + 1 / ny)).squareRoot()
        } else {
            let ex = sx.variance / nx, ey = sy.variance / ny
            se = (ex + ey).squareRoot()
            df = (ex + ey) * (ex + ey) / (ex * ex / (nx - 1) + ey * ey / (ny - 1))
        }
        try SampleCheck.notConstant(se: se, mean: max(abs(sx.mean), abs(sy.mean)), field: "x and y")
        return finish(equalVariances ? .student : .welch, estimate: sx.mean - sy.mean, se: se, df: df, mu: mu,
                      alternative: alternative, confidence: confidence)
    }

    static func finish(
        _ kind: TTestResult.Kind, estimate: Double, se: Double, df: Double, mu: Double,
        alternative: Alternative, confidence: Double
    ) -> TTestResult {
        let t = (estimate - mu) / se
        let p: Double
        let bounds: (Double, Double)
        switch alternative {
        case .less:
            p = StudentT.cdf(t, df: df)
            bounds = (-.infinity, t + StudentT.quantile(confidence, df: df))
        case .greater:
            p = StudentT.sf(t, df: df)
            bounds = (t - StudentT.quantile(confidence, df: df), .infinity)
        case .twoSided:
            p = min(1, 2 * StudentT.cdf(-abs(t), df: df))
            let q = StudentT.quantile(1 - (1 - confidence) / 2, df: df)
            bounds = (t - q, t + q)
        }
        return TTestResult(
            kind: kind, alternative: alternative, statistic: t, degreesOfFreedom: df, pValue: p,
            estimate: estimate, standardError: se,
            interval: ConfidenceInterval(lower: mu + bounds.0 * se, upper: mu + bounds.1 * se, level: confidence),
            nullValue: mu)
    }
}
