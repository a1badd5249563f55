import Foundation

/// A global test of all coefficients being zero.
public struct ModelChiSquareTest: Sendable, Equatable, Codable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double

    init(statistic: Double, degreesOfFreedom: Int) {
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        pValue = ChiSquared.sf(max(statistic, 0), df: Double(degreesOfFreedom))
    }
}

/// One coefficient of a Cox model: log hazard ratio and its Wald inference.
public struct CoxCoefficient: Sendable, Equatable, Codable {
    public let name: String
    public let coefficient: Double
    public let standardError: Double
    public let hazardRatio: Double
    public let lower: Double
    public let upper: Double
    public let z: Double
    public let pValue: Double
}

/// A fitted Cox proportional-hazards model, as R's `summary(coxph(...))`.
public struct CoxModel: Sendable, Codable {
    public let coefficients: [CoxCoefficient]
    /// Row-major p×p covariance of the coefficients (inverse information at β̂).
    public let covariance: [Double]
    public let subjects: Int
    public let events: Int
    public let ties: CoxTies
    public let confidenceLevel: Double
    public let nullLogLikelihood: Double
    public let logLikelihood: Double
    public let likelihoodRatioTest: ModelChiSquareTest
    public let waldTest: ModelChiSquareTest
    /// Score (log-rank) test at β = 0.
    public let scoreTest: ModelChiSquareTest
    public let iterations: Int
    /// Harrell's C as R's coxph reports it (nil unless requested).
    public let concordance: Double?
}
