import Foundation
import RestoraDomain
import RestoraReports

/// What the dashboard shows for the programs and sites the user works at, computed in the database
/// (`DashboardQueries`): counts by SQL aggregates, the lists bounded. Only the visits-due rule runs here: on the
/// spans SQLite keeps (migration 0053) and on the enrolments SQL finds with a visit window around today for the
/// participants not kept, so the schedule rules stay in one place (`ScheduleEngine`).
struct DashboardModel: Sendable {
    struct ProgramSummary: Sendable {
        var program: Program
        var statusCounts: [(status: EnrolmentStatus, count: Int)]
        /// Enrolments by month of their move to enrolled, for the chart; `notEnrolled` have not moved yet.
        var enrolledByMonth: [CalendarDate: Int]
        var notEnrolled: Int
    }

    struct VisitDue: Sendable {
        var participantID: Identifier<Participant>
        /// Read for the rows shown only.
        var participant: Participant?
        var programName: String
        var visitTitle: String
        var window: String
        var state: VisitState
    }

    typealias AlertRow = (alert: Versioned<SafetyAlertRecord>, participant: Participant?)
    typealias EventRow = RecentAdverseEvent

    var today: CalendarDate
    var programs: [ProgramSummary]
    /// The first `listLimit` visits due, overdue first; `visitsDueTotal` counts them all.
    var visitsDue: [VisitDue]
    var visitsDueTotal: Int
    /// The newest `listLimit` open alerts; `openAlertsTotal` counts them all.
    var openAlerts: [AlertRow]
    var openAlertsTotal: Int
    var recentAdverseEvents: [EventRow]
    /// Open expedited-reporting clocks, earliest due first (DashboardPage+ReportingClocks.swift).
    var reportingClocks = ReportingClockPage(total: 0, rows: [])
    /// Data queries waiting and SDV progress per site (DashboardPage+Queries.swift, issue #16 item 5).
    var queriesSDV = DashboardQueriesSDV()
    /// Re-consent tasks and programs without a consent document (DashboardPage+Consent.swift, issue #16 item 2).
    var consents = DashboardConsents()
    var canAcknowledge: Bool

    /// How far ahead "this week" looks for visits whose window opens soon.
    static let lookAheadDays = 7
    static let recentEventDays = 30
    static let recentEventLimit = 15
    /// Rows shown per list (visits due, open alerts): the page stays the same size at any clinic size.
    static let listLimit = 100

    static func load(for user: UserAccount, dependencies: WebDependencies) async throws -> DashboardModel {
        try await load(for: user, repositories: dependencies.repositories, catalog: dependencies.catalog,
                       today: CalendarDate(dependencies.clock.now()))
    }

    static func load(for user: UserAccount, repositories: Repositories, catalog: ProtocolCatalog, today: CalendarDate)
        async throws -> DashboardModel {
        let queries = repositories.dashboard
        let sites = Access.visibleSites(user)
        let programs = try await repositories.programs.list().map(\.value)
        let shown: [(program: Program, definition: ProtocolDefinition)] = programs
            .filter { program in user.role.seesAllSites || program.siteIDs.contains { user.canSee(site: $0) } }
            .compactMap { program in (try? catalog.definition(for: program)).map { (program, $0) } }
        let ids = shown.map(\.program.id)
        async let counts = queries.enrolmentStatusCounts(programs: ids, sites: sites)
        async let months = queries.enrolmentsByMonth(programs: ids, sites: sites)
        async let alerts = queries.openAlerts(sites: sites, limit: listLimit)
        async let events = queries.recentAdverseEvents(
            programs: ids, sites: sites, onsetFrom: today.adding(days: -recentEventDays), onsetThrough: today, limit: recentEventLimit)
        // The sections read independently of each other, on the readers side by side (BENCHMARKS.md "Dashboard and
        // report at scale"): the page takes about as long as its slowest section plus the rest on the other core.
        async let clocks = queries.openReportingClocks(sites: sites, limit: listLimit)
        async let queriesSDV = DashboardQueriesSDV.load(for: user, repositories: repositories, limit: listLimit)
        async let consents = DashboardConsents.load(for: user, repositories: repositories, limit: listLimit)
        let (visits, visitsTotal) = try await visitsDue(shown, allPrograms: programs, queries: queries, catalog: catalog, sites: sites, today: today)
        let byStatus = try await counts, byMonth = try await months
        let summaries = shown.map { program, _ in
            let counted = byStatus[program.id] ?? [:]
            let enrolled = byMonth[program.id] ?? [:]
            return ProgramSummary(
                program: program,
                statusCounts: EnrolmentStatus.allCases.compactMap { status in counted[status].map { (status, $0) } },
                enrolledByMonth: enrolled,
                notEnrolled: counted.values.reduce(0, +) - enrolled.values.reduce(0, +))
        }
        let page = try await alerts
        var shownVisits = visits
        let people = Dictionary(try await repositories.participants.list(ids: shownVisits.map(\.participantID)).map { ($0.value.id, $0.value) },
                                uniquingKeysWith: { a, _ in a })
        for index in shownVisits.indices { shownVisits[index].participant = people[shownVisits[index].participantID] }
        return DashboardModel(
            today: today, programs: summaries,
            visitsDue: shownVisits, visitsDueTotal: visitsTotal,
            openAlerts: page.alerts, openAlertsTotal: page.total,
            recentAdverseEvents: try await events,
            reportingClocks: try await clocks,
            queriesSDV: try await queriesSDV,
            consents: try await consents,
            canAcknowledge: SafetyAlertAccess.mayAcknowledge(user))
    }

