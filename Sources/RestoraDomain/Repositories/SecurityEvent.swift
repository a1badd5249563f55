/// Something security-relevant that is not a change of a clinical record, such as a sign-in lock-out.
/// It is appended to the hash-chained audit trail (action `security`, table `security_events`,
/// record id = `subject`), so auditors find it where they find everything else.
public struct SecurityEvent: Hashable, Sendable {
    /// What happened, e.g. `sign_in_lockout`.
    public var kind: String
    /// Who or what it concerns, e.g. `account:u-carla`, `account:#3f2a…` (an unknown username, hashed) or
    /// `client:203.0.113.9`. Never a password, never patient data.
    public var subject: String
    /// Facts as field/value pairs (counts, seconds, the client address).
    public var details: [String: String]

    public init(kind: String, subject: String, details: [String: String] = [:]) {
        self.kind = kind
        self.subject = subject
        self.details = details
    }

    public static let table = "security_events"
}
