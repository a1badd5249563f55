import Foundation

/// A stored safety alert: a protocol safety rule fired on an observation or an adverse event and someone
/// must look at it. Acknowledging records who saw it and when; the alert itself is never deleted.
public struct SafetyAlertRecord: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable { case open, acknowledged }

    public var id: Identifier<SafetyAlertRecord>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>?
    /// The protocol safety rule that fired.
    public var ruleID: String
    public var action: SafetyAction
    public var message: String
    public var observationID: Identifier<Observation>?
    public var adverseEventID: Identifier<AdverseEvent>?
    public var raisedAt: Date
    public var status: Status
    public var acknowledgedBy: Actor?
    public var acknowledgedAt: Date?

    public init(
        id: Identifier<SafetyAlertRecord>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        ruleID: String, action: SafetyAction, message: String, observationID: Identifier<Observation>? = nil,
        adverseEventID: Identifier<AdverseEvent>? = nil, raisedAt: Date, status: Status = .open,
        acknowledgedBy: Actor? = nil, acknowledgedAt: Date? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.ruleID = ruleID
        self.action = action
        self.message = message
        self.observationID = observationID
        self.adverseEventID = adverseEventID
        self.raisedAt = raisedAt
        self.status = status
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
    }
}
