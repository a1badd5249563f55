import Foundation

/// Harrell's concordance of a risk score with survival, counted as R's `concordance()` does for coxph:
/// a pair is comparable when the shorter time is an event (a censoring at the same time counts as
/// later); ties in the risk score count one half; pairs tied on an event time are not comparable.
/// O(n log n) with a Fenwick tree over risk ranks instead of the O(n²) pair loop.
enum CoxConcordance {
    /// - Parameters: times in descending order, with matching events and risk scores.
    static func harrell(times: [Double], events: [Bool], risk: [Double]) -> Double? {
        let n = times.count
        let distinct = Array(Set(risk)).sorted()
        let rank = risk.map { value -> Int in
            var lo = 0, hi = distinct.count
            while lo < hi { let mid = (lo + hi) / 2; if distinct[mid] < value { lo = mid + 1 } else { hi = mid } }
            return lo + 1
        }
        var tree = [Int](repeating: 0, count: distinct.count + 1)
        func add(_ r: Int) { var i = r; while i < tree.count { tree[i] += 1; i += i & -i } }
        func countAtMost(_ r: Int) -> Int { var i = r, s = 0; while i > 0 { s += tree[i]; i -= i & -i }; return s }
        var inserted = 0
        var concordant = 0.0, discordant = 0.0, tied = 0.0
        var i = 0
        while i < n {
            var j = i
            while j < n, times[j] == times[i] { j += 1 }
            for m in i..<j where !events[m] { add(rank[m]); inserted += 1 }
            for m in i..<j where events[m] {
                let below = countAtMost(rank[m] - 1)
                let atOrBelow = countAtMost(rank[m])
                concordant += Double(below)
                tied += Double(atOrBelow - below)
                discordant += Double(inserted - atOrBelow)
            }
            for m in i..<j where events[m] { add(rank[m]); inserted += 1 }
            i = j
        }
        let total = concordant + discordant + tied
        return total > 0 ? (concordant + tied / 2) / total : nil
    }
}
