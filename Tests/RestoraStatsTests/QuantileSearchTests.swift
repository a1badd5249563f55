import Testing
@testable import RestoraStats

/// `QuantileSearch` prepares each curve once for every probability; the `findq` it replaced (kept below
/// verbatim, one call per curve and probability) is the oracle, on generated curves: monotone estimates with
/// flats, limits with NA values, limits that fall again (a capped log interval), exact hits of p.
@Suite("Survival quantiles against the one-probability-at-a-time search")
struct QuantileSearchTests {
    @Test func sameAsThePreviousSearch() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        var compared = 0, found = 0
        for trial in 0..<3_000 {
            let n = 1 + below(60)
            var x: [Double] = [0], y: [Double?] = [0]
            var t = 0.0, level = 0.0
            for _ in 0..<n {
                t += Double(1 + below(5))
                switch trial % 3 {
                case 0:  // an estimate: rising in quarter steps, with flats
                    if below(3) > 0 { level = min(1, level + Double(below(3)) / 8) }
                    y.append(level)
                case 1:  // a limit with NA values
                    if below(4) > 0 { level = min(1, level + Double(below(4)) / 16); y.append(level) } else { y.append(nil) }
                default:  // a limit that falls again
                    level = max(0, min(1, level + Double(below(7) - 2) / 16))
                    y.append(level)
                }
                x.append(t)
            }
            let xmax = x.last!
            for p in [0, 0.125, 0.25, 0.5, 0.5 + 1e-9, 0.75, 0.9375, 1, Double(below(17)) / 16] {
                let expected = Self.previousFindQuantile(x: x, y: y, p: p, xmax: xmax)
                let got = QuantileSearch(x: x, y: y).quantile(p, xmax: xmax)
                #expect(got == expected, "x \(x) y \(y) p \(p)")
                compared += 1
                if expected != nil { found += 1 }
            }
        }
        #expect(compared == 27_000)
        #expect(found > 5_000)  // the curves reach most probabilities, so the comparison is not of nils
    }

    /// The search before QuantileSearch (R survival's `findq`), verbatim.
    static func previousFindQuantile(x: [Double], y: [Double?], p: Double, xmax: Double) -> Double? {
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
