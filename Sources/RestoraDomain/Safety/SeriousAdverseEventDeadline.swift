/// Expedited IND safety reporting deadlines (REFERENCE.md E3, 21 CFR 312.32(c)). Day 0 is the sponsor's
/// initial receipt of qualifying information (`AdverseEvent.sponsorAwareOn`), not the event date; the due
/// date is day 0 + N calendar days.
public struct SAEReportingDeadline: Codable, Sendable, Equatable {
    public enum Category: String, Codable, Sendable, Equatable {
        /// Unexpected fatal or life-threatening suspected adverse reaction: 7 calendar days, 312.32(c)(2).
        case sevenDay
        /// Serious, unexpected, suspected adverse reaction: 15 calendar days, 312.32(c)(1).
        case fifteenDay
        /// Serious but expected or not suspected: no expedited IND report (report to the sponsor per protocol).
        case notExpedited
        /// Not serious: not an SAE.
        case notSerious
    }

    public var category: Category
    /// Calendar days from day 0; nil when not expedited.
    public var days: Int?
    /// The submission label FDA/UCSF use (REFERENCE.md E3).
    public var label: String?
    public var dayZero: CalendarDate?
    public var dueDate: CalendarDate?
    /// For the 7-day category: the full written IND safety report is still due by day 15.
    public var writtenReportDueDate: CalendarDate?
    public var reason: String
    /// Set when the category needs a date that is missing ("needs sponsor receipt date (day 0)").
    public var needs: String?

    public static func evaluate(_ event: AdverseEvent) throws -> SAEReportingDeadline {
        classify(try event.validated())
    }

    /// `evaluate` without validating the event first (`AdverseEvent.validated()` itself derives the clock).
    static func classify(_ ae: AdverseEvent) -> SAEReportingDeadline {
        guard ae.isSerious else {
            return .init(category: .notSerious, reason: "not serious: no expedited reporting")
        }
        let fatalOrLifeThreatening = ae.seriousness.contains(.death) || ae.seriousness.contains(.lifeThreatening)
            || ae.outcome == .fatal
        guard !ae.expected else {
            return .init(category: .notExpedited, reason: "serious but expected per the reference safety information: no expedited IND report (21 CFR 312.32(c)(1) requires unexpected)")
        }
        guard ae.relatedness.isSuspected else {
            return .init(category: .notExpedited, reason: "serious but not a suspected adverse reaction (relatedness \(ae.relatedness.rawValue)): no expedited IND report")
        }
        let days = fatalOrLifeThreatening ? 7 : 15
        var deadline = SAEReportingDeadline(
            category: fatalOrLifeThreatening ? .sevenDay : .fifteenDay, days: days,
            label: fatalOrLifeThreatening ? "7-day IND safety report" : "IND safety report",
            reason: fatalOrLifeThreatening
                ? "unexpected fatal or life-threatening suspected adverse reaction: 21 CFR 312.32(c)(2), 7 calendar days"
                : "serious, unexpected, suspected adverse reaction: 21 CFR 312.32(c)(1), 15 calendar days")
        guard let dayZero = ae.sponsorAwareOn else {
            deadline.needs = "sponsor receipt date (day 0) to compute the due date"
            return deadline
        }
        deadline.dayZero = dayZero
        deadline.dueDate = dayZero.adding(days: days)
        if fatalOrLifeThreatening { deadline.writtenReportDueDate = dayZero.adding(days: 15) }
        return deadline
    }

    init(category: Category, days: Int? = nil, label: String? = nil, reason: String) {
        self.category = category
        self.days = days
        self.label = label
        self.reason = reason
    }
}
