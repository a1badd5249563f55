import Foundation

/// An action the user's role may not take (an HTTP 403): `rule` names who may. Raised by domain services so
/// that every door — API, web form, demo seeder — refuses the same way.
public struct RoleRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public var rule: String
    public var message: String

    public init(rule: String, message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(message) (rule: \(rule))" }

    /// Only an investigator signs a protocol deviation (ICH E6: the investigator is responsible for the
    /// conduct of the trial, REFERENCE.md H2; the signature's meaning, H1 11.50).
    public static let deviationSigner = "a protocol deviation is signed by an investigator"

    public static func requireInvestigator(_ actor: Actor, rule: String, doing what: String) throws {
        guard actor.role == "investigator" else {
            throw RoleRefusal(rule: rule, message: "only an investigator may \(what); you are signed in as \(actor.role ?? "an unknown role")")
        }
    }
}

/// The treatment side of the issue #14 pattern, shared by `CellTherapyEntry` and `MedicationEntry`: the
/// violations an action's check found either refuse it (the first one, nothing written), or — with a
/// `DeviationInput` from an investigator — let it through, to be stored with one `ProtocolDeviation` per
/// violation in the action's own transaction.
struct TreatmentJudgement {
    var violations: [ProtocolViolation]
    var protocolID: String
    var protocolVersion: String

    /// Throws the first violation's refusal when there is no deviation; checks who signs when there is one.
    /// A deviation sent with an action that breaks no rule is not stored (there is nothing to deviate from).
    func permit(_ deviation: DeviationInput?, context: AuditContext) throws -> (DeviationInput, String)? {
        guard let first = violations.first else { return nil }
        guard let deviation else { throw first.error }
        try RoleRefusal.requireInvestigator(context.actor, rule: RoleRefusal.deviationSigner, doing: "sign a protocol deviation")
        return (deviation, try deviation.requiredReason())
    }

    /// Stores one deviation per violation for the record just stored. Ids follow the record's
    /// (`<record id>-deviation-1` …), so a deviation belongs visibly to its record.
    func record(
        _ signed: (DeviationInput, String), participant: Identifier<Participant>, enrolment: Identifier<Enrolment>,
        recordKind: String, recordID: String, at instant: Date, repositories: Repositories, context: AuditContext
    ) async throws {
        var audit = context
        audit.reason = "protocol deviation signed: \(signed.1)"
        for (index, violation) in violations.enumerated() {
            let deviation = ProtocolDeviation(
                id: Identifier("\(recordID)-deviation-\(index + 1)"), participantID: participant, enrolmentID: enrolment,
                category: signed.0.category, rule: violation.rule, field: violation.field, reason: signed.1,
                recordKind: recordKind, recordID: recordID, protocolID: protocolID, protocolVersion: protocolVersion,
                signedBy: context.actor, signedAt: instant)
            _ = try await repositories.deviations.create(deviation, context: audit, idempotencyKey: nil)
        }
    }
}
