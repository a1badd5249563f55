import Foundation

/// Pointwise confidence interval for a survival curve, named as R's `survfit(conf.type=)`.
/// `logLog` is the default here and in lifelines ("exponential Greenwood"); R's default is `log`.
public enum SurvivalConfidenceType: String, Sendable, CaseIterable, Codable {
    case logLog = "log-log"
    case plain
    case log

    /// Limits for survival `s` whose log has standard error `seLog` (Greenwood), as R's survfit_confint:
    /// nil where the transformation is undefined (log at S = 0; log-log at S = 0 or 1).
    public func limits(survival s: Double, seLog: Double, z: Double) -> (lower: Double?, upper: Double?) {
        switch self {
        case .plain:
            let half = z * seLog * s
            if !half.isFinite { return (nil, nil) }
            return (max(s - half, 0), min(s + half, 1))
        case .log:
            if s == 0 || !seLog.isFinite { return (nil, nil) }
            return (exp(Foundation.log(s) - z * seLog), min(exp(Foundation.log(s) + z * seLog), 1))
        case .logLog:
            if s == 0 || s == 1 || !seLog.isFinite { return (nil, nil) }
            // S^a computed as exp(a·log S) with log S taken once.
            let logS = Foundation.log(s)
            let ratio = seLog / logS
            return (exp(logS * exp(-z * ratio)), exp(logS * exp(z * ratio)))
        }
    }
}
