import Foundation
import Testing
@testable import RestoraStats

/// Logistic regression against R glm + exact profile roots (regression-logistic.json), MASS::confint,
/// statsmodels GLM (regression-statsmodels.json) and, for Firth, firthmodels (regression-firth.json).
/// Fits are iterative: 1e-6 relative. MASS interpolates the profile with a spline on a grid, so it is
/// only checked to 1e-2 relative against our exact roots (observed differences up to 3.5e-3).
struct LogisticReferenceTests {
    struct RFixture: Decodable { let cases: [RCase] }
    struct RCase: Decodable {
        let name: String
        let y: RVector
        let covariates: [String: RVector]
        let names: RStrings
        let coef, se, z, p, deviance, null_deviance, aic, wald_lower, wald_upper: RVector
        let profile_lower, profile_upper, mass_profile_lower, mass_profile_upper: RVector
    }
    struct FirthFixture: Decodable { let cases: [FirthCase] }
    struct FirthCase: Decodable {
        let name: String
        let y: [Double]
        let covariates: [String: [Double]]
        let names: [String]
        let coef, se_logistf_formula_numpy, p, lower, upper: [Double]
        let penalized_loglik: Double
    }
    struct StatsmodelsFixture: Decodable { let logistic: [SMCase] }
    struct SMCase: Decodable { let name: String; let coef, se, p: [Double]; let deviance, aic: Double }

    static let iterative = 1e-6

    @Test func maximumLikelihoodMatchesGlm() throws {
        let statsmodels = try ReferenceFixture.load("regression-statsmodels", as: StatsmodelsFixture.self).logistic
        for c in try ReferenceFixture.load("regression-logistic", as: RFixture.self).cases {
            let names = c.names.values
            let fit = try LogisticRegression.fit(
                outcome: c.y.doubles, covariates: names.map { c.covariates[$0]?.doubles ?? [] }, names: names)
            for (k, coefficient) in fit.coefficients.enumerated() {
                let label = "\(c.name) \(coefficient.name)"
                expectClose(coefficient.estimate, c.coef[k], relative: Self.iterative, "\(label) coef")
                expectClose(coefficient.standardError, c.se[k], relative: Self.iterative, "\(label) se")
                expectClose(coefficient.z, c.z[k], relative: Self.iterative, "\(label) z")
                expectClose(coefficient.pValue, c.p[k], relative: Self.iterative, "\(label) p")
                // Wald limits can sit near 0 (cancellation): compare on the scale of the SE.
                let seScale = Self.iterative * coefficient.standardError
                expectNear(coefficient.waldLower, c.wald_lower[k], absolute: seScale, "\(label) Wald lower")
                expectNear(coefficient.waldUpper, c.wald_upper[k], absolute: seScale, "\(label) Wald upper")
                expectClose(coefficient.profileLower, c.profile_lower[k], relative: Self.iterative, "\(label) profile lower")
                expectClose(coefficient.profileUpper, c.profile_upper[k], relative: Self.iterative, "\(label) profile upper")
                expectClose(coefficient.profileLower, c.mass_profile_lower[k], relative: 1e-2, "\(label) MASS lower")
                expectClose(coefficient.profileUpper, c.mass_profile_upper[k], relative: 1e-2, "\(label) MASS upper")
                if let sm = statsmodels.first(where: { $0.name == c.name }) {
                    expectClose(coefficient.estimate, sm.coef[k], relative: Self.iterative, "\(label) statsmodels coef")
                    expectClose(coefficient.standardError, sm.se[k], relative: Self.iterative, "\(label) statsmodels se")
                }
            }
            expectClose(fit.deviance, c.deviance[0], relative: 1e-9, "\(c.name) deviance")
            expectClose(fit.nullDeviance, c.null_deviance[0], relative: 1e-9, "\(c.name) null deviance")
            expectClose(fit.aic, c.aic[0], relative: 1e-9, "\(c.name) AIC")
        }
    }

    @Test func firthMatchesFirthmodels() throws {
        for c in try ReferenceFixture.load("regression-firth", as: FirthFixture.self).cases {
            let fit = try LogisticRegression.fit(
                outcome: c.y, covariates: c.names.map { c.covariates[$0] ?? [] }, names: c.names, method: .firth)
            for (k, coefficient) in fit.coefficients.enumerated() {
                let label = "\(c.name) \(coefficient.name)"
                expectClose(coefficient.estimate, c.coef[k], relative: Self.iterative, "\(label) coef")
                // logistf's SE definition, (X'WX)⁻¹ at the penalized estimate (see stats_survival.py).
                expectClose(coefficient.standardError, c.se_logistf_formula_numpy[k], relative: Self.iterative, "\(label) se")
                expectClose(coefficient.pValue, c.p[k], relative: Self.iterative, "\(label) PLR p")
                expectClose(coefficient.profileLower, c.lower[k], relative: Self.iterative, "\(label) PL lower")
                expectClose(coefficient.profileUpper, c.upper[k], relative: Self.iterative, "\(label) PL upper")
            }
            expectClose(fit.penalizedLogLikelihood, c.penalized_loglik, relative: 1e-9, "\(c.name) penalized loglik")
        }
    }

    @Test func separationIsRefusedByMaximumLikelihoodAndNamed() {
        #expect {
            try LogisticRegression.fit(
                outcome: [0, 0, 0, 0, 1, 1, 1, 1, 1], covariates: [[1, 2, 3, 4, 5, 6, 7, 8, 9]], names: ["dose"])
        } throws: { error in
            guard case let .separation(message) = error as? StatsError else { return false }
            return message.contains("'dose'") && message.contains("--firth")
        }
    }

    @Test func outcomeMustBeBinaryAndVary() {
        #expect(throws: StatsError.invalidInput(field: "outcome", message: "value at row 2 is 2.0; must be 0 or 1")) {
            try LogisticRegression.fit(outcome: [0, 2, 1], covariates: [[1, 2, 3]], names: ["x"])
        }
        #expect(throws: StatsError.degenerateDesign("outcome 'outcome' has no variation (every value is 0)")) {
            try LogisticRegression.fit(outcome: [0, 0, 0], covariates: [[1, 2, 3]], names: ["x"])
        }
        #expect(throws: StatsError.degenerateDesign("covariate 'age' has no variance (every value is 40.0)")) {
            try LogisticRegression.fit(outcome: [0, 1, 1], covariates: [[40, 40, 40]], names: ["age"], method: .firth)
        }
    }
}