    /// The first `listLimit` visits listed today (upcoming within `lookAheadDays`, due or overdue) in the
    /// dashboard's order (`KeptVisitDue.precedes`), and how many there are. On SQLite most come from the kept spans
    /// (migration 0053, refreshed in the background by `VisitDueRefresher`); the participants waiting for a refresh,
    /// or everyone when nothing is kept for this catalog, are computed here from their records, so the list is exact.
    static func visitsDue(_ shown: [(program: Program, definition: ProtocolDefinition)], allPrograms: [Program],
                          queries: any DashboardQueries, catalog: ProtocolCatalog, sites: Set<Identifier<Site>>?,
                          today: CalendarDate) async throws -> (first: [VisitDue], total: Int) {
        let ids = shown.map(\.program.id)
        let fingerprint = VisitDueSpan.fingerprint(catalog: catalog, programs: allPrograms, lookAheadDays: lookAheadDays)
        let kept = try await queries.keptVisitsDue(programs: ids, sites: sites, today: today, limit: listLimit,
                                                   fingerprint: fingerprint, pendingLimit: pendingLimit)
        let computeFor = kept.map(\.pending)
        var live: [KeptVisitDue] = []
        if computeFor.map({ !$0.isEmpty }) ?? true {
            // Each program's candidates side by side; the sort below orders them.
            live = try await withThrowingTaskGroup(of: [KeptVisitDue].self) { group in
                for (program, definition) in shown {
                    group.addTask {
                        try await programVisitsDue(program, definition: definition, queries: queries, catalog: catalog, sites: sites,
                                                   today: today, participants: computeFor)
                    }
                }
                var all: [KeptVisitDue] = []
                for try await due in group { all += due }
                return all
            }
        }
        let rank = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(shown.map { ($0.program.id, $0.program.name) }, uniquingKeysWith: { a, _ in a })
        let ordered = ((kept?.first ?? []) + live).sorted { KeptVisitDue.precedes($0, $1, today: today, programRank: { rank[$0] ?? Int.max }) }
        let first = ordered.prefix(listLimit).compactMap { visit -> VisitDue? in
            visit.span.state(on: today).map { state in
                VisitDue(participantID: visit.participantID, programName: names[visit.programID] ?? visit.programID.rawValue,
                         visitTitle: visit.span.title, window: "\(visit.span.earliest) – \(visit.span.latest)", state: state)
            }
        }
        return (first, (kept?.total ?? 0) + live.count)
    }

    /// Participants waiting for a refresh of their kept spans above which the dashboard computes every candidate
    /// instead (right after the migration or a protocol change, while the refresher catches up).
    static let pendingLimit = 2_000

    /// The visits of `program` listed today, computed from the candidates' records (`participants` non-nil: only
    /// theirs). Enrolments may run under different versions of the protocol (docs/amendments.md): the windows of
    /// every loaded version find the candidates, each judged on its own version's schedule.
    static func programVisitsDue(_ program: Program, definition: ProtocolDefinition, queries: any DashboardQueries,
                                 catalog: ProtocolCatalog, sites: Set<Identifier<Site>>?, today: CalendarDate,
                                 participants: Set<Identifier<Participant>>? = nil) async throws -> [KeptVisitDue] {
        let versions = catalog.versions(id: program.protocolID)
        let windows = (versions.isEmpty ? [definition] : versions).flatMap { startWindows($0, today: today) }
        let candidates = try await queries.visitCandidates(program: program.id, sites: sites, windows: windows, participants: participants)
        return candidates.flatMap { candidate in
            let own = candidate.protocolVersion.flatMap { try? catalog.definition(id: program.protocolID, version: $0) } ?? definition
            return candidate.dueSpans(definition: own, lookAheadDays: lookAheadDays)
                .filter { $0.state(on: today) != nil }
                .map { KeptVisitDue(participantID: candidate.participantID, programID: program.id, enrolmentID: candidate.enrolmentID, span: $0) }
        }
    }

    /// For each visit of the schedule, the day-0 dates that can make it due, overdue or open within a week
    /// today (docs/protocol-format.md "Visit states"): upcoming until `lookAheadDays` before its window, due in
    /// it, overdue after it until the next visit's window opens — the last visit stays overdue until recorded.
    static func startWindows(_ definition: ProtocolDefinition, today: CalendarDate) -> [VisitStartWindow] {
        let schedule = definition.schedule
        return schedule.enumerated().map { index, visit in
            let next = index + 1 < schedule.count ? schedule[index + 1] : nil
            return VisitStartWindow(
                visitKey: visit.key,
                startFrom: next.map { today.adding(days: -max(visit.latestDay, $0.earliestDay - 1)) },
                startThrough: today.adding(days: lookAheadDays - visit.earliestDay))
        }
    }
}

enum SafetyAlertAccess {
    /// Acknowledging a safety alert is a clinical judgement: investigators (and admins).
    static func mayAcknowledge(_ user: UserAccount) -> Bool { user.role == .investigator || user.role == .admin }
}
