import Foundation

/// Sums the probabilities of all tables with the observed margins whose probability does not exceed the
/// observed one. Columns are filled one at a time; a node is (column, remaining row totals). At each node
/// bounds on the best and worst completion decide whether every completion counts (add their total
/// probability in closed form), none does (prune), or the node must be expanded — the idea of Mehta and
/// Patel's network algorithm, with cheap bounds memoised per node.
struct RxCEnumerator {
    let columns: [Int]      // column totals, processed in this order
    let logFactorial: [Double]
    let logConstant: Double // Σ log r! + Σ log c! − log N!
    let threshold: Double   // −Σ log x! of the observed table, plus log(1 + 1e-7)
    let logObserved: Double
    let nodeLimit: Int
    let initialRows: [Int]
    var nodes = 0
    var sum = 0.0
    var bounds: [[Int]: (total: Double, best: Double, worst: Double)] = [:]
    var tails: [[Int]: Completions] = [:]
    /// The same caches keyed by the sorted row totals packed into one integer (radix N + 1) when that fits
    /// in 62 bits — array keys cost an allocation, a sort and a hash per node, most of the time on small tables.
    var packedBounds: [Int: (total: Double, best: Double, worst: Double)] = [:]
    var packedTails: [Int: Completions] = [:]
    let radix: Int
    let packable: Bool

    /// Every completion of the last two columns from a node: −Σ log x! values sorted ascending, with running
    /// sums of exp(value − top) so any threshold is answered by one binary search.
    struct Completions {
        var values: [Double]
        var cumulative: [Double]
        var top: Double
    }

    init(cells: [[Int]], nodeLimit: Int) {
        let rowTotals = cells.map { $0.reduce(0, +) }
        let columnTotals = (0..<cells[0].count).map { j in cells.reduce(0) { $0 + $1[j] } }
        let n = rowTotals.reduce(0, +)
        var lf = [Double](repeating: 0, count: n + 1)
        for k in stride(from: 2, through: n, by: 1) { lf[k] = lf[k - 1] + log(Double(k)) }
        logFactorial = lf
        columns = columnTotals.sorted(by: <)
        initialRows = rowTotals
        logConstant = rowTotals.reduce(0) { $0 + lf[$1] } + columnTotals.reduce(0) { $0 + lf[$1] } - lf[n]
        let observed = -cells.reduce(0) { acc, row in acc + row.reduce(0) { $0 + lf[$1] } }
        logObserved = logConstant + observed
        threshold = observed + log1p(1e-7)
        self.nodeLimit = nodeLimit
        radix = n + 1
        // (column index + 1) · radix^rows must stay below 2^62.
        let digits = Double(rowTotals.count) * log2(Double(n + 1)) + log2(Double(columnTotals.count + 1))
        packable = digits < 62
    }

