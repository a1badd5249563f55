import Foundation

public struct LinearCoefficient: Sendable, Equatable, Codable {
    public let name: String
    public let estimate: Double
    public let standardError: Double
    public let t: Double
    public let pValue: Double
    public let lower: Double
    public let upper: Double
}

/// Ordinary least squares with an intercept, as R's `summary(lm())` and `confint()`.
public struct LinearModel: Sendable, Codable {
    public let coefficients: [LinearCoefficient]
    public let observations: Int
    public let residualDegreesOfFreedom: Int
    /// Residual standard error σ̂.
    public let sigma: Double
    public let rSquared: Double
    public let adjustedRSquared: Double
    /// Overall F test of all slopes being zero (nil with no covariates).
    public let fStatistic: Double?
    public let fNumeratorDegreesOfFreedom: Int
    public let fPValue: Double?
    public let confidenceLevel: Double
}

public enum LinearRegression {
    /// Solved by Householder QR of the design (never the normal equations, which square the condition number).
    public static func fit(
        outcome: [Double], covariates: [[Double]], names: [String], outcomeName: String = "outcome",
        confidenceLevel: Double = 0.95
    ) throws -> LinearModel {
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
        try DesignMatrixCheck.requireFinite(outcome, name: outcomeName)
        let p = covariates.count + 1
        guard n > p else {
            throw StatsError.insufficientData("\(n) observations leave no residual degrees of freedom for \(p) parameters")
        }
        try DesignMatrixCheck.requireIdentifiable(columns: covariates, names: names, intercept: true)
        let qr = HouseholderQR(columns: [[Double](repeating: 1, count: n)] + covariates)
        if let j = qr.firstDependentColumn {
            throw StatsError.degenerateDesign("covariate '\(j == 0 ? "(Intercept)" : names[j - 1])' is collinear")
        }
        let beta = qr.solve(outcome)
        var rss = 0.0
        for i in 0..<n {
            var fitted = beta[0]
            for k in 0..<covariates.count { fitted += beta[k + 1] * covariates[k][i] }
            rss += (outcome[i] - fitted) * (outcome[i] - fitted)
        }
        let mean = outcome.reduce(0, +) / Double(n)
        let tss = outcome.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let dfResidual = n - p
        let sigma2 = rss / Double(dfResidual)
        let covariance = qr.unscaledCovariance()
        let tCritical = StudentT.quantile(1 - (1 - confidenceLevel) / 2, df: Double(dfResidual))
        let allNames = ["(Intercept)"] + names
        let coefficients = (0..<p).map { k -> LinearCoefficient in
            let se = (sigma2 * covariance[k, k]).squareRoot()
            let t = beta[k] / se
            return LinearCoefficient(
                name: allNames[k], estimate: beta[k], standardError: se, t: t,
                pValue: 2 * StudentT.sf(abs(t), df: Double(dfResidual)),
                lower: beta[k] - tCritical * se, upper: beta[k] + tCritical * se)
        }
        let rSquared = tss > 0 ? 1 - rss / tss : 0
        let dfModel = p - 1
        let adjusted = 1 - (1 - rSquared) * Double(n - 1) / Double(dfResidual)
        let f = dfModel > 0 && rss > 0 ? ((tss - rss) / Double(dfModel)) / sigma2 : nil
        return LinearModel(
            coefficients: coefficients, observations: n, residualDegreesOfFreedom: dfResidual,
            sigma: sigma2.squareRoot(), rSquared: rSquared, adjustedRSquared: adjusted,
            fStatistic: f, fNumeratorDegreesOfFreedom: dfModel,
            fPValue: f.map { FDistribution.sf($0, df1: Double(dfModel), df2: Double(dfResidual)) },
            confidenceLevel: confidenceLevel)
    }
}
