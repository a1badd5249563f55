import Foundation
import Testing
@testable import RestoraStats

/// Log-rank against R survival's survdiff (survival-logrank.json): sums and one small linear solve,
/// so 1e-9 relative.
struct LogRankReferenceTests {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let name: String
        let time, status: RVector
        let group: RStrings
        let strata: RStrings?
        let groups: RStrings
        let n, observed, expected, variance, chisq, df, p: RVector
    }

    @Test func matchesSurvdiff() throws {
        for c in try ReferenceFixture.load("survival-logrank", as: Fixture.self).cases {
            let result = try LogRankTest.test(
                time: c.time.doubles, event: c.status.doubles.map { $0 == 1 },
                group: c.group.values, strata: c.strata?.values)
            #expect(result.groups == c.groups.values, "\(c.name) group order")
            for g in result.groups.indices {
                #expect(Double(result.subjects[g]) == c.n[g], "\(c.name) n")
                expectClose(result.observed[g], c.observed[g], relative: 1e-12, "\(c.name) observed")
                expectClose(result.expected[g], c.expected[g], relative: 1e-9, "\(c.name) expected")
            }
            for (i, v) in result.variance.enumerated() {
                expectNear(v, c.variance[i], absolute: 1e-9 * max(1, abs(c.variance[i] ?? 0)), "\(c.name) var[\(i)]")
            }
            expectClose(result.chiSquare, c.chisq[0], relative: 1e-9, "\(c.name) chisq")
            #expect(Double(result.degreesOfFreedom) == c.df[0], "\(c.name) df")
            expectClose(result.pValue, c.p[0], relative: 1e-9, "\(c.name) p")
        }
    }

    @Test func oneGroupIsRefused() {
        #expect(throws: StatsError.self) {
            try LogRankTest.test(time: [1, 2, 3], event: [true, true, false], group: ["a", "a", "a"])
        }
    }

    @Test func zeroEventsGiveNoEvidence() throws {
        let result = try LogRankTest.test(time: [1, 2, 3, 4], event: [false, false, false, false], group: ["a", "b", "a", "b"])
        #expect(result.chiSquare == 0)
        #expect(result.degreesOfFreedom == 0)
        #expect(result.pValue == 1)
    }
}
