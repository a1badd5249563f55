import Foundation

/// Acknowledging a safety alert, the one way the JSON API, the web forms and the demo take (issue #15 item 4):
/// an investigator or an admin (the person responsible for the participant's safety, not whoever entered the
/// data) closes an open alert with a comment saying what they did or decided; the alert keeps who, when and
/// the comment, and the audit entry carries the comment as its reason. A blank comment is refused naming
/// `comment` with nothing written. Acknowledging closes the review; it does not lift a hold (`TreatmentHolds`).
public struct AlertAcknowledgement: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public static let rule = "a safety alert is acknowledged by an investigator or an admin"

    public static func allowed(_ actor: Actor) -> Bool { actor.role == "investigator" || actor.role == "admin" }

    /// The trimmed comment, or the refusal naming `comment`.
    public static func comment(_ text: String?) throws -> String {
        let comment = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !comment.isEmpty else {
            throw DomainError.invalidValue(field: "comment", message: "say what was done or decided about this alert (the comment is kept with it)")
        }
        return comment
    }

    public func acknowledge(
        _ id: Identifier<SafetyAlertRecord>, comment text: String?, expectedVersion: Int, now: Date, context: AuditContext
    ) async throws -> Versioned<SafetyAlertRecord> {
        guard Self.allowed(context.actor) else {
            throw RoleRefusal(rule: Self.rule, message: "only an investigator or an admin acknowledges a safety alert")
        }
        let comment = try Self.comment(text)
        let stored = try await repositories.safetyAlerts.get(id)
        guard stored.value.status == .open else {
            throw DomainError.illegalTransition(from: stored.value.status.rawValue, to: "acknowledged", message: "the alert is already acknowledged")
        }
        var alert = stored.value
        alert.status = .acknowledged
        alert.acknowledgedBy = context.actor
        alert.acknowledgedAt = now
        alert.acknowledgementComment = comment
        var audit = context
        audit.reason = "acknowledged: \(comment)"
        return try await repositories.safetyAlerts.update(alert, expectedVersion: expectedVersion, context: audit)
    }
}
