import Foundation

/// A quantile of the survival-time distribution with its confidence interval (nil = not reached).
public struct SurvivalQuantile: Sendable, Equatable, Codable {
    /// Probability of the event by this time: 0.5 is the median.
    public let probability: Double
    public let estimate: Double?
    public let lower: Double?
    public let upper: Double?
}

extension KaplanMeierCurve {
    /// Quantiles as R's `quantile.survfit`: the first time the curve drops to 1 − p or below; where the
    /// curve is flat exactly at 1 − p (within √ε), the midpoint of the flat; intervals from the times
    /// the lower and upper pointwise limits cross 1 − p.
    public func quantiles(_ probabilities: [Double] = [0.25, 0.5, 0.75]) throws -> [SurvivalQuantile] {
        for p in probabilities where !(p >= 0 && p <= 1) {
            throw StatsError.invalidInput(field: "probability", message: "\(p) is not in [0, 1]")
        }
        let x = [0.0] + steps.map(\.time)
        let xmax = steps.last?.time ?? 0
        // Each curve is prepared once (its repeated values dropped, its knots sorted), then searched per p.
        let estimate = QuantileSearch(x: x, y: [0.0] + steps.map { 1 - $0.survival }, xmax: xmax)
        let fromLower = QuantileSearch(x: x, y: [0.0] + steps.map { $0.lower.map { 1 - $0 } }, xmax: xmax)
        let fromUpper = QuantileSearch(x: x, y: [0.0] + steps.map { $0.upper.map { 1 - $0 } }, xmax: xmax)
        return probabilities.map { p in
            SurvivalQuantile(probability: p, estimate: estimate.quantile(p), lower: fromLower.quantile(p), upper: fromUpper.quantile(p))
        }
    }

    public var median: SurvivalQuantile? { try? quantiles([0.5]).first }

    /// R survival's `findq`: y is the increasing CDF 1 − S (nil = NA), x the matching times.
    static func findQuantile(x: [Double], y: [Double?], p: Double, xmax: Double) -> Double? {
        QuantileSearch(x: x, y: y, xmax: xmax).quantile(p)
    }
}

/// R survival's `findq` for one curve and any number of probabilities: the curve's repeated values are dropped
/// and its knots sorted once (a curve of a million subjects has ~33,000 steps, searched three times per
/// quantile), then each probability is two binary searches.
struct QuantileSearch {
    /// The times and values kept (the first of each repeated value; the first NA as a marker).
    let xs: [Double]
    let ys: [Double?]
    let xmax: Double
    /// The largest value present, nil when every value is NA.
    let top: Double?
    /// The kept values shifted by +√ε and by −√ε, with their indexes into `ys`, sorted by value.
    let above: [(value: Double, index: Int)]
    let below: [(value: Double, index: Int)]

    static let tolerance = Double.ulpOfOne.squareRoot()

    init(x: [Double], y: [Double?], xmax: Double) {
        self.xmax = xmax
        top = y.compactMap { $0 }.max()
        // Drop repeated y values (censoring times) keeping the first; NA values stay as NA markers.
        var xs: [Double] = []
        var ys: [Double?] = []
        // A monotone curve (the estimate always; a limit unless capped) holds equal values next to each other:
        // comparing with the last kept value is then the same as the set, without hashing every step.
        var nonIncreasing = true, nonDecreasing = true, previous: Double?
        for case let v? in y {
            if let p = previous { if !(v <= p) { nonIncreasing = false }; if !(v >= p) { nonDecreasing = false } }
            previous = v
        }
        let monotone = nonIncreasing || nonDecreasing
        var lastKept: Double?
        var seen = Set<Double>(minimumCapacity: monotone ? 0 : y.count)
        var seenNA = false
        for (xi, yi) in zip(x, y) {
            if let v = yi {
                if monotone {
                    if lastKept != v { lastKept = v; xs.append(xi); ys.append(v) }
                } else if seen.insert(v).inserted { xs.append(xi); ys.append(v) }
            } else if !seenNA {
                seenNA = true
                xs.append(xi); ys.append(nil)
            }
        }
        self.xs = xs
        self.ys = ys
        above = Self.knots(ys, offset: Self.tolerance)
        below = Self.knots(ys, offset: -Self.tolerance)
    }

    /// The time at which the curve reaches `p` (R's `findq`), nil when it never does.
    func quantile(_ p: Double) -> Double? {
        guard let top, top >= p else { return nil }
        if p == 0 { return xs[0] }
        let i1 = Self.constantRightIndex(above, p: p)
        let i2 = Self.constantRightIndex(below, p: p)
        var quantile: Double?
        if let a = i1, let b = i2 { quantile = (xs[a] + xs[b]) / 2 }
        if let last = ys.last, let yn = last, abs(p - yn) < Self.tolerance {
            quantile = i1.map { (xs[$0] + xmax) / 2 }
        }
        return quantile
    }

    /// The knots of R's `approx(y + offset, 1:n, …)` with NA pairs removed, sorted by value. approx sorts the
    /// knots by value, which matters for a confidence limit that is not monotone in time (the log interval
    /// capped at 1 can rise again): R then reports the later time, and so do we.
    static func knots(_ y: [Double?], offset: Double) -> [(value: Double, index: Int)] {
        y.indices.compactMap { i in y[i].map { (value: $0 + offset, index: i) } }.sorted { $0.value < $1.value }
    }

    /// R's `approx(…, p, method = "constant", f = 1)` on sorted `knots`: the index of the last knot at or below
    /// `p`, or of the next one when `p` lies strictly between two; nil outside the knots.
    static func constantRightIndex(_ knots: [(value: Double, index: Int)], p: Double) -> Int? {
        guard let first = knots.first, let last = knots.last, p >= first.value, p <= last.value else { return nil }
        var k = 0
        if knots.contains(where: { $0.value.isNaN }) {
            // Not ordered by `<`: the scan R's rule describes, knot after knot.
            while k + 1 < knots.count, knots[k + 1].value <= p { k += 1 }
        } else {
            // Sorted: the last k with knots[k].value <= p (there is one: p >= the first value), by bisection.
            var high = knots.count - 1
            while k < high {
                let mid = (k + high + 1) / 2
                if knots[mid].value <= p { k = mid } else { high = mid - 1 }
            }
        }
        if knots[k].value == p || k + 1 == knots.count { return knots[k].index }
        return knots[k + 1].index
    }
}
