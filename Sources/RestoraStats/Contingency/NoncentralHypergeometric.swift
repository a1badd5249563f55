import Foundation

/// Fisher's noncentral hypergeometric distribution of the (1,1) cell of a 2×2 table given its margins —
/// R's fisher.test internals (dnhyper, mnhyper, pnhyper) on the log-odds-ratio scale θ = log ψ, with the
/// roots found by safeguarded Newton to ~1e-15 instead of R's uniroot (tolerance 1.2e-4).
struct NoncentralHypergeometric: Sendable {
    let support: [Int]
    let logCentral: [Double] // log dhyper over the support
    let observed: Int
    var lo: Int { support[0] }
    var hi: Int { support[support.count - 1] }

    init(_ table: ContingencyTable) {
        let c = table.counts
        let m = c[0][0] + c[1][0] // first column total
        let n = c[0][1] + c[1][1] // second column total
        let k = c[0][0] + c[0][1] // first row total
        let range = Hypergeometric.support(white: m, black: n, draws: k)
        support = Array(range)
        logCentral = support.map { Hypergeometric.logPMF($0, white: m, black: n, draws: k) }
        observed = c[0][0]
    }

    /// Probabilities over the support for log odds ratio θ (normalised after subtracting the maximum).
    func density(logOddsRatio theta: Double) -> [Double] {
        let logs = zip(logCentral, support).map { $0 + theta * Double($1) }
        let top = logs.max() ?? 0
        let d = logs.map { exp($0 - top) }
        let sum = d.reduce(0, +)
        return d.map { $0 / sum }
    }

    /// Mean and variance of the (1,1) cell at θ (the variance is dμ/dθ, Newton's slope).
    func moments(_ theta: Double) -> (mean: Double, variance: Double) {
        let d = density(logOddsRatio: theta)
        var mean = 0.0
        for (p, s) in zip(d, support) { mean += p * Double(s) }
        var variance = 0.0
        for (p, s) in zip(d, support) { variance += p * (Double(s) - mean) * (Double(s) - mean) }
        return (mean, variance)
    }

    /// P(X ≤ q) at θ and its derivative in θ: P·(E[X | X ≤ q] − μ).
    func lowerTailWithSlope(_ q: Int, _ theta: Double) -> (Double, Double) {
        let d = density(logOddsRatio: theta)
        var tail = 0.0, firstMoment = 0.0, mean = 0.0
        for (p, s) in zip(d, support) {
            mean += p * Double(s)
            if s <= q { tail += p; firstMoment += p * Double(s) }
        }
        return (tail, firstMoment - tail * mean)
    }

    /// P(X ≥ q) at θ and its derivative in θ.
    func upperTailWithSlope(_ q: Int, _ theta: Double) -> (Double, Double) {
        let d = density(logOddsRatio: theta)
        var tail = 0.0, firstMoment = 0.0, mean = 0.0
        for (p, s) in zip(d, support) {
            mean += p * Double(s)
            if s >= q { tail += p; firstMoment += p * Double(s) }
        }
        return (tail, firstMoment - tail * mean)
    }

    func lowerTail(_ q: Int, logOddsRatio theta: Double) -> Double { lowerTailWithSlope(q, theta).0 }
    func upperTail(_ q: Int, logOddsRatio theta: Double) -> Double { upperTailWithSlope(q, theta).0 }

    /// R: sum(d[d <= d[x - lo + 1] * (1 + 1e-7)]) at odds ratio 1.
    func twoSidedPValue() -> Double {
        let d = density(logOddsRatio: 0)
        let threshold = d[observed - lo] * (1 + 1e-7)
        return d.filter { $0 <= threshold }.reduce(0, +)
    }

    /// Conditional MLE: solves E_ψ[X] = x; 0 and ∞ at the ends of the support.
    func conditionalMLE() -> Double {
        if observed == lo { return 0 }
        if observed == hi { return .infinity }
        let x = Double(observed)
        let theta = RootSolver.increasingRoot(lo: -.infinity, hi: .infinity, guess: 0, relativeTolerance: 1e-15) { t in
            let m = moments(t)
            return (m.mean - x, m.variance)
        }
        return exp(theta)
    }

    /// R's ncp.U: the ψ with P_ψ(X ≤ x) = alpha (P decreases in ψ).
    func upperLimit(alpha: Double) -> Double {
        if observed == hi { return .infinity }
        let theta = RootSolver.increasingRoot(lo: -.infinity, hi: .infinity, guess: 0, relativeTolerance: 1e-15) { t in
            let (p, slope) = lowerTailWithSlope(observed, t)
            return (alpha - p, -slope)
        }
        return exp(theta)
    }

    /// R's ncp.L: the ψ with P_ψ(X ≥ x) = alpha (P increases in ψ).
    func lowerLimit(alpha: Double) -> Double {
        if observed == lo { return 0 }
        let theta = RootSolver.increasingRoot(lo: -.infinity, hi: .infinity, guess: 0, relativeTolerance: 1e-15) { t in
            let (p, slope) = upperTailWithSlope(observed, t)
            return (p - alpha, slope)
        }
        return exp(theta)
    }
}
