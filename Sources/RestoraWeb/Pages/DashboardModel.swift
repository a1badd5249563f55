import Foundation
import RestoraDomain
import RestoraReports

/// What the dashboard shows, computed from stored records for the programs and sites the user works at.
struct DashboardModel: Sendable {
    struct ProgramSummary: Sendable {
        var program: Program
        var statusCounts: [(status: EnrolmentStatus, count: Int)]
        var enrolments: [Enrolment]
    }

    struct VisitDue: Sendable {
        var participant: Participant
        var programName: String
        var visitTitle: String
        var window: String
        var state: VisitState
    }

    struct AlertRow: Sendable {
        var alert: Versioned<SafetyAlertRecord>
        var participant: Participant?
    }

    struct EventRow: Sendable {
        var event: AdverseEvent
        var participant: Participant
    }

    var today: CalendarDate
    var programs: [ProgramSummary]
    var visitsDue: [VisitDue]
    var openAlerts: [AlertRow]
    var recentAdverseEvents: [EventRow]
    var canAcknowledge: Bool

    /// How far ahead "this week" looks for visits whose window opens soon.
    static let lookAheadDays = 7
    static let recentEventDays = 30

    static func load(for user: UserAccount, dependencies: WebDependencies) async throws -> DashboardModel {
        let repositories = dependencies.repositories
        let today = CalendarDate(dependencies.clock.now())
        let programs = try await repositories.programs.list().map(\.value)
            .filter { program in user.role.seesAllSites || program.siteIDs.contains { user.canSee(site: $0) } }
        var summaries: [ProgramSummary] = []
        var visits: [VisitDue] = []
        var events: [EventRow] = []
        var people: [Identifier<Participant>: Participant] = [:]
        for program in programs {
            guard let definition = try? dependencies.catalog.definition(id: program.protocolID) else { continue }
            let dataset = try await StoredProgramData.load(
                programID: program.id, repositories: repositories, catalog: dependencies.catalog, asOf: today, synthetic: false)
            let visible = dataset.participants.filter { user.canSee(site: $0.record.participant.siteID) }
            for row in visible { people[row.record.participant.id] = row.record.participant }
            let counts = Dictionary(grouping: visible, by: { $0.enrolment.status }).mapValues(\.count)
            summaries.append(ProgramSummary(
                program: program,
                statusCounts: EnrolmentStatus.allCases.compactMap { status in counts[status].map { (status, $0) } },
                enrolments: visible.map(\.enrolment)))
            visits += visible.flatMap { dueVisits($0, definition: definition, programName: program.name, today: today) }
            events += visible.flatMap { row in
                row.record.adverseEvents.filter { $0.onset.days(until: today) <= recentEventDays && $0.onset <= today }
                    .map { EventRow(event: $0, participant: row.record.participant) }
            }
        }
        let sites = Access.visibleSites(user)
        var alerts: [AlertRow] = []
        for alert in try await repositories.safetyAlerts.listOpen(sites: sites) {
            alerts.append(AlertRow(alert: alert, participant: people[alert.value.participantID]))
        }
        return DashboardModel(
            today: today, programs: summaries,
            visitsDue: visits.sorted { ($0.state == .overdue ? 0 : 1, $0.window) < ($1.state == .overdue ? 0 : 1, $1.window) },
            openAlerts: alerts.sorted { $0.alert.value.raisedAt > $1.alert.value.raisedAt },
            recentAdverseEvents: events.sorted { $0.event.onset > $1.event.onset }.prefix(15).map { $0 },
            canAcknowledge: SafetyAlertAccess.mayAcknowledge(user))
    }

    /// Visits of one enrolment that are due or overdue today, or whose window opens within a week.
    static func dueVisits(_ row: ProgramParticipantData, definition: ProtocolDefinition, programName: String, today: CalendarDate) -> [VisitDue] {
        guard let start = row.dayZero, !ClinicalEntry.closedStatuses.contains(row.enrolment.status) else { return [] }
        var records: [String: VisitRecord] = [:]
        for visit in row.visits {
            if visit.status == .missed { records[visit.visitKey] = .missed }
            if visit.status == .completed, let date = visit.actualDate { records[visit.visitKey] = .attended(date) }
        }
        let known = Set(definition.schedule.map(\.key))
        records = records.filter { known.contains($0.key) }
        guard let schedule = try? ScheduleEngine.schedule(for: definition, start: start, today: today, records: records) else { return [] }
        return schedule.visits.filter { visit in
            visit.state == .due || visit.state == .overdue
                || (visit.state == .upcoming && visit.visit.earliest <= today.adding(days: lookAheadDays))
        }.map { visit in
            VisitDue(participant: row.record.participant, programName: programName, visitTitle: visit.visit.title,
                     window: "\(visit.visit.earliest) – \(visit.visit.latest)", state: visit.state)
        }
    }
}

enum SafetyAlertAccess {
    /// Acknowledging a safety alert is a clinical judgement: investigators (and admins).
    static func mayAcknowledge(_ user: UserAccount) -> Bool { user.role == .investigator || user.role == .admin }
}
