/// Who is writing (or reading) clinical data, in which request and why. Every repository write takes one,
/// so the audit entry is written by the storage in the same transaction as the change itself.
public struct AuditContext: Hashable, Sendable {
    public var actor: Actor
    /// Correlates the audit entry with the server log line and the client's error report.
    public var requestID: String
    /// Why recorded clinical data is being changed; required for updates and deletions of clinical records.
    public var reason: String?

    public init(actor: Actor, requestID: String, reason: String? = nil) {
        self.actor = actor
        self.requestID = requestID
        self.reason = reason
    }

    /// The trimmed reason, or nil when none was given (blank counts as none).
    public var trimmedReason: String? {
        guard let text = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
