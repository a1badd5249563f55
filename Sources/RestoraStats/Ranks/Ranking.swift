/// Mid-ranks (ties get the average of the ranks they span, as R's rank()) and the sizes of tie groups.
struct Ranking: Sendable {
    let ranks: [Double]
    let tieSizes: [Int]
    var hasTies: Bool { tieSizes.contains { $0 > 1 } }

    /// Σ (t³ − t) over tie groups, the quantity in the variance correction for ties.
    var tieCorrection: Double { tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) } }

    init(_ values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var ties: [Int] = []
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end + 2) / 2 // ranks are 1-based
            for k in start...end { ranks[order[k]] = average }
            ties.append(end - start + 1)
            start = end + 1
        }
        self.ranks = ranks
        tieSizes = ties
    }
}
