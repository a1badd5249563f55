/// Every way an analysis can refuse its input. Messages name the input at fault and are safe to show a user.
public enum StatsError: Error, Equatable, Sendable {
    /// An input value is outside its domain (NaN, negative time, probability outside [0, 1], …).
    case invalidInput(field: String, message: String)
    /// Not enough data for the analysis (empty group, n = 0, all censored where an estimate needs events, …).
    case insufficientData(String)
    /// A covariate or design that makes the model unidentifiable (no variance, collinear columns).
    case degenerateDesign(String)
    /// An iterative fit did not converge within its iteration limit.
    case didNotConverge(String)
    /// The data separate the outcome (logistic) or order the events (Cox) so that the maximum-likelihood
    /// estimate is infinite; a penalized fit (Firth) is the usual remedy.
    case separation(String)
}

extension StatsError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidInput(field, message): return "\(field): \(message)"
        case let .insufficientData(message): return "insufficient data: \(message)"
        case let .degenerateDesign(message): return "degenerate design: \(message)"
        case let .didNotConverge(message): return "did not converge: \(message)"
        case let .separation(message): return "separation: \(message)"
        }
    }
}
