import Foundation
import Testing
@testable import RestoraStats

/// Every refusal of the core analyses: bad input gives `StatsError` naming the field, never a crash or a NaN.
@Suite struct CoreRefusalTests {
    /// The field named by an `invalidInput` error (or the message of other cases), for matching.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as StatsError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let expectedPrefix: String
        let body: @Sendable () throws -> Void
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "successes > trials", expectedPrefix: "successes: must not exceed trials (30), got 31") {
            _ = try Proportion.interval(successes: 31, trials: 30)
        },
        Refusal(name: "negative successes", expectedPrefix: "successes: must be at least 0") {
            _ = try Proportion.interval(successes: -1, trials: 30)
        },
        Refusal(name: "zero trials", expectedPrefix: "trials: must be at least 1") {
            _ = try BinomialTest.test(successes: 0, trials: 0)
        },
        Refusal(name: "trials beyond 10^15", expectedPrefix: "trials: must be at most 10^15") {
            _ = try Proportion.interval(successes: 0, trials: Int.max)
        },
        Refusal(name: "NaN confidence", expectedPrefix: "confidence: must be strictly between 0 and 1") {
            _ = try Proportion.interval(successes: 3, trials: 10, confidence: .nan)
        },
        Refusal(name: "confidence 1", expectedPrefix: "confidence:") {
            _ = try BinomialTest.test(successes: 3, trials: 10, confidence: 1)
        },
        Refusal(name: "null proportion above 1", expectedPrefix: "null proportion:") {
            _ = try BinomialTest.test(successes: 3, trials: 10, nullProportion: 1.5)
        },
        Refusal(name: "Newcombe second group", expectedPrefix: "successes2: must not exceed trials2") {
            _ = try ProportionDifference.newcombe(successes1: 1, trials1: 5, successes2: 6, trials2: 5)
        },
        Refusal(name: "malformed table", expectedPrefix: "table: row 2 has 1 cells but row 1 has 2") {
            _ = try ContingencyTable(parsing: "6,5;5")
        },
        Refusal(name: "non-numeric cell", expectedPrefix: "table: cell (1, 2) is not a whole number") {
            _ = try ContingencyTable(parsing: "6,x;5,14")
        },
        Refusal(name: "negative cell", expectedPrefix: "table: cell (2, 1) is negative (-5)") {
            _ = try ContingencyTable([[6, 5], [-5, 14]])
        },
        Refusal(name: "one row", expectedPrefix: "table: needs at least 2 rows") {
            _ = try ContingencyTable(parsing: "6,5")
        },
        Refusal(name: "all zero", expectedPrefix: "table: all counts are zero") {
            _ = try ContingencyTable([[0, 0], [0, 0]])
        },
        Refusal(name: "odds ratio of a 2×3", expectedPrefix: "table: must be 2×2") {
            _ = try FisherExact.test2x2(ContingencyTable([[1, 2, 3], [4, 5, 6]]))
        },
        Refusal(name: "chi-square with an empty row", expectedPrefix: "table: row 1 sums to 0") {
            _ = try PearsonChiSquare.test(ContingencyTable([[0, 0], [3, 4]]))
        },
        Refusal(name: "R×C beyond the node budget", expectedPrefix: "table: too large for exact enumeration") {
            _ = try FisherExact.testRxC(ContingencyTable([[10, 12, 8, 9], [9, 11, 13, 7], [8, 9, 10, 12]]), nodeLimit: 50)
        },
        Refusal(name: "2×2 margins too large", expectedPrefix: "table: margins too large for the exact test") {
            _ = try FisherExact.test2x2(ContingencyTable([[60_000_000, 50_000_000], [40_000_000, 70_000_000]]))
        },
        Refusal(name: "R×C total too large", expectedPrefix: "table: too large for exact enumeration (N = ") {
            _ = try FisherExact.testRxC(ContingencyTable([[6_000_000, 5_000_000, 1], [4_000_000, 7_000_000, 2]]))
        },
        Refusal(name: "cell beyond 10^12", expectedPrefix: "table: cell (1, 1) is too large") {
            _ = try ContingencyTable([[Int.max, 1], [1, 1]])
        },
        Refusal(name: "proportions nearly equal", expectedPrefix: "p2: is too close to p1") {
            _ = try ProportionPower.sampleSize(p1: 0.3, p2: 0.3 + 1e-12)
        },
        Refusal(name: "hazard ratio nearly 1", expectedPrefix: "hazard ratio: is too close to 1") {
            _ = try LogRankSampleSize.schoenfeld(hazardRatio: 1 + 1e-12)
        },
        Refusal(name: "NaN in x", expectedPrefix: "x: value 2 is nan") {
            _ = try TTest.oneSample([1, .nan, 3])
        },
        Refusal(name: "one observation", expectedPrefix: "insufficient data: x: needs at least 2 observations") {
            _ = try TTest.oneSample([1])
        },
        Refusal(name: "constant data", expectedPrefix: "degenerate design: x: data are essentially constant") {
            _ = try TTest.oneSample([2, 2, 2])
        },
        Refusal(name: "paired lengths", expectedPrefix: "y: paired samples must have equal length") {
            _ = try TTest.paired([1, 2, 3], [1, 2])
        },
        Refusal(name: "infinite y", expectedPrefix: "y: value 1 is inf") {
            _ = try MannWhitney.test([1, 2], [.infinity, 3])
        },
        Refusal(name: "all differences zero", expectedPrefix: "insufficient data: x: every difference equals mu") {
            _ = try WilcoxonSignedRank.test([1, 1, 1], mu: 1)
        },
        Refusal(name: "equal proportions", expectedPrefix: "p2: must differ from p1") {
            _ = try ProportionPower.sampleSize(p1: 0.3, p2: 0.3)
        },
        Refusal(name: "power of 1", expectedPrefix: "power: must be strictly between 0 and 1") {
            _ = try MeanPower.sampleSize(delta: 1, power: 1)
        },
        Refusal(name: "zero delta", expectedPrefix: "delta: must be non-zero") {
            _ = try MeanPower.power(n: 10, delta: 0)
        },
        Refusal(name: "negative sd", expectedPrefix: "sd: must be a positive finite number") {
            _ = try MeanPower.power(n: 10, delta: 1, sd: -1)
        },
        Refusal(name: "hazard ratio 1", expectedPrefix: "hazard ratio: must differ from 1") {
            _ = try LogRankSampleSize.schoenfeld(hazardRatio: 1)
        },
        Refusal(name: "event probability 0", expectedPrefix: "event probability: must be greater than 0") {
            _ = try LogRankSampleSize.schoenfeld(hazardRatio: 0.7, eventProbability: 0)
        },
        Refusal(name: "Simon p1 ≤ p0", expectedPrefix: "p1: must exceed p0") {
            _ = try SimonTwoStage.design(p0: 0.3, p1: 0.2)
        },
        Refusal(name: "Simon nmax too small", expectedPrefix: "nmax: no design with n ≤ 10") {
            _ = try SimonTwoStage.design(p0: 0.1, p1: 0.3, nmax: 10)
        },
        Refusal(name: "Simon nmax too large", expectedPrefix: "nmax: must be between 2 and 500") {
            _ = try SimonTwoStage.design(p0: 0.1, p1: 0.3, nmax: 100_000)
        },
    ]

    @Test(arguments: refusals)
    func refused(_ r: Refusal) {
        let message = Self.refusal(r.body)
        #expect(message?.hasPrefix(r.expectedPrefix) == true, "got: \(message ?? "no error")")
    }

    /// Out-of-domain arguments to the distribution functions give NaN (documented), not a trap.
    @Test func distributionsReturnNaNOutsideTheirDomain() {
        #expect(StudentT.cdf(1, df: -1).isNaN)
        #expect(ChiSquared.quantile(1.5, df: 3).isNaN)
        #expect(Binomial.pmf(3, n: 10, p: 2).isNaN)
        #expect(Normal.quantile(.nan).isNaN)
        #expect(SpecialFunctions.regularizedBeta(0.5, -1, 2).isNaN)
    }

    /// Edge results that are defined: degenerate but legal inputs give numbers, not NaN.
    @Test func definedEdgeResults() throws {
        let table = try FisherExact.test2x2(ContingencyTable([[0, 0], [3, 4]]))
        #expect(table.pValue == 1)
        #expect(table.oddsRatio == 0)
        #expect(table.interval.upper == .infinity)
        let rxc = try FisherExact.testRxC(ContingencyTable([[0, 0, 0], [1, 2, 3]]))
        #expect(rxc.pValue == 1)
        let all = try Proportion.interval(successes: 30, trials: 30, method: .wilsonCorrected)
        #expect(all.interval.upper == 1)
    }
}
