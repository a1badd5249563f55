import Foundation
import Testing
@testable import RestoraStats

/// Linear regression against R's lm (regression-linear.json) and statsmodels OLS. QR least squares is
/// a direct method: 1e-9 relative.
struct LinearRegressionReferenceTests {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let name: String
        let y: RVector
        let covariates: [String: RVector]
        let names: RStrings
        let coef, se, t, p, lower, upper, sigma, r_squared, adj_r_squared, f, f_df1, f_df2, f_p: RVector
    }

    @Test func matchesLm() throws {
        for c in try ReferenceFixture.load("regression-linear", as: Fixture.self).cases {
            let names = c.names.values
            let fit = try LinearRegression.fit(
                outcome: c.y.doubles, covariates: names.map { c.covariates[$0]?.doubles ?? [] }, names: names)
            for (k, coefficient) in fit.coefficients.enumerated() {
                let label = "\(c.name) \(coefficient.name)"
                expectClose(coefficient.estimate, c.coef[k], relative: 1e-9, "\(label) coef")
                expectClose(coefficient.standardError, c.se[k], relative: 1e-9, "\(label) se")
                expectClose(coefficient.t, c.t[k], relative: 1e-9, "\(label) t")
                expectClose(coefficient.pValue, c.p[k], relative: 1e-9, "\(label) p")
                expectClose(coefficient.lower, c.lower[k], relative: 1e-9, "\(label) lower")
                expectClose(coefficient.upper, c.upper[k], relative: 1e-9, "\(label) upper")
            }
            expectClose(fit.sigma, c.sigma[0], relative: 1e-9, "\(c.name) sigma")
            expectClose(fit.rSquared, c.r_squared[0], relative: 1e-9, "\(c.name) R²")
            expectClose(fit.adjustedRSquared, c.adj_r_squared[0], relative: 1e-9, "\(c.name) adjusted R²")
            expectClose(fit.fStatistic, c.f[0], relative: 1e-9, "\(c.name) F")
            #expect(Double(fit.fNumeratorDegreesOfFreedom) == c.f_df1[0])
            #expect(Double(fit.residualDegreesOfFreedom) == c.f_df2[0])
            expectClose(fit.fPValue, c.f_p[0], relative: 1e-9, "\(c.name) F p")
        }
    }

    @Test func collinearColumnIsNamed() {
        #expect(throws: StatsError.degenerateDesign("covariate 'weight_lb' is collinear with the intercept and earlier covariates")) {
            try LinearRegression.fit(
                outcome: [1, 2, 3, 5, 4], covariates: [[60, 70, 80, 90, 75], [132, 154, 176, 198, 165]],
                names: ["weight_kg", "weight_lb"])
        }
    }

    @Test func noVarianceIsNamed() {
        #expect(throws: StatsError.degenerateDesign("covariate 'sex' has no variance (every value is 1.0)")) {
            try LinearRegression.fit(outcome: [1, 2, 3], covariates: [[1, 1, 1]], names: ["sex"])
        }
    }

    @Test func nanOutcomeIsNamed() {
        #expect(throws: StatsError.invalidInput(field: "score", message: "value at row 2 is not a finite number")) {
            try LinearRegression.fit(outcome: [1, .nan, 3, 4], covariates: [[1, 2, 3, 5]], names: ["x"], outcomeName: "score")
        }
    }
}
