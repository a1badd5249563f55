import Foundation

/// An expedited report as submitted to the sponsor or regulator: when, by whom, under which reference
/// (the sponsor's case number or the FDA acknowledgement). Recording it stops the clock it answers.
public struct ReportSubmission: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case initial
        case followUp = "follow-up"
    }

    public var kind: Kind
    public var submittedOn: CalendarDate
    /// The user who recorded the submission (an investigator).
    public var submittedBy: String
    public var reference: String

    public init(kind: Kind, submittedOn: CalendarDate, submittedBy: String, reference: String) {
        self.kind = kind
        self.submittedOn = submittedOn
        self.submittedBy = submittedBy
        self.reference = reference
    }
}

/// A running reporting clock of an adverse event (REFERENCE.md E3, 21 CFR 312.32(c)). Calendar days, not
/// hours: day 0 is a `CalendarDate`, so a daylight-saving change or a month end never moves the due date.
public struct ReportingClock: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The first report: 7 days (fatal or life-threatening, 312.32(c)(2)) or 15 days (312.32(c)(1)).
        case initial
        /// Follow-up information: due 15 days after its receipt (312.32(d)(2); REFERENCE.md E3).
        case followUp = "follow-up"
    }

    public var kind: Kind
    public var dayZero: CalendarDate
    public var days: Int
    public var dueOn: CalendarDate
    /// "7-day IND safety report", "IND safety report", "Follow-up IND safety report" (REFERENCE.md E3, UCSF).
    public var label: String
    public var reason: String

    /// Calendar days from `today` to the due date: 0 on the due date, negative once overdue.
    public func daysLeft(today: CalendarDate) -> Int { today.days(until: dueOn) }
    public func isOverdue(today: CalendarDate) -> Bool { daysLeft(today: today) < 0 }

    /// Follow-up information is due this many calendar days after its receipt (REFERENCE.md E3).
    public static let followUpDays = 15
}

extension AdverseEvent {
    /// The clock that is running for this event, or nil when no report is due. This is the one function
    /// every reader of the clock calls (the AE's `reportDueOn`, the dashboard, notifications):
    /// - not serious, expected, or not suspected (relatedness not-related/unlikely) → nil (no expedited report);
    /// - serious + unexpected + suspected, no initial report yet → initial clock from `sponsorAwareOn` (day 0),
    ///   7 days when fatal or life-threatening, else 15 (`SAEReportingDeadline`);
    /// - initial report submitted, follow-up information received and not yet reported → 15 days from receipt;
    /// - otherwise nil (the submission stopped the clock).
    /// A qualifying event without an awareness date has no clock yet (`SAEReportingDeadline.needs`); the
    /// service refuses to store such an event, so it is not silently unclocked.
    public var openReportingClock: ReportingClock? {
        let deadline = SAEReportingDeadline.classify(self)
        guard let days = deadline.days,
              let dayZero = deadline.dayZero, let due = deadline.dueDate
        else { return nil }
        guard let initial = initialReport else {
            return ReportingClock(kind: .initial, dayZero: dayZero, days: days, dueOn: due,
                                  label: deadline.label ?? "IND safety report", reason: deadline.reason)
        }
        guard let received = followUpReceivedOn, received >= initial.submittedOn else { return nil }
        if let followUp = followUpReport, followUp.submittedOn >= received { return nil }
        return ReportingClock(
            kind: .followUp, dayZero: received, days: ReportingClock.followUpDays,
            dueOn: received.adding(days: ReportingClock.followUpDays), label: "Follow-up IND safety report",
            reason: "follow-up information received \(received): due within 15 calendar days of receipt (REFERENCE.md E3)")
    }

    /// Whether an expedited report is due and when, for callers that hold an event (notifications): nil when
    /// none is due; otherwise the clock and, given `today`, the calendar days left (negative = overdue).
    public func reportDue(today: CalendarDate) -> (clock: ReportingClock, daysLeft: Int)? {
        openReportingClock.map { ($0, $0.daysLeft(today: today)) }
    }
}
