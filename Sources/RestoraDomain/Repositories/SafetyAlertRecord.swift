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
    /// The clinical date of what raised the alert: the observation's date or the adverse event's onset
    /// (issue #15 item 4), shown instead of `raisedAt`, the time the record was stored. Nil only on an alert
    /// whose source record is gone (migration 0039 fills the others).
    public var clinicalDate: CalendarDate?
    /// Why the acknowledging investigator closed the alert (required since issue #15; older alerts have none).
    public var acknowledgementComment: String?
    /// A hold (`holdDrug`) the alert put on the enrolment's treatment, lifted by an investigator with a reason
    /// (`TreatmentHolds.resume`): who, when, why. Nil while the hold stands (or for other actions).
    public var holdLiftedBy: Actor?
    public var holdLiftedAt: Date?
    public var holdLiftReason: String?

    /// A hold or a stop that still stands on the enrolment's treatment (docs/safety-actions.md): a stop
    /// stands for good; a hold until an investigator lifts it.
    public var blocksTreatment: Bool {
        switch action {
        case .stopTreatment: true
        case .holdDrug: holdLiftedAt == nil
        case .alert, .report: false
        }
    }

    public init(
        id: Identifier<SafetyAlertRecord>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        ruleID: String, action: SafetyAction, message: String, observationID: Identifier<Observation>? = nil,
        adverseEventID: Identifier<AdverseEvent>? = nil, raisedAt: Date, status: Status = .open,
        acknowledgedBy: Actor? = nil, acknowledgedAt: Date? = nil, clinicalDate: CalendarDate? = nil,
        acknowledgementComment: String? = nil, holdLiftedBy: Actor? = nil, holdLiftedAt: Date? = nil, holdLiftReason: String? = nil
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
        self.clinicalDate = clinicalDate
        self.acknowledgementComment = acknowledgementComment
        self.holdLiftedBy = holdLiftedBy
        self.holdLiftedAt = holdLiftedAt
        self.holdLiftReason = holdLiftReason
    }
}
