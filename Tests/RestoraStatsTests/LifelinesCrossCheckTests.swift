import Foundation
import Testing
@testable import RestoraStats

/// Second opinion from lifelines (survival-lifelines.json, scripts/reference/stats_survival.py).
/// Where lifelines and R disagree we follow R and check lifelines only where they agree:
/// - at S = 1 lifelines prints the interval [1, 1] and at S = 0 [0, 0]; R (and we) leave it undefined;
/// - lifelines' median is the first time S ≤ 0.5; R takes the midpoint of a flat exactly at 0.5.
struct LifelinesCrossCheckTests {
    struct Fixture: Decodable {
        let km: [KM]
        let logrank: [LR]
        let cox: [Cox]
    }
    struct KM: Decodable {
        let name: String
        let time: [Double]
        let status: [Double]
        let km_time, surv: [Double]
        let lower, upper: [Double?]
        let median: Double?
    }
    struct LR: Decodable { let name: String; let chisq, p: Double }
    struct Cox: Decodable { let name: String; let coef, se: [Double]; let loglik, concordance: Double }

    static func fixture() throws -> Fixture { try ReferenceFixture.load("survival-lifelines", as: Fixture.self) }

    @Test func kaplanMeierLogLogIntervalsAgreeWhereDefined() throws {
        for c in try Self.fixture().km {
            let fit = try KaplanMeier.fit(time: c.time, event: c.status.map { $0 == 1 }, confidenceType: .logLog)
            for (i, t) in c.km_time.enumerated() {
                let step = try #require(fit.step(at: t))
                expectNear(step.survival, c.surv[i], absolute: 1e-12, "\(c.name) S(\(t))")
                guard step.survival > 0, step.survival < 1 else { continue }
                expectNear(step.lower, c.lower[i], absolute: 1e-9, "\(c.name) lower(\(t))")
                expectNear(step.upper, c.upper[i], absolute: 1e-9, "\(c.name) upper(\(t))")
            }
        }
    }

    @Test func medianAgreesExceptOnAFlatAtOneHalf() throws {
        for c in try Self.fixture().km where !c.name.contains("0.5") {
            let fit = try KaplanMeier.fit(time: c.time, event: c.status.map { $0 == 1 })
            expectClose(fit.median?.estimate, c.median, relative: 1e-12, "\(c.name) median")
        }
    }

    @Test func logRankAgrees() throws {
        let r = try ReferenceFixture.load("survival-logrank", as: LogRankReferenceTests.Fixture.self)
        for c in try Self.fixture().logrank {
            let input = try #require(r.cases.first { $0.name == c.name })
            let result = try LogRankTest.test(
                time: input.time.doubles, event: input.status.doubles.map { $0 == 1 }, group: input.group.values)
            expectClose(result.chiSquare, c.chisq, relative: 1e-9, "\(c.name) chisq")
            expectClose(result.pValue, c.p, relative: 1e-9, "\(c.name) p")
        }
    }

    @Test func coxEfronAgrees() throws {
        let r = try ReferenceFixture.load("survival-cox", as: CoxReferenceTests.Fixture.self)
        for c in try Self.fixture().cox {
            let input = try #require(r.cases.first { $0.name == c.name && $0.ties == "efron" })
            let names = input.names.values
            let fit = try CoxRegression.fit(
                time: input.time.doubles, event: input.status.doubles.map { $0 == 1 },
                covariates: names.map { input.covariates[$0]?.doubles ?? [] }, names: names, concordance: true)
            for (k, coefficient) in fit.coefficients.enumerated() {
                expectClose(coefficient.coefficient, c.coef[k], relative: 1e-6, "\(c.name) coef")
                expectClose(coefficient.standardError, c.se[k], relative: 1e-6, "\(c.name) se")
            }
            expectClose(fit.logLikelihood, c.loglik, relative: 1e-9, "\(c.name) loglik")
            expectClose(fit.concordance, c.concordance, relative: 1e-9, "\(c.name) concordance")
        }
    }
}
