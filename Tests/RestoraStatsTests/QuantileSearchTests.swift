@testable import RestoraStats
import Testing

/// `QuantileSearch` prepares a curve once and bisects its sorted knots; R's rule (`approx(…, method =
/// "constant", f = 1)`) is a scan knot after knot. The two must name the same knot for every probability.
@Suite("Quantile search")
struct QuantileSearchTests {
    /// R's rule as a scan, on the knots sorted as `QuantileSearch.knots` sorts them.
    static func scanned(_ knots: [(value: Double, index: Int)], p: Double) -> Int? {
        guard let first = knots.first, let last = knots.last, p >= first.value, p <= last.value else { return nil }
        var k = 0
        while k + 1 < knots.count, knots[k + 1].value <= p { k += 1 }
        if knots[k].value == p || k + 1 == knots.count { return knots[k].index }
        return knots[k + 1].index
    }

    @Test("bisection finds the knot the scan finds: random curves with ties, NAs and probabilities on the knots")
    func bisectionEqualsScan() {
        var random = SystemRandomNumberGenerator()
        for trial in 0..<300 {
            let count = Int.random(in: 1...200, using: &random)
            // Values on a coarse lattice, so ties and probabilities exactly on a knot happen often.
            let y: [Double?] = (0..<count).map { _ in
                Int.random(in: 0..<10, using: &random) == 0 ? nil : Double(Int.random(in: 0...20, using: &random)) / 20
            }
            let knots = QuantileSearch.knots(y, offset: trial % 2 == 0 ? QuantileSearch.tolerance : -QuantileSearch.tolerance)
            for p in stride(from: -0.05, through: 1.05, by: 0.025) + knots.map(\.value) {
                #expect(QuantileSearch.constantRightIndex(knots, p: p) == Self.scanned(knots, p: p), "trial \(trial), p \(p)")
            }
        }
    }

    @Test("a NaN among the knots: the scan's answer, not a bisection of an unordered list")
    func nanKnots() {
        let knots = QuantileSearch.knots([0.1, .nan, 0.3, 0.5, .nan, 0.7], offset: 0)
        for p in [0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.7] {
            #expect(QuantileSearch.constantRightIndex(knots, p: p) == Self.scanned(knots, p: p), "p \(p)")
        }
    }

    @Test("one search answers every probability as a search per probability does")
    func preparedOnce() {
        let x = [0.0, 1, 2, 3, 4, 5, 6]
        let y: [Double?] = [0, 0.2, 0.2, 0.5, nil, 0.5, 0.8]
        let search = QuantileSearch(x: x, y: y, xmax: 6)
        for p in [0.0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9] {
            #expect(search.quantile(p) == KaplanMeierCurve.findQuantile(x: x, y: y, p: p, xmax: 6))
        }
        #expect(search.quantile(0.2) == 2)   // flat exactly at p: the midpoint of the flat (1 and 3)
        #expect(search.quantile(0.9) == nil)  // never reached
    }
}
