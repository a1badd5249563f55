import Foundation

/// Maximum likelihood (R `glm(family = binomial)`) or Firth's penalized likelihood (R `logistf`).
public enum LogisticMethod: String, Sendable, Codable {
    case maximumLikelihood = "ml"
    case firth
}

public struct LogisticCoefficient: Sendable, Equatable, Codable {
    public let name: String
    public let estimate: Double
    /// √diag of the inverse Fisher information at the estimate (logistf uses the same for Firth).
    public let standardError: Double
    public let z: Double
    /// ML: Wald p (as summary.glm). Firth: penalized likelihood-ratio p (as logistf).
    public let pValue: Double
    public let oddsRatio: Double
    public let waldLower: Double
    public let waldUpper: Double
    /// Profile (penalized) likelihood limits on the coefficient scale; nil if not requested.
    public let profileLower: Double?
    public let profileUpper: Double?
}

public struct LogisticModel: Sendable, Codable {
    public let method: LogisticMethod
    public let coefficients: [LogisticCoefficient]
    public let observations: Int
    public let events: Int
    /// −2·log-likelihood (unpenalized) at the estimate.
    public let deviance: Double
    public let nullDeviance: Double
    /// deviance + 2·parameters (ML only, as R; nil for Firth whose likelihood is penalized).
    public let aic: Double?
    public let logLikelihood: Double
    /// Penalized log-likelihood (Firth only).
    public let penalizedLogLikelihood: Double?
    public let iterations: Int
    public let confidenceLevel: Double
}
