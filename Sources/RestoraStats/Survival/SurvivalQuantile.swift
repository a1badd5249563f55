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
        let curve: [Double?] = [0.0] + steps.map { 1 - $0.survival }
        let fromLower: [Double?] = [0.0] + steps.map { $0.lower.map { 1 - $0 } }
        let fromUpper: [Double?] = [0.0] + steps.map { $0.upper.map { 1 - $0 } }
        // Each curve is prepared once (repeated values dropped, knots in order) and searched per probability.
        let estimate = QuantileSearch(x: x, y: curve), low = QuantileSearch(x: x, y: fromLower)
        let high = QuantileSearch(x: x, y: fromUpper)
        return probabilities.map { p in
            SurvivalQuantile(
                probability: p, estimate: estimate.quantile(p, xmax: xmax),
                lower: low.quantile(p, xmax: xmax), upper: high.quantile(p, xmax: xmax))
        }
    }

    public var median: SurvivalQuantile? { try? quantiles([0.5]).first }
}

/// R survival's `findq` for one curve and any number of probabilities: y is the increasing CDF 1 − S
/// (nil = NA), x the matching times. What does not depend on p — the highest value, the curve without its
/// repeated values (censoring times), its knots shifted by ±√ε and put in order — is done once.
struct QuantileSearch {
    private static let tol = Double.ulpOfOne.squareRoot()
    private let top: Double?
    private let xs: [Double]
    private let last: Double??
    /// R's `approx(y ± tol, 1:n, p, method = "constant", f = 1)` knots, NA pairs removed, sorted by value.
    private let above: [(value: Double, index: Int)]
    private let below: [(value: Double, index: Int)]

    init(x: [Double], y: [Double?]) {
        var top: Double?
        var nonIncreasing = true, nonDecreasing = true, previous: Double?
        for case let v? in y {
            if top.map({ v > $0 }) ?? true { top = v }
            if let p = previous { if !(v <= p) { nonIncreasing = false }; if !(v >= p) { nonDecreasing = false } }
            previous = v
        }
        self.top = top
        // Drop repeated y values keeping the first; NA values stay as one NA marker. A monotone curve (the
        // estimate always; a limit unless capped) holds equal values next to each other: comparing with the
        // last kept value is then the same as the set, without hashing every step.
        let monotone = nonIncreasing || nonDecreasing
        var xs: [Double] = [], ys: [Double?] = []
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
        last = ys.last
        above = Self.knots(ys, offset: Self.tol)
        below = Self.knots(ys, offset: -Self.tol)
    }

    func quantile(_ p: Double, xmax: Double) -> Double? {
        guard let top, top >= p else { return nil }
        if p == 0 { return xs[0] }
        let i1 = Self.constantRightIndex(above, p: p)
        let i2 = Self.constantRightIndex(below, p: p)
        var quantile: Double?
        if let a = i1, let b = i2 { quantile = (xs[a] + xs[b]) / 2 }
        if let last, let yn = last, abs(p - yn) < Self.tol {
            quantile = i1.map { (xs[$0] + xmax) / 2 }
        }
        return quantile
    }

    /// approx sorts the knots by value, which matters for a confidence limit that is not monotone in time
    /// (the log interval capped at 1 can rise again): R then reports the later time, and so do we.
    private static func knots(_ y: [Double?], offset: Double) -> [(value: Double, index: Int)] {
        var knots = y.indices.compactMap { i in y[i].map { (value: $0 + offset, index: i) } }
        // The estimate and most limits are already in order: sorting them again (stable) would change nothing.
        if !zip(knots, knots.dropFirst()).allSatisfy({ $0.value <= $1.value }) { knots.sort { $0.value < $1.value } }
        return knots
    }

    /// The knot `approx(..., method = "constant", f = 1)` takes at p: the last knot at or below p when it
    /// equals p or is the last, else the next one; nil outside the knots.
    private static func constantRightIndex(_ knots: [(value: Double, index: Int)], p: Double) -> Int? {
        guard let first = knots.first, let last = knots.last, p >= first.value, p <= last.value else { return nil }
        // The number of knots at or below p (the knots are sorted), less one: at least the first.
        var lo = 1, hi = knots.count
        while lo < hi { let mid = (lo + hi) / 2; if knots[mid].value <= p { lo = mid + 1 } else { hi = mid } }
        let k = lo - 1
        if knots[k].value == p || k + 1 == knots.count { return knots[k].index }
        return knots[k + 1].index
    }
}
