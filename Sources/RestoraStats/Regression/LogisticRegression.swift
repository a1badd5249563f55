import Foundation

/// Logistic regression with an intercept: ordinary maximum likelihood (Newton = IRLS for the canonical
/// link) or Firth's penalized likelihood. Ordinary ML refuses separated data rather than reporting
/// the huge, meaningless coefficients glm prints; Firth gives finite estimates there.
public enum LogisticRegression {
    public static func fit(
        outcome: [Double], covariates: [[Double]], names: [String], outcomeName: String = "outcome",
        method: LogisticMethod = .maximumLikelihood, confidenceLevel: Double = 0.95, profileIntervals: Bool = true
    ) throws -> LogisticModel {
        let n = outcome.count
        guard covariates.count == names.count else {
            throw StatsError.invalidInput(field: "covariates", message: "each covariate needs a name")
        }
        for (column, name) in zip(covariates, names) where column.count != n {
            throw StatsError.invalidInput(field: name, message: "has \(column.count) values but \(outcomeName) has \(n)")
        }
        guard confidenceLevel > 0, confidenceLevel < 1 else {
            throw StatsError.invalidInput(field: "confidence level", message: "must be strictly between 0 and 1")
        }
        guard n > 0 else { throw StatsError.insufficientData("no observations") }
        if let i = outcome.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw StatsError.invalidInput(field: outcomeName, message: "value at row \(i + 1) is \(outcome[i]); must be 0 or 1")
        }
        let events = Int(outcome.reduce(0, +))
        if events == 0 || events == n {
            throw StatsError.degenerateDesign("outcome '\(outcomeName)' has no variation (every value is \(events == 0 ? 0 : 1))")
        }
        try DesignMatrixCheck.requireIdentifiable(columns: covariates, names: names, intercept: true)

        let p = covariates.count + 1
        let allNames = ["(Intercept)"] + names
        var x = [Double](repeating: 0, count: n * p)
        for i in 0..<n {
            x[i * p] = 1
            for k in 0..<covariates.count { x[i * p + k + 1] = covariates[k][i] }
        }
        let likelihood = LogisticLikelihood(n: n, p: p, x: x, y: outcome, firth: method == .firth)
        let newton = LogisticNewton(likelihood: likelihood)
        // Start at the intercept-only estimate.
        let rate = Double(events) / Double(n)
        var start = [Double](repeating: 0, count: p)
        start[0] = log(rate / (1 - rate))
        guard let full = newton.fit(start: start) else {
            throw StatsError.didNotConverge("logistic regression could not be evaluated at its starting values")
        }
        if method == .maximumLikelihood {
            try checkSeparation(full, names: allNames, covariates: covariates, outcomeName: outcomeName)
        } else if !full.converged {
            throw StatsError.didNotConverge("Firth logistic regression after \(full.iterations) iterations")
        }
        guard let covariance = full.evaluation.information.inverse() else {
            throw StatsError.degenerateDesign("information matrix is singular at the estimate")
        }
        let z = Normal.quantile(1 - (1 - confidenceLevel) / 2)
        let profile = ProfileLikelihood(newton: newton, full: full)
        var coefficients: [LogisticCoefficient] = []
        for k in 0..<p {
            let b = full.beta[k]
            let se = covariance[k, k].squareRoot()
            var pValue = 2 * Normal.sf(abs(b / se))
            if method == .firth {
                guard let statistic = profile.testStatistic(index: k) else {
                    throw StatsError.didNotConverge("penalized likelihood-ratio test for '\(allNames[k])'")
                }
                pValue = ChiSquared.sf(statistic, df: 1)
            }
            let limits = profileIntervals
                ? try profile.interval(index: k, standardError: se, level: confidenceLevel, name: allNames[k]) : nil
            coefficients.append(LogisticCoefficient(
                name: allNames[k], estimate: b, standardError: se, z: b / se, pValue: pValue, oddsRatio: exp(b),
                waldLower: b - z * se, waldUpper: b + z * se, profileLower: limits?.0, profileUpper: limits?.1))
        }
        let loglik = full.evaluation.logLikelihood
        let nullLoglik = Double(events) * log(rate) + Double(n - events) * log(1 - rate)
        return LogisticModel(
            method: method, coefficients: coefficients, observations: n, events: events,
            deviance: -2 * loglik, nullDeviance: -2 * nullLoglik,
            aic: method == .maximumLikelihood ? -2 * loglik + 2 * Double(p) : nil,
            logLikelihood: loglik,
            penalizedLogLikelihood: method == .firth ? full.evaluation.objective : nil,
            iterations: full.iterations, confidenceLevel: confidenceLevel)
    }

    /// Complete or quasi-complete separation makes the ML estimate infinite: Newton then never settles,
    /// the information turns singular, or fitted probabilities reach 0 or 1. Name the covariate whose
    /// standardized coefficient is largest, the one driving the separation.
    static func checkSeparation(
        _ fit: LogisticNewton.Result, names: [String], covariates: [[Double]], outcomeName: String
    ) throws {
        guard !fit.converged || fit.evaluation.maxAbsLinearPredictor > 30 else { return }
        var worst = 0
        var worstSize = -1.0
        for (k, column) in covariates.enumerated() {
            let mean = column.reduce(0, +) / Double(column.count)
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)).squareRoot()
            let size = abs(fit.beta[k + 1]) * sd
            if size > worstSize { worstSize = size; worst = k + 1 }
        }
        throw StatsError.separation(
            "'\(outcomeName)' is completely or quasi-completely separated by '\(names[worst])': "
                + "fitted probabilities reach 0 or 1 and the maximum-likelihood estimate is infinite; "
                + "use Firth's penalized likelihood (--firth)")
    }
}
