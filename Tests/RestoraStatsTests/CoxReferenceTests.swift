import Foundation
import Testing
@testable import RestoraStats

/// Cox proportional hazards against R survival's coxph run to eps = 1e-10 (survival-cox.json).
/// Newton–Raphson is iterative: coefficients, SEs and tests agree to 1e-6 relative (documented tolerance
/// for iterative fits); the log-likelihoods to 1e-9.
struct CoxReferenceTests {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let name: String
        let ties: String
        let time, status: RVector
        let covariates: [String: RVector]
        let names: RStrings
        let coef, se, hr, lower, upper, z, p: RVector
        let loglik_null, loglik, lr, wald, score, concordance: RVector
    }

    static let iterative = 1e-6

    @Test func matchesCoxph() throws {
        for c in try ReferenceFixture.load("survival-cox", as: Fixture.self).cases {
            let names = c.names.values
            let ties = try #require(CoxTies(rawValue: c.ties))
            let fit = try CoxRegression.fit(
                time: c.time.doubles, event: c.status.doubles.map { $0 == 1 },
                covariates: names.map { c.covariates[$0]?.doubles ?? [] }, names: names,
                ties: ties, concordance: true)
            let label = "\(c.name) [\(c.ties)]"
            for (k, coefficient) in fit.coefficients.enumerated() {
                expectClose(coefficient.coefficient, c.coef[k], relative: Self.iterative, "\(label) coef \(names[k])")
                expectClose(coefficient.standardError, c.se[k], relative: Self.iterative, "\(label) se")
                expectClose(coefficient.hazardRatio, c.hr[k], relative: Self.iterative, "\(label) HR")
                expectClose(coefficient.lower, c.lower[k], relative: Self.iterative, "\(label) lower")
                expectClose(coefficient.upper, c.upper[k], relative: Self.iterative, "\(label) upper")
                expectClose(coefficient.z, c.z[k], relative: Self.iterative, "\(label) z")
                expectClose(coefficient.pValue, c.p[k], relative: Self.iterative, "\(label) p")
            }
            expectClose(fit.nullLogLikelihood, c.loglik_null[0], relative: 1e-9, "\(label) loglik null")
            expectClose(fit.logLikelihood, c.loglik[0], relative: 1e-9, "\(label) loglik")
            expectClose(fit.likelihoodRatioTest.statistic, c.lr[0], relative: Self.iterative, "\(label) LR")
            expectClose(fit.waldTest.statistic, c.wald[0], relative: Self.iterative, "\(label) Wald")
            expectClose(fit.scoreTest.statistic, c.score[0], relative: 1e-9, "\(label) score")
            expectClose(fit.concordance, c.concordance[0], relative: 1e-9, "\(label) concordance")
        }
    }

    @Test func zeroEventsAreRefused() {
        #expect(throws: StatsError.insufficientData("no events: a Cox model needs at least one event")) {
            try CoxRegression.fit(time: [1, 2, 3], event: [false, false, false], covariates: [[0, 1, 0]], names: ["x"])
        }
    }

    @Test func constantCovariateIsNamed() {
        #expect(throws: StatsError.degenerateDesign("covariate 'sex' has no variance (every value is 1.0)")) {
            try CoxRegression.fit(time: [1, 2, 3], event: [true, false, true], covariates: [[1, 1, 1]], names: ["sex"])
        }
    }

    @Test func collinearCovariateIsNamed() {
        #expect(throws: StatsError.self) {
            try CoxRegression.fit(
                time: [1, 2, 3, 4, 5], event: [true, false, true, true, true],
                covariates: [[1, 2, 3, 4, 5], [2, 4, 6, 8, 10]], names: ["dose", "dose2"])
        }
    }

    @Test func monotoneLikelihoodIsRefusedNotPrintedAsAHugeHazardRatio() {
        // Every event is in group 1 and happens before any group-0 time: β̂ = +∞.
        #expect(throws: StatsError.self) {
            try CoxRegression.fit(
                time: [1, 2, 3, 4, 5, 6], event: [true, true, true, false, false, false],
                covariates: [[1, 1, 1, 0, 0, 0]], names: ["treated"])
        }
    }
}
