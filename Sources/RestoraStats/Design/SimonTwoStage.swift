import Foundation

/// One Simon two-stage design: enrol n1; stop for futility if ≤ r1 responses; otherwise enrol to n and
/// declare the treatment promising if > r responses in total.
public struct SimonDesign: Sendable, Equatable, Codable {
    public let r1: Int
    public let n1: Int
    public let r: Int
    public let n: Int
    /// Expected sample size and probability of early termination under p0.
    public let expectedSizeNull: Double
    public let earlyStopNull: Double
    /// Actual type I error (at p0) and power (at p1).
    public let alpha: Double
    public let power: Double
}

public struct SimonResult: Sendable, Equatable, Codable {
    /// Minimises the expected sample size under p0.
    public let optimal: SimonDesign
    /// Minimises the maximum sample size n (ties broken by expected size under p0).
    public let minimax: SimonDesign
}

/// Simon's (1989) optimal and minimax two-stage designs by exhaustive search over n ≤ nmax, n1 < n,
/// r1 < n1 and the smallest r meeting alpha (as clinfun::ph2simon).
public enum SimonTwoStage {
    public static let maximumN = 500

    public static func design(p0: Double, p1: Double, alpha: Double = 0.05, beta: Double = 0.2, nmax: Int = 100) throws -> SimonResult {
        try Validate.probability(p0, "p0", open: true)
        try Validate.probability(p1, "p1", open: true)
        guard p1 > p0 else { throw StatsError.invalidInput(field: "p1", message: "must exceed p0 (\(p0)), got \(p1)") }
        try Validate.probability(alpha, "alpha", open: true)
        try Validate.probability(beta, "beta", open: true)
        guard nmax >= 2, nmax <= maximumN else {
            throw StatsError.invalidInput(field: "nmax", message: "must be between 2 and \(maximumN), got \(nmax)")
        }
        let null = BinomialTables(p: p0, nmax: nmax), alt = BinomialTables(p: p1, nmax: nmax)
        var optimal: SimonDesign?, minimax: SimonDesign?
        for n in 2...nmax {
            for n1 in 1..<n {
                let n2 = n - n1
                for r1 in 0..<n1 {
                    // Power can only fall as r1 grows: once P(stop | p1) > β no larger r1 works.
                    if alt.cdf(n1, r1) > beta { break }
                    // Smallest r ≥ r1 with type I error ≤ alpha (the error decreases in r).
                    var lo = r1, hi = n
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if rejectProbability(null, n1: n1, n2: n2, r1: r1, r: mid) <= alpha { hi = mid } else { lo = mid + 1 }
                    }
                    let r = lo
                    let typeOne = rejectProbability(null, n1: n1, n2: n2, r1: r1, r: r)
                    guard typeOne <= alpha else { continue }
                    let power = rejectProbability(alt, n1: n1, n2: n2, r1: r1, r: r)
                    guard power >= 1 - beta else { continue }
                    let pet = null.cdf(n1, r1)
                    let design = SimonDesign(
                        r1: r1, n1: n1, r: r, n: n, expectedSizeNull: Double(n1) + (1 - pet) * Double(n2),
                        earlyStopNull: pet, alpha: typeOne, power: power)
                    if optimal.map({ design.expectedSizeNull < $0.expectedSizeNull - 1e-12 }) ?? true { optimal = design }
                    if minimax.map({ design.n < $0.n || (design.n == $0.n && design.expectedSizeNull < $0.expectedSizeNull - 1e-12) }) ?? true {
                        minimax = design
                    }
                }
            }
        }
        guard let optimal, let minimax else {
            throw StatsError.invalidInput(field: "nmax", message: "no design with n ≤ \(nmax) meets alpha = \(alpha) and beta = \(beta); raise nmax")
        }
        return SimonResult(optimal: optimal, minimax: minimax)
    }

    /// P(X1 > r1 and X1 + X2 > r) for X1 ~ Bin(n1, p), X2 ~ Bin(n2, p).
    static func rejectProbability(_ t: BinomialTables, n1: Int, n2: Int, r1: Int, r: Int) -> Double {
        var total = 0.0
        for x1 in (r1 + 1)...n1 { total += t.pmf(n1, x1) * t.sf(n2, r - x1) }
        return total
    }
}

/// pmf, cdf and sf of Bin(m, p) for every m ≤ nmax, tabulated once per search.
struct BinomialTables: Sendable {
    let pmfs: [[Double]]
    let cdfs: [[Double]]
    let sfs: [[Double]] // sfs[m][k] = P(X > k), summed from the upper end so small tails keep their digits

    init(p: Double, nmax: Int) {
        var pmfs: [[Double]] = [], cdfs: [[Double]] = []
        for m in 0...nmax {
            let pmf = (0...m).map { Binomial.pmf($0, n: m, p: p) }
            var running = 0.0
            pmfs.append(pmf)
            cdfs.append(pmf.map { running += $0; return running })
        }
        self.pmfs = pmfs
        self.cdfs = cdfs
        sfs = pmfs.map { pmf in
            var upper = [Double](repeating: 0, count: pmf.count)
            var running = 0.0
            for k in stride(from: pmf.count - 1, through: 0, by: -1) {
                upper[k] = running // P(X > k)
                running += pmf[k]
            }
            return upper
        }
    }

    func pmf(_ m: Int, _ k: Int) -> Double { k < 0 || k > m ? 0 : pmfs[m][k] }
    /// P(X ≤ k).
    func cdf(_ m: Int, _ k: Int) -> Double { k < 0 ? 0 : (k >= m ? 1 : cdfs[m][k]) }
    /// P(X > k).
    func sf(_ m: Int, _ k: Int) -> Double {
        if k < 0 { return 1 }
        if k >= m { return 0 }
        return sfs[m][k]
    }
}
