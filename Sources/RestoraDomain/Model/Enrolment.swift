import Foundation

/// One participant's journey through one program, with every status change kept.
public struct Enrolment: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var programID: Identifier<Program>
    public var siteID: Identifier<Site>
    public var armID: String?
    public private(set) var status: EnrolmentStatus
    public private(set) var transitions: [StatusTransition]
    /// The protocol version the enrolment runs under (issue #14 item 7, docs/amendments.md): the program's
    /// version when it was created; it moves only by an explicit re-consent. Nil on a value not yet stored:
    /// storage fills it from the program.
    public var protocolVersion: String?
    /// Set when the study treatment was discontinued for good (a protocol stop rule, issue #15 item 4): the
    /// enrolment is then in follow-up — "treatment discontinued, in follow-up" — its visits continue and the
    /// report keeps the participant in the analysis as treated (docs/safety-actions.md).
    public var treatmentDiscontinuation: TreatmentDiscontinuation?

    public init(
        id: Identifier<Enrolment>, participantID: Identifier<Participant>, programID: Identifier<Program>,
        siteID: Identifier<Site>, armID: String? = nil, status: EnrolmentStatus = .prescreened,
        transitions: [StatusTransition] = [], protocolVersion: String? = nil,
        treatmentDiscontinuation: TreatmentDiscontinuation? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.programID = programID
        self.siteID = siteID
        self.armID = armID
        self.status = status
        self.transitions = transitions
        self.protocolVersion = protocolVersion
        self.treatmentDiscontinuation = treatmentDiscontinuation
    }

    /// Moves to `next` if the state machine allows it; records who, when and why.
    /// A reason is required: a transition without one would leave the audit trail unable to say why.
    @discardableResult
    public mutating func transition(to next: EnrolmentStatus, by actor: Actor, at instant: Date, reason: String) throws -> StatusTransition {
        guard status.canMove(to: next) else {
            let allowed = status.allowedNext.map(\.rawValue).sorted()
            let hint = allowed.isEmpty ? "\(status.rawValue) is final" : "allowed from \(status.rawValue): \(allowed.joined(separator: ", "))"
            throw DomainError.illegalTransition(
                from: status.rawValue, to: next.rawValue,
                message: "cannot move an enrolment from \(status.rawValue) to \(next.rawValue) (\(hint))")
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "a reason is required for a status change")
        }
        let record = StatusTransition(from: status, to: next, actor: actor, at: instant, reason: trimmed)
        transitions.append(record)
        status = next
        return record
    }
}

public struct StatusTransition: Hashable, Sendable, Codable {
    public var from: EnrolmentStatus
    public var to: EnrolmentStatus
    public var actor: Actor
    public var at: Date
    public var reason: String

    public init(from: EnrolmentStatus, to: EnrolmentStatus, actor: Actor, at: Date, reason: String) {
        self.from = from
        self.to = to
        self.actor = actor
        self.at = at
        self.reason = reason
    }
}

/// Why and when the study treatment of an enrolment stopped for good: the clinical date of the event, the
/// reason, and the safety alert whose stop rule decided it.
public struct TreatmentDiscontinuation: Hashable, Sendable, Codable {
    public var on: CalendarDate
    public var reason: String
    public var alertID: Identifier<SafetyAlertRecord>?

    public init(on: CalendarDate, reason: String, alertID: Identifier<SafetyAlertRecord>? = nil) {
        self.on = on
        self.reason = reason
        self.alertID = alertID
    }
}
