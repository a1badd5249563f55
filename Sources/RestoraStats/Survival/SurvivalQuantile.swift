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
        return probabilities.map { p in
            SurvivalQuantile(
                probability: p,
                estimate: Self.findQuantile(x: x, y: curve, p: p, xmax: xmax),
                lower: Self.findQuantile(x: x, y: fromLower, p: p, xmax: xmax),
                upper: Self.findQuantile(x: x, y: fromUpper, p: p, xmax: xmax))
        }
    }

    public var median: SurvivalQuantile? { try? quantiles([0.5]).first }

    /// R survival's `findq`: y is the increasing CDF 1 − S (nil = NA), x the matching times.
    static func findQuantile(x: [Double], y: [Double?], p: Double, xmax: Double) -> Double? {
        let tol = Double.ulpOfOne.squareRoot()
        let present = y.compactMap { $0 }
        guard let top = present.max(), top >= p else { return nil }
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
        if p == 0 { return xs[0] }
        let i1 = constantRightIndex(ys, offset: tol, p: p)
        let i2 = constantRightIndex(ys, offset: -tol, p: p)
        var quantile: Double?
        if let a = i1, let b = i2 { quantile = (xs[a] + xs[b]) / 2 }
        if let last = ys.last, let yn = last, abs(p - yn) < tol {
            quantile = i1.map { (xs[$0] + xmax) / 2 }
        }
        return quantile
    }

    /// R's `approx(y + offset, 1:n, p, method = "constant", f = 1)` with NA pairs removed. approx sorts
    /// the knots by value, which matters for a confidence limit that is not monotone in time (the log
    /// interval capped at 1 can rise again): R then reports the later time, and so do we.
    static func constantRightIndex(_ y: [Double?], offset: Double, p: Double) -> Int? {
        let knots = y.indices.compactMap { i in y[i].map { (value: $0 + offset, index: i) } }
            .sorted { $0.value < $1.value }
        guard let first = knots.first, let last = knots.last, p >= first.value, p <= last.value else { return nil }
        var k = 0
        while k + 1 < knots.count, knots[k + 1].value <= p { k += 1 }
        if knots[k].value == p || k + 1 == knots.count { return knots[k].index }
        return knots[k + 1].index
    }
}