    /// Sorted row totals (and the column index) as one integer; only valid when `packable`.
    func packedKey(column j: Int, rows: [Int]) -> Int {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rows.count) { buffer in
            // Insertion sort: rows are few.
            for (i, value) in rows.enumerated() {
                var k = i
                while k > 0, buffer[k - 1] > value { buffer[k] = buffer[k - 1]; k -= 1 }
                buffer[k] = value
            }
            var key = j
            for i in 0..<rows.count { key = key * radix + buffer[i] }
            return key
        }
    }

    /// The p-value, or nil when the node budget ran out.
    mutating func run() -> Double? {
        guard visit(column: 0, rows: initialRows, past: 0) else { return nil }
        return sum
    }

    /// Returns false when the node budget is exhausted.
    mutating func visit(column j: Int, rows: [Int], past: Double) -> Bool {
        nodes += 1
        if nodes > nodeLimit { return false }
        if j == columns.count - 1 {
            let value = past - rows.reduce(0) { $0 + logFactorial[$1] }
            if value <= threshold { sum += exp(logConstant + value) }
            return true
        }
        if j == columns.count - 2 {
            // Two columns left: answer from the cached, sorted completion values of this node.
            let tail = lastTwoColumns(rows)
            if nodes > nodeLimit { return false }
            let limit = threshold - past
            var lo = 0, hi = tail.values.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if tail.values[mid] <= limit { lo = mid + 1 } else { hi = mid }
            }
            if lo > 0 { sum += exp(logConstant + past + tail.top) * tail.cumulative[lo - 1] }
            return true
        }
        let b = nodeBounds(column: j, rows: rows)
        if past + b.best <= threshold {
            sum += exp(logConstant + past + b.total)
            return true
        }
        if past + b.worst > threshold { return true }
        var split = [Int](repeating: 0, count: rows.count)
        let capacityAfter = suffixSums(rows)
        return splitColumn(j, rows: rows, capacityAfter: capacityAfter, row: 0, left: columns[j], split: &split, delta: 0, past: past)
    }

    /// Enumerates the ways to spread column j's total over the rows, recursing into the next column.
    mutating func splitColumn(
        _ j: Int, rows: [Int], capacityAfter: [Int], row i: Int, left: Int,
        split: inout [Int], delta: Double, past: Double
    ) -> Bool {
        if i == rows.count - 1 {
            guard left <= rows[i] else { return true }
            split[i] = left
            var next = rows
            for k in 0..<rows.count { next[k] -= split[k] }
            return visit(column: j + 1, rows: next, past: past + delta - logFactorial[left])
        }
        let low = max(0, left - capacityAfter[i + 1]), high = min(left, rows[i])
        if low > high { return true }
        for x in low...high {
            split[i] = x
            guard splitColumn(j, rows: rows, capacityAfter: capacityAfter, row: i + 1, left: left - x,
                              split: &split, delta: delta - logFactorial[x], past: past) else { return false }
        }
        return true
    }

    mutating func lastTwoColumns(_ rows: [Int]) -> Completions {
        if packable {
            let key = packedKey(column: 0, rows: rows)
            if let cached = packedTails[key] { return cached }
            let result = listCompletions(rows.sorted())
            packedTails[key] = result
            return result
        }
        let key = rows.sorted()
        if let cached = tails[key] { return cached }
        let result = listCompletions(key)
        tails[key] = result
        return result
    }

    mutating func listCompletions(_ key: [Int]) -> Completions {
        var values: [Double] = []
        var split = [Int](repeating: 0, count: key.count)
        let capacityAfter = suffixSums(key)
        collect(key, capacityAfter: capacityAfter, row: 0, left: columns[columns.count - 2], split: &split, delta: 0, into: &values)
        nodes += values.count // listing completions is work too: count it against the budget
        values.sort()
        let top = values.last ?? 0
        var cumulative = [Double](repeating: 0, count: values.count)
        var running = 0.0
        for (k, v) in values.enumerated() { running += exp(v - top); cumulative[k] = running }
        return Completions(values: values, cumulative: cumulative, top: top)
    }

    /// Splits of the second-to-last column; the last column is then forced to the remaining row totals.
    func collect(
        _ rows: [Int], capacityAfter: [Int], row i: Int, left: Int, split: inout [Int], delta: Double,
        into values: inout [Double]
    ) {
        if i == rows.count - 1 {
            guard left <= rows[i] else { return }
            split[i] = left
            var value = delta - logFactorial[left]
            for k in 0..<rows.count { value -= logFactorial[rows[k] - split[k]] }
            values.append(value)
            return
        }
        let low = max(0, left - capacityAfter[i + 1]), high = min(left, rows[i])
        if low > high { return }
        for x in low...high {
            split[i] = x
            collect(rows, capacityAfter: capacityAfter, row: i + 1, left: left - x, split: &split,
                    delta: delta - logFactorial[x], into: &values)
        }
    }

    func suffixSums(_ values: [Int]) -> [Int] {
        var out = [Int](repeating: 0, count: values.count + 1)
        for i in stride(from: values.count - 1, through: 0, by: -1) { out[i] = out[i + 1] + values[i] }
        return out
    }

    /// For the sub-table (columns j…, rows with totals `rows`), in units of −Σ log x!:
    /// total = log Σ over completions of Π 1/x! (closed form), best ≥ the largest completion, worst ≤ the smallest.
    mutating func nodeBounds(column j: Int, rows: [Int]) -> (total: Double, best: Double, worst: Double) {
        if packable {
            let key = packedKey(column: j, rows: rows)
            if let cached = packedBounds[key] { return cached }
            let result = computeBounds(column: j, rows: rows)
            packedBounds[key] = result
            return result
        }
        let key = [j] + rows.sorted()
        if let cached = bounds[key] { return cached }
        let result = computeBounds(column: j, rows: rows)
        bounds[key] = result
        return result
    }

    func computeBounds(column j: Int, rows: [Int]) -> (total: Double, best: Double, worst: Double) {
        let remainingColumns = Array(columns[j...])
        let n = rows.reduce(0, +)
        let sumRows = rows.reduce(0) { $0 + logFactorial[$1] }
        let sumColumns = remainingColumns.reduce(0) { $0 + logFactorial[$1] }
        let total = logFactorial[n] - sumRows - sumColumns
        // Relaxations: each column (or each row) filled as evenly as its caps allow, ignoring the other margin.
        let byColumns = remainingColumns.reduce(0) { $0 + mostEven($1, caps: rows) }
        let byRows = rows.reduce(0) { $0 + mostEven($1, caps: remainingColumns) }
        let best = min(byColumns, byRows)
        // Π x! ≤ (Σ x)! within any column or row, so −Σ log x! ≥ −Σ log c! and ≥ −Σ log r!.
        let worst = max(-sumColumns, -sumRows)
        return (total, best, worst)
    }

    /// max of −Σ log x_i! subject to Σ x_i = total, 0 ≤ x_i ≤ caps_i: water-filling (log x! is convex).
    func mostEven(_ total: Int, caps: [Int]) -> Double {
        var remaining = total
        var value = 0.0
        let sorted = caps.sorted()
        for (index, cap) in sorted.enumerated() {
            let slots = sorted.count - index
            let share = remaining / slots
            if cap <= share {
                value -= logFactorial[cap]
                remaining -= cap
                continue
            }
            // Every remaining cap exceeds the even share: spread the rest as evenly as possible.
            let extra = remaining % slots
            value -= Double(extra) * logFactorial[share + 1] + Double(slots - extra) * logFactorial[share]
            return value
        }
        return value
    }
}
