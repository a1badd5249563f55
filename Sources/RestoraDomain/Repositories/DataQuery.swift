import Foundation

/// A monitor's question about recorded data ("visit 3 triglycerides: value or unit wrong?"), answered by the
/// site and closed by the monitor. It is how a monitor acts on data without writing clinical records.
public struct DataQuery: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable { case open, answered, closed }

    public var id: Identifier<DataQuery>
    public var participantID: Identifier<Participant>
    /// The record asked about, e.g. kind "observations" and its id; nil for the participant as a whole.
    public var recordKind: String?
    public var recordID: String?
    public var field: String?
    public var question: String
    public var raisedBy: Actor
    public var raisedAt: Date
    public var answer: String?
    public var answeredBy: Actor?
    public var status: Status
    /// Who closed the query, when, and their note (migration 0039, issue #19): a closed query stays readable.
    public var closedBy: Actor?
    public var closedAt: Date?
    public var closeNote: String?

    public init(
        id: Identifier<DataQuery>, participantID: Identifier<Participant>, recordKind: String? = nil, recordID: String? = nil,
        field: String? = nil, question: String, raisedBy: Actor, raisedAt: Date, answer: String? = nil,
        answeredBy: Actor? = nil, status: Status = .open, closedBy: Actor? = nil, closedAt: Date? = nil, closeNote: String? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.recordKind = recordKind
        self.recordID = recordID
        self.field = field
        self.question = question
        self.raisedBy = raisedBy
        self.raisedAt = raisedAt
        self.answer = answer
        self.answeredBy = answeredBy
        self.status = status
        self.closedBy = closedBy
        self.closedAt = closedAt
        self.closeNote = closeNote
    }
}

/// Data queries of a participant: raised, answered and closed under the version check.
public protocol DataQueryRepository: ClinicalRecordRepository where Record == DataQuery {}
