import Foundation
import Testing
@testable import RestoraStats

struct ProportionIntervalCase: Decodable, Sendable, CustomTestStringConvertible {
    let successes: Int
    let trials: Int
    let confidence: Double
    let method: String
    let lower: Double
    let upper: Double
    let tool: String
    var testDescription: String { "\(method) \(successes)/\(trials) @\(confidence) vs \(tool)" }
}

struct BinomialTestCase: Decodable, Sendable, CustomTestStringConvertible {
    let successes: Int
    let trials: Int
    let p0: Double
    let alternative: String
    let pValue: Double
    let lower: Double
    let upper: Double
    var testDescription: String { "binom.test(\(successes), \(trials), p = \(p0), \(alternative))" }
}

struct ProportionDifferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let successes1: Int
    let trials1: Int
    let successes2: Int
    let trials2: Int
    let confidence: Double
    let lower: Double
    let upper: Double
    var testDescription: String { "\(successes1)/\(trials1) − \(successes2)/\(trials2) @\(confidence)" }
}

/// Proportions against R 4.2 (binom.test, prop.test) and statsmodels (Jeffreys, Agresti–Coull, Newcombe).
/// All these methods are closed-form or exact, so the tolerance is 1e-9 relative (1e-12 absolute near 0).
@Suite struct ProportionReferenceTests {
    static let intervals = CoreFixtures.cases("core-proportion-intervals", as: ProportionIntervalCase.self)
    static let binomialTests = CoreFixtures.cases("core-binomial-test", as: BinomialTestCase.self)
    static let differences = CoreFixtures.cases("core-proportion-difference", as: ProportionDifferenceCase.self)

    @Test func fixturesPresent() {
        #expect(Self.intervals.count > 200)
        #expect(Self.binomialTests.count > 40)
        #expect(Self.differences.count >= 20)
    }

    @Test(arguments: intervals)
    func interval(_ c: ProportionIntervalCase) throws {
        let method = try #require(ProportionIntervalMethod(rawValue: c.method))
        let r = try Proportion.interval(successes: c.successes, trials: c.trials, method: method, confidence: c.confidence)
        #expect(coreClose(r.interval.lower, c.lower, rel: 1e-9, abs: 1e-12), "lower \(r.interval.lower) vs \(c.lower)")
        #expect(coreClose(r.interval.upper, c.upper, rel: 1e-9, abs: 1e-12), "upper \(r.interval.upper) vs \(c.upper)")
    }

    @Test(arguments: binomialTests)
    func binomialTest(_ c: BinomialTestCase) throws {
        let alternative = try #require(Alternative(rawValue: c.alternative))
        let r = try BinomialTest.test(successes: c.successes, trials: c.trials, nullProportion: c.p0, alternative: alternative)
        #expect(coreClose(r.pValue, c.pValue, rel: 1e-9, abs: 1e-15), "p \(r.pValue) vs R \(c.pValue)")
        #expect(coreClose(r.interval.lower, c.lower, rel: 1e-9, abs: 1e-12), "lower \(r.interval.lower) vs \(c.lower)")
        #expect(coreClose(r.interval.upper, c.upper, rel: 1e-9, abs: 1e-12), "upper \(r.interval.upper) vs \(c.upper)")
    }

    @Test(arguments: differences)
    func newcombe(_ c: ProportionDifferenceCase) throws {
        let r = try ProportionDifference.newcombe(
            successes1: c.successes1, trials1: c.trials1, successes2: c.successes2, trials2: c.trials2,
            confidence: c.confidence)
        #expect(coreClose(r.interval.lower, c.lower, rel: 1e-9, abs: 1e-12), "lower \(r.interval.lower) vs \(c.lower)")
        #expect(coreClose(r.interval.upper, c.upper, rel: 1e-9, abs: 1e-12), "upper \(r.interval.upper) vs \(c.upper)")
    }

    /// The product's anchor: "11 of 30" is quoted with the Clopper–Pearson interval 0.1993–0.5614.
    @Test func productAnchor() throws {
        let r = try Proportion.interval(successes: 11, trials: 30)
        #expect((r.interval.lower * 10_000).rounded() == 1993)
        #expect((r.interval.upper * 10_000).rounded() == 5614)
    }
}
