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
    /// `participants` non-nil: only enrolments of those participants.
    func visitCandidates(program: Identifier<Program>, sites: Set<Identifier<Site>>?, windows: [VisitStartWindow],
                         participants: Set<Identifier<Participant>>?) async throws -> [ScheduleCandidate]

    /// The kept visit spans (`VisitDueSpan`) listed on `today` for `programs` at `sites`: how many, and the first
    /// `limit` in the dashboard's order (`KeptVisitDue.precedes`). Spans are kept only for participants not waiting
    /// in the change log; `pending` names those, whose visits the caller computes itself. Nil when no spans are
    /// kept for `fingerprint` (another catalog, PostgreSQL, a refresh not yet run) or more than `pendingLimit`
    /// participants wait: then the caller computes every candidate.
    func keptVisitsDue(programs: [Identifier<Program>], sites: Set<Identifier<Site>>?, today: CalendarDate, limit: Int,
                       fingerprint: String, pendingLimit: Int) async throws -> KeptVisitsDue?

    /// Recomputes the kept spans of up to `batch` participants from the change log, in one transaction, and
    /// returns how many; first rebuilds the log from every open enrolment when the spans were kept for another
    /// fingerprint. 0 where nothing is kept (PostgreSQL).
    func refreshKeptVisitsDue(catalog: ProtocolCatalog, programs: [Program], lookAheadDays: Int, batch: Int) async throws -> Int

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

extension DashboardQueries {
    public func visitCandidates(program: Identifier<Program>, sites: Set<Identifier<Site>>?, windows: [VisitStartWindow])
        async throws -> [ScheduleCandidate] {
        try await visitCandidates(program: program, sites: sites, windows: windows, participants: nil)
    }
}

/// What `DashboardQueries.keptVisitsDue` found.
public struct KeptVisitsDue: Sendable {
    /// Participants whose spans wait for a refresh: not in `total` or `first`.
    public var pending: Set<Identifier<Participant>>
    public var total: Int
    public var first: [KeptVisitDue]

    public init(pending: Set<Identifier<Participant>>, total: Int, first: [KeptVisitDue]) {
        self.pending = pending
        self.total = total
        self.first = first
    }
}

/// One visit listed on the dashboard, with what orders the list.
public struct KeptVisitDue: Sendable, Hashable {
    public var participantID: Identifier<Participant>
    public var programID: Identifier<Program>
    public var enrolmentID: Identifier<Enrolment>
    public var span: VisitDueSpan

    public init(participantID: Identifier<Participant>, programID: Identifier<Program>, enrolmentID: Identifier<Enrolment>, span: VisitDueSpan) {
        self.participantID = participantID
        self.programID = programID
        self.enrolmentID = enrolmentID
        self.span = span
    }

    /// The dashboard's order on `today`: overdue first, then by window (earliest, latest), then the programs' order
    /// (`programRank`), enrolment id and the visit's place in the schedule.
    public static func precedes(_ a: KeptVisitDue, _ b: KeptVisitDue, today: CalendarDate, programRank: (Identifier<Program>) -> Int) -> Bool {
        let overdueA = a.span.latest < today ? 0 : 1, overdueB = b.span.latest < today ? 0 : 1
        if overdueA != overdueB { return overdueA < overdueB }
        if a.span.earliest != b.span.earliest { return a.span.earliest < b.span.earliest }
        if a.span.latest != b.span.latest { return a.span.latest < b.span.latest }
        let rankA = programRank(a.programID), rankB = programRank(b.programID)
        if rankA != rankB { return rankA < rankB }
        if a.enrolmentID != b.enrolmentID { return a.enrolmentID.rawValue < b.enrolmentID.rawValue }
        return a.span.visitIndex < b.span.visitIndex
    }
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
