import Foundation

/// Observed, expected and hypergeometric variance of the log-rank statistic, accumulated one stratum
/// at a time over time-sorted data. One pass per stratum, O(k²) work per distinct event time only.
struct LogRankAccumulator: Sendable {
    let groups: Int
    var subjects: [Int]
    var observed: [Double]
    var expected: [Double]
    var variance: [Double]

    init(groups: Int) {
        self.groups = groups
        subjects = [Int](repeating: 0, count: groups)
        observed = [Double](repeating: 0, count: groups)
        expected = [Double](repeating: 0, count: groups)
        variance = [Double](repeating: 0, count: groups * groups)
    }

    mutating func add(times: [Double], events: [Bool], groups codes: [Int32]) {
        let k = groups
        var atRisk = [Int](repeating: 0, count: k)
        for g in codes { atRisk[Int(g)] += 1 }
        for g in 0..<k { subjects[g] += atRisk[g] }
        var deaths = [Int](repeating: 0, count: k)
        var leaving = [Int](repeating: 0, count: k)
        var total = times.count
        let n = times.count
        times.withUnsafeBufferPointer { t in
            events.withUnsafeBufferPointer { e in
                codes.withUnsafeBufferPointer { c in
                    var i = 0
                    while i < n {
                        let time = t[i]
                        var d = 0
                        var j = i
                        while j < n, t[j] == time {
                            let g = Int(c[j])
                            leaving[g] += 1
                            if e[j] { deaths[g] += 1; d += 1 }
                            j += 1
                        }
                        if d > 0 { accumulate(deaths: deaths, total: total, d: d, atRisk: atRisk) }
                        for g in 0..<k {
                            atRisk[g] -= leaving[g]
                            leaving[g] = 0
                            deaths[g] = 0
                        }
                        total -= j - i
                        i = j
                    }
                }
            }
        }
    }

    /// The same accumulation from per-time counts.
    mutating func add(table: GroupedEventTable) {
        let k = groups
        var atRisk = table.subjects
        for g in 0..<k { subjects[g] += atRisk[g] }
        var total = atRisk.reduce(0, +)
        var deaths = [Int](repeating: 0, count: k)
        for row in table.times.indices {
            var d = 0
            var leaving = 0
            for g in 0..<k {
                let e = Int(table.events[row * k + g])
                deaths[g] = e
                d += e
                leaving += e + Int(table.censored[row * k + g])
            }
            if d > 0 { accumulate(deaths: deaths, total: total, d: d, atRisk: atRisk) }
            for g in 0..<k { atRisk[g] -= Int(table.events[row * k + g] + table.censored[row * k + g]) }
            total -= leaving
        }
    }

    private mutating func accumulate(deaths: [Int], total: Int, d: Int, atRisk: [Int]) {
        let n = Double(total)
        let dd = Double(d)
        let k = groups
        for g in 0..<k {
            observed[g] += Double(deaths[g])
            expected[g] += dd * Double(atRisk[g]) / n
        }
        guard total > 1 else { return }
        let factor = dd * (n - dd) / (n * n * (n - 1))
        for g in 0..<k {
            let ng = Double(atRisk[g])
            for h in 0..<k {
                let nh = Double(atRisk[h])
                variance[g * k + h] += factor * ng * ((g == h ? n : 0) - nh)
            }
        }
    }

    /// As R's survdiff: keep groups with expected > 0, drop the first of them, solve V·x = O − E.
    func chiSquare() -> (Double, Int) {
        let kept = (0..<groups).filter { expected[$0] > 0 }
        guard kept.count >= 2 else { return (0, 0) }
        let used = Array(kept.dropFirst())
        var v = SymmetricMatrix(order: used.count)
        for (a, g) in used.enumerated() {
            for (b, h) in used.enumerated() { v[a, b] = variance[g * groups + h] }
        }
        let diff = used.map { observed[$0] - expected[$0] }
        guard let x = v.solve(diff) else { return (0, 0) }
        let chi = zip(x, diff).reduce(0) { $0 + $1.0 * $1.1 }
        return (chi, used.count)
    }
}
