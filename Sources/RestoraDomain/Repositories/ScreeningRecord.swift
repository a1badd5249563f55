import Foundation

/// A stored screening: the eligibility engine's verdict for one enrolment on one date, with the result of
/// every criterion, and who ran it. Screenings are appended, never edited: screening again makes a new one.
public struct ScreeningRecord: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<ScreeningRecord>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>
    public var protocolID: String
    public var protocolVersion: String
    public var screenedOn: CalendarDate
    public var verdict: EligibilityReport.Verdict
    public var report: EligibilityReport
    public var screenedBy: Actor

    public init(
        id: Identifier<ScreeningRecord>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>,
        report: EligibilityReport, screenedBy: Actor
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.protocolID = report.protocolID
        self.protocolVersion = report.protocolVersion
        self.screenedOn = report.date
        self.verdict = report.verdict
        self.report = report
        self.screenedBy = screenedBy
    }
}

/// What the eligibility gate asks of a stored screening: the protocol version it judged against, its date and
/// verdict, and when it was stored (to order two screenings of one day) — without the criterion-by-criterion report.
public struct ScreeningVerdict: Hashable, Sendable {
    public var protocolID: String
    public var protocolVersion: String
    public var screenedOn: CalendarDate
    public var verdict: EligibilityReport.Verdict
    public var storedAt: Date

    public init(protocolID: String, protocolVersion: String, screenedOn: CalendarDate, verdict: EligibilityReport.Verdict, storedAt: Date) {
        self.protocolID = protocolID
        self.protocolVersion = protocolVersion
        self.screenedOn = screenedOn
        self.verdict = verdict
        self.storedAt = storedAt
    }
}

/// Screenings of enrolments.
public protocol ScreeningRepository: ClinicalRecordRepository where Record == ScreeningRecord {
    /// The verdicts of `enrolment`'s live screenings, without their reports: what every gated enrolment move reads
    /// (decoding each report's JSON was most of that read's cost).
    func verdicts(enrolment: Identifier<Enrolment>) async throws -> [ScreeningVerdict]
}
