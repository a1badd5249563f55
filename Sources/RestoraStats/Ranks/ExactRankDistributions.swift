/// Null distributions of the rank statistics without ties, by counting (as R's dsignrank / dwilcox).
/// Counts are kept as Doubles: at the exact-test limits (n < 50) they stay below 2^53·… with relative
/// rounding ~1e-16, and every step is an addition of non-negative numbers, so nothing cancels.
enum ExactRankDistributions {
    /// P(V ≤ q) for the signed-rank statistic V with n non-zero differences (R's psignrank).
    static func signedRankCDF(_ q: Double, n: Int) -> Double {
        let counts = signedRankCounts(n)
        let total = counts.reduce(0, +)
        let limit = Int(q.rounded(.down))
        if limit < 0 { return 0 }
        if limit >= counts.count - 1 { return 1 }
        // Sum the smaller tail for accuracy.
        let lower = counts[0...limit].reduce(0, +)
        return lower / total
    }

    /// Number of subsets of {1…n} with each sum s = 0 … n(n+1)/2.
    static func signedRankCounts(_ n: Int) -> [Double] {
        let maxSum = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: maxSum + 1)
        counts[0] = 1
        var reach = 0
        if n > 0 {
            for k in 1...n {
                reach += k
                for s in stride(from: reach, through: k, by: -1) { counts[s] += counts[s - k] }
            }
        }
        return counts
    }

    /// P(W ≤ q) for the Mann–Whitney statistic W = rank sum of x − m(m+1)/2 (R's pwilcox).
    static func rankSumCDF(_ q: Double, m: Int, n: Int) -> Double {
        let counts = rankSumCounts(m: m, n: n)
        let total = counts.reduce(0, +)
        let limit = Int(q.rounded(.down))
        if limit < 0 { return 0 }
        if limit >= counts.count - 1 { return 1 }
        return counts[0...limit].reduce(0, +) / total
    }

    /// Quantile for p ≤ 0.5 as R's qsignrank / qwilcox: smallest q with P(≤ q) ≥ p − 10ε.
    static func quantile(_ p: Double, counts: [Double]) -> Int {
        let total = counts.reduce(0, +)
        var cumulative = 0.0
        for (q, c) in counts.enumerated() {
            cumulative += c / total
            if cumulative >= p - 10 * Double.ulpOfOne { return q }
        }
        return counts.count - 1
    }

    /// Number of m-subsets of ranks {1…m+n} for each value of W = (rank sum) − m(m+1)/2, W = 0 … m·n.
    static func rankSumCounts(m: Int, n: Int) -> [Double] {
        // f[j][u]: ways to choose j of the ranks seen so far with "U contribution" u; adding rank k to a
        // set as its j-th (largest) element contributes k − j to W.
        let maxU = m * n
        var f = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: m + 1)
        f[0][0] = 1
        if m + n > 0 {
            for k in 1...(m + n) {
                for j in stride(from: min(m, k), through: 1, by: -1) {
                    let shift = k - j
                    if shift > maxU { continue }
                    for u in stride(from: maxU, through: shift, by: -1) where f[j - 1][u - shift] != 0 {
                        f[j][u] += f[j - 1][u - shift]
                    }
                }
            }
        }
        return f[m]
    }
}
