/// A rule of the domain refused an input or an action. Messages are safe to show a user: they name the
/// field or record at fault and never contain patient data beyond what the user just entered.
public enum DomainError: Error, Equatable, Sendable {
    /// A value is missing, malformed or outside its allowed range. `field` is a path such as `birthDate`.
    case invalidValue(field: String, message: String)
    /// A state change that the rules do not allow (e.g. an illegal enrolment transition).
    case illegalTransition(from: String, to: String, message: String)
    /// A referenced record, code or protocol does not exist.
    case notFound(kind: String, id: String, message: String)
    /// The protocol refuses the input: `rule` names the protocol rule (so the user can find it), `field` the
    /// input it judged. An investigator may let it through by recording a `ProtocolDeviation` (issue #14).
    case protocolRule(rule: String, field: String, message: String)
}

extension DomainError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidValue(field, message): return "\(field): \(message)"
        case let .illegalTransition(_, _, message): return message
        case let .notFound(_, _, message): return message
        case let .protocolRule(rule, field, message): return "\(field): \(message) (protocol rule: \(rule))"
        }
    }
}
