import Foundation

/// Exact binomial test of H₀: p = p₀, as R's binom.test (p-value, estimate, Clopper–Pearson interval).
public struct BinomialTestResult: Sendable, Equatable, Codable {
    public let successes: Int
    public let trials: Int
    public let nullProportion: Double
    public let alternative: Alternative
    public let estimate: Double
    public let pValue: Double
    /// Clopper–Pearson interval matching the alternative (one-sided intervals for one-sided tests).
    public let interval: ConfidenceInterval
}

public enum BinomialTest {
    /// Relative tolerance R uses when deciding which outcomes are "no more likely" than the observed one.
    static let relativeError = 1 + 1e-7

    public static func test(
        successes: Int, trials: Int, nullProportion p: Double = 0.5,
        alternative: Alternative = .twoSided, confidence: Double = 0.95
    ) throws -> BinomialTestResult {
        try Validate.successes(successes, trials: trials)
        try Validate.probability(p, "null proportion")
        try Validate.confidence(confidence)
        let x = successes, n = trials
        let pValue: Double
        switch alternative {
        case .less: pValue = Binomial.cdf(x, n: n, p: p)
        case .greater: pValue = Binomial.sf(x - 1, n: n, p: p)
        case .twoSided: pValue = twoSidedPValue(x: x, n: n, p: p)
        }
        let alpha = 1 - confidence
        let interval: ConfidenceInterval
        switch alternative {
        case .less:
            interval = ConfidenceInterval(lower: 0, upper: Proportion.clopperPearson(successes: x, trials: n, alpha: alpha).1, level: confidence)
        case .greater:
            interval = ConfidenceInterval(lower: Proportion.clopperPearson(successes: x, trials: n, alpha: alpha).0, upper: 1, level: confidence)
        case .twoSided:
            let b = Proportion.clopperPearson(successes: x, trials: n, alpha: alpha / 2)
            interval = ConfidenceInterval(lower: b.0, upper: b.1, level: confidence)
        }
        return BinomialTestResult(
            successes: x, trials: n, nullProportion: p, alternative: alternative,
            estimate: Double(x) / Double(n), pValue: min(1, pValue), interval: interval)
    }

    /// Sum of P(X = i) over outcomes with P(X = i) ≤ P(X = x)·(1 + 1e-7). The pmf is unimodal, so the
    /// count on the far side of the mode is found by bisection instead of R's linear scan.
    static func twoSidedPValue(x: Int, n: Int, p: Double) -> Double {
        if p == 0 { return x == 0 ? 1 : 0 }
        if p == 1 { return x == n ? 1 : 0 }
        let d = Binomial.pmf(x, n: n, p: p) * relativeError
        let m = Double(n) * p
        if Double(x) == m { return 1 }
        if Double(x) < m {
            // Far side: i in ceil(m)…n, pmf decreasing; y = number of i with pmf(i) ≤ d.
            let first = firstIndex(in: Int(m.rounded(.up))...n, decreasing: true) { Binomial.pmf($0, n: n, p: p) <= d }
            let y = n - first + 1
            return Binomial.cdf(x, n: n, p: p) + Binomial.sf(n - y, n: n, p: p)
        }
        // Far side: i in 0…floor(m), pmf increasing; y = number of i with pmf(i) ≤ d.
        let firstAbove = firstIndex(in: 0...Int(m.rounded(.down)), decreasing: false) { Binomial.pmf($0, n: n, p: p) > d }
        let y = firstAbove
        return Binomial.cdf(y - 1, n: n, p: p) + Binomial.sf(x - 1, n: n, p: p)
    }

    /// First index in `range` where the monotone predicate becomes true (range.upperBound + 1 if never).
    static func firstIndex(in range: ClosedRange<Int>, decreasing _: Bool, _ predicate: (Int) -> Bool) -> Int {
        var lo = range.lowerBound, hi = range.upperBound + 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if predicate(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
