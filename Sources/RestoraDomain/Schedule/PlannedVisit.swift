/// One visit of a participant's calendar: the protocol's visit placed on real dates from day 0.
/// The window is inclusive on both ends.
public struct PlannedVisit: Hashable, Sendable, Codable {
    public var key: String
    public var title: String
    public var day: Int
    public var planned: CalendarDate
    public var earliest: CalendarDate
    public var latest: CalendarDate
    /// Assessment ids collected at this visit (see the protocol's `assessments`).
    public var collect: [String]

    public init(_ visit: VisitDefinition, start: CalendarDate) {
        key = visit.key
        title = visit.title
        day = visit.day
        planned = start.adding(days: visit.day)
        earliest = start.adding(days: visit.earliestDay)
        latest = start.adding(days: visit.latestDay)
        collect = visit.collect
    }

    public func contains(_ date: CalendarDate) -> Bool { earliest <= date && date <= latest }
}

/// What happened to a visit, as recorded: attended on a date, or recorded as missed.
/// In JSON a date string `"2026-03-02"` or the word `"missed"`.
public enum VisitRecord: Hashable, Sendable, Codable {
    case attended(CalendarDate)
    case missed

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if text == "missed" {
            self = .missed
        } else if let date = CalendarDate(text) {
            self = .attended(date)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is neither a date (YYYY-MM-DD) nor \"missed\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .attended(date): try container.encode(date.description)
        case .missed: try container.encode("missed")
        }
    }
}

/// Where a visit stands on "today".
public enum VisitState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Today is before the window opens.
    case upcoming
    /// Today is inside the window and the visit is not recorded.
    case due
    /// The window has closed, the visit is not recorded, and the next visit's window has not opened yet.
    case overdue
    /// Recorded as missed, or unrecorded after its window closed once the next visit's window has opened
    /// or a later visit has taken place.
    case missed
    case completedInWindow = "completed-in-window"
    case completedOutOfWindow = "completed-out-of-window"
}

/// A planned visit with its state on "today".
public struct ScheduledVisit: Hashable, Sendable, Codable {
    public var visit: PlannedVisit
    public var state: VisitState
    public var actualDate: CalendarDate?
    /// Actual minus planned date in days, for attended visits (negative = early).
    public var daysFromPlanned: Int?
    /// Set when the visit is done because data were entered in its window (no attendance recorded): the first
    /// such date (equal to `actualDate`).
    public var dataDate: CalendarDate?

    public init(visit: PlannedVisit, state: VisitState, actualDate: CalendarDate? = nil) {
        self.visit = visit
        self.state = state
        self.actualDate = actualDate
        daysFromPlanned = actualDate.map { visit.planned.days(until: $0) }
    }
}
