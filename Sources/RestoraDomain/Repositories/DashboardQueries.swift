import Foundation

/// The dashboard's figures computed where the data lives: counts by SQL `GROUP BY`, lists by indexed queries
/// with a `LIMIT`, so the page costs the same at 10^2 and 10^5 participants except for what it shows.
/// `sites` nil means every site; otherwise only participants whose own site is in the set are counted
/// (the same scoping the dashboard applied record by record before).
public protocol DashboardQueries: Sendable {
    /// Enrolments per program and status.
    func enrolmentStatusCounts(programs: [Identifier<Program>], sites: Set<Identifier<Site>>?) async throws
        -> [Identifier<Program>: [EnrolmentStatus: Int]]

    /// Enrolments per program and month (first day of the month, UTC) of their first move to `enrolled`.
    func enrolmentsByMonth(programs: [Identifier<Program>], sites: Set<Identifier<Site>>?) async throws
        -> [Identifier<Program>: [CalendarDate: Int]]

    /// The open enrolments of `program` that may have a visit to show today: day 0 within one of the
    /// `windows` and no attendance or miss recorded for that window's visit. A superset of the enrolments
    /// with a due, overdue or soon-upcoming visit; the caller applies the schedule rules exactly.
    /// In enrolment order (created, then id). Light rows: the caller reads the participants it shows.
    func visitCandidates(program: Identifier<Program>, sites: Set<Identifier<Site>>?, windows: [VisitStartWindow])
        async throws -> [ScheduleCandidate]

    /// The distinct dates of each enrolment's observations (recorded against it or against no enrolment), for
    /// the calendars that count a visit with data in its window as done (docs/visits.md). Batched.
    func observationDates(enrolments: [(enrolment: Identifier<Enrolment>, participant: Identifier<Participant>)]) async throws
        -> [Identifier<Enrolment>: [CalendarDate]]

    /// Open safety alerts at `sites`, newest first, at most `limit`, with how many there are in all.
    func openAlerts(sites: Set<Identifier<Site>>?, limit: Int) async throws -> OpenAlertPage

    /// Adverse events with onset in `onsetFrom...onsetThrough` recorded against an enrolment in one of
    /// `programs` (or against no enrolment, for each program the participant is enrolled in), newest onset
    /// first, then in program, enrolment and record order; at most `limit`.
    func recentAdverseEvents(
        programs: [Identifier<Program>], sites: Set<Identifier<Site>>?, onsetFrom: CalendarDate,
        onsetThrough: CalendarDate, limit: Int
    ) async throws -> [RecentAdverseEvent]

    /// Adverse events with an open reporting clock at `sites`, earliest due first, at most `limit`, with how
    /// many there are in all (ReportingClockPage.swift, docs/safety.md).
    func openReportingClocks(sites: Set<Identifier<Site>>?, limit: Int) async throws -> ReportingClockPage
}

/// Day-0 dates for which a visit of the schedule can be due, overdue or soon upcoming today.
public struct VisitStartWindow: Sendable, Hashable {
    public var visitKey: String
    /// Earliest day 0 (nil: no lower bound, the last visit stays overdue until recorded).
    public var startFrom: CalendarDate?
    public var startThrough: CalendarDate

    public init(visitKey: String, startFrom: CalendarDate?, startThrough: CalendarDate) {
        self.visitKey = visitKey
        self.startFrom = startFrom
        self.startThrough = startThrough
    }
}

/// An open enrolment with its day 0, the visits recorded for it (attended or missed), keyed by visit, and the
/// dates data were entered for it (observations of the enrolment or of no enrolment, from day 0 minus the
/// schedule's earliest window on): a visit with data in its window is done, never overdue (docs/visits.md).
public struct ScheduleCandidate: Sendable {
    public var enrolmentID: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var status: EnrolmentStatus
    public var dayZero: CalendarDate
    public var records: [String: VisitRecord]
    public var dataDates: [CalendarDate]
    /// The protocol version the enrolment runs under (its schedule decides).
    public var protocolVersion: String?

    public init(enrolmentID: Identifier<Enrolment>, participantID: Identifier<Participant>, status: EnrolmentStatus,
                dayZero: CalendarDate, records: [String: VisitRecord], dataDates: [CalendarDate] = [], protocolVersion: String? = nil) {
        self.protocolVersion = protocolVersion
        self.enrolmentID = enrolmentID
        self.participantID = participantID
        self.status = status
        self.dayZero = dayZero
        self.records = records
        self.dataDates = dataDates
    }
}

public struct OpenAlertPage: Sendable {
    public var total: Int
    public var alerts: [(alert: Versioned<SafetyAlertRecord>, participant: Participant?)]

    public init(total: Int, alerts: [(alert: Versioned<SafetyAlertRecord>, participant: Participant?)]) {
        self.total = total
        self.alerts = alerts
    }
}

public struct RecentAdverseEvent: Sendable {
    public var event: AdverseEvent
    public var participant: Participant

    public init(event: AdverseEvent, participant: Participant) {
        self.event = event
        self.participant = participant
    }
}
