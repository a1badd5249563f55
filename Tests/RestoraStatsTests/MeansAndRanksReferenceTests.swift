import Foundation
import Testing
@testable import RestoraStats

struct TTestCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let kind: String
    let alternative: String
    let x: [Double]
    let y: [Double]
    let mu: Double
    let confidence: Double
    let statistic: Double
    let df: Double
    let pValue: Double
    let lower: CoreFixtureNumber
    let upper: CoreFixtureNumber
    let estimate: Double
    let stderr: Double
    var testDescription: String { "t.test \(name) \(kind) \(alternative)" }
}

struct RankCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let kind: String
    let alternative: String
    let correct: Bool
    let x: [Double]
    let y: [Double]
    let mu: Double
    let statistic: Double
    let pValue: Double
    let estimate: CoreFixtureNumber
    let lower: CoreFixtureNumber
    let upper: CoreFixtureNumber
    let method: String
    /// R's attr(conf.int, "conf.level"): the achieved level when the requested one is out of reach.
    let level: Double
    var testDescription: String { "wilcox.test \(name) \(kind) \(alternative) correct=\(correct)" }
}

/// t-tests and rank tests against R 4.2 t.test / wilcox.test at 1e-9 relative.
@Suite struct MeansAndRanksReferenceTests {
    static let tCases = CoreFixtures.cases("core-ttest", as: TTestCase.self)
    static let rankCases = CoreFixtures.cases("core-ranks", as: RankCase.self)

    @Test func fixturesPresent() {
        #expect(Self.tCases.count > 60)
        #expect(Self.rankCases.count > 100)
    }

    @Test(arguments: tCases)
    func tTest(_ c: TTestCase) throws {
        let alternative = try #require(Alternative(rawValue: c.alternative))
        let r: TTestResult
        switch c.kind {
        case "one-sample": r = try TTest.oneSample(c.x, mu: c.mu, alternative: alternative, confidence: c.confidence)
        case "paired": r = try TTest.paired(c.x, c.y, mu: c.mu, alternative: alternative, confidence: c.confidence)
        case "welch": r = try TTest.twoSample(c.x, c.y, mu: c.mu, alternative: alternative, confidence: c.confidence)
        default: r = try TTest.twoSample(c.x, c.y, mu: c.mu, equalVariances: true, alternative: alternative, confidence: c.confidence)
        }
        #expect(coreClose(r.statistic, c.statistic, rel: 1e-9), "t \(r.statistic) vs \(c.statistic)")
        #expect(coreClose(r.degreesOfFreedom, c.df, rel: 1e-9), "df \(r.degreesOfFreedom) vs \(c.df)")
        #expect(coreClose(r.pValue, c.pValue, rel: 1e-9, abs: 1e-15), "p \(r.pValue) vs \(c.pValue)")
        #expect(coreMatches(r.interval.lower, c.lower.value, rel: 1e-9, abs: 1e-12), "lower \(r.interval.lower) vs \(c.lower.value)")
        #expect(coreMatches(r.interval.upper, c.upper.value, rel: 1e-9, abs: 1e-12), "upper \(r.interval.upper) vs \(c.upper.value)")
        #expect(coreClose(r.estimate, c.estimate, rel: 1e-9, abs: 1e-12))
        #expect(coreClose(r.standardError, c.stderr, rel: 1e-9))
    }

    @Test(arguments: rankCases)
    func rankTest(_ c: RankCase) throws {
        let alternative = try #require(Alternative(rawValue: c.alternative))
        let r: RankTestResult
        switch c.kind {
        case "signed-rank":
            r = try WilcoxonSignedRank.test(c.x, mu: c.mu, alternative: alternative, continuityCorrection: c.correct)
        case "paired":
            r = try WilcoxonSignedRank.paired(c.x, c.y, alternative: alternative, continuityCorrection: c.correct)
        default:
            r = try MannWhitney.test(c.x, c.y, alternative: alternative, continuityCorrection: c.correct)
        }
        #expect(r.exact == c.method.contains("exact"), "exact? R used: \(c.method)")
        #expect(coreClose(r.statistic, c.statistic, rel: 1e-12), "statistic \(r.statistic) vs \(c.statistic)")
        #expect(coreClose(r.pValue, c.pValue, rel: 1e-9, abs: 1e-15), "p \(r.pValue) vs \(c.pValue)")
        // R's estimate and interval are closed-form only for the exact distribution (else found by uniroot).
        if r.exact, alternative == .twoSided {
            #expect(coreClose(try #require(r.hodgesLehmann), c.estimate.value, rel: 1e-12, abs: 1e-12))
            #expect(coreClose(try #require(r.interval).lower, c.lower.value, rel: 1e-12, abs: 1e-12), "lower vs \(c.lower.value)")
            #expect(coreClose(try #require(r.interval).upper, c.upper.value, rel: 1e-12, abs: 1e-12), "upper vs \(c.upper.value)")
            #expect(coreClose(try #require(r.interval).level, c.level, rel: 1e-12), "level vs R \(c.level)")
        }
    }
}
