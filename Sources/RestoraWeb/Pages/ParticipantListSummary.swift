import Foundation
import RestoraDomain

/// What the participant list shows beside each person (issue #14 item 8): the programs they are in with
/// their status, the next visit of the protocol calendar and the number of open safety alerts. Read for the
/// whole page at once — one query for the enrolments, one for their visits, one for the alerts — never one
/// query per participant.
struct ParticipantListSummary: Sendable {
    struct Program: Sendable {
        var name: String
        var status: EnrolmentStatus
        /// The first visit of the calendar that is not yet attended or missed, with its state today.
        var nextVisit: ScheduledVisit?
    }

    var programs: [Program]
    var openAlerts: Int

    static func load(
        _ participants: [Participant], repositories: Repositories, catalog: ProtocolCatalog, today: CalendarDate
    ) async throws -> [Identifier<Participant>: ParticipantListSummary] {
        guard !participants.isEmpty else { return [:] }
        let ids = participants.map(\.id)
        async let enrolmentList = repositories.enrolments.list(participants: ids)
        async let alertList = repositories.safetyAlerts.list(participants: ids)
        async let programList = repositories.programs.list()
        let enrolments = try await enrolmentList.map(\.value)
        let visits = Dictionary(grouping: try await repositories.visits.list(enrolments: enrolments.map(\.id)).map(\.value), by: \.enrolmentID)
        let programs = Dictionary(uniqueKeysWithValues: try await programList.map { ($0.value.id, $0.value) })
        // A visit with data entered in its window is done, as on the participant page and the dashboard (docs/visits.md).
        let dataDates = try await repositories.dashboard.observationDates(enrolments: enrolments.map { ($0.id, $0.participantID) })
        let openAlerts = Dictionary(grouping: try await alertList.filter { $0.value.status == .open }, by: \.value.participantID)
        var summaries: [Identifier<Participant>: ParticipantListSummary] = [:]
        for participant in participants {
            summaries[participant.id] = ParticipantListSummary(programs: [], openAlerts: openAlerts[participant.id]?.count ?? 0)
        }
        for enrolment in enrolments.sorted(by: { $0.id.rawValue < $1.id.rawValue }) {
            guard let program = programs[enrolment.programID] else { continue }
            let definition = try? catalog.definition(for: enrolment, program: program)  // the enrolment's version (docs/amendments.md)
            let schedule = definition.flatMap {
                ParticipantPageModel.schedule(enrolment, visits: visits[enrolment.id] ?? [], definition: $0, today: today,
                                              dataDates: dataDates[enrolment.id] ?? [])
            }
            let next = enrolment.status.isTerminal ? nil : schedule?.visits.first { Self.pending.contains($0.state) }
            summaries[enrolment.participantID]?.programs.append(Program(name: program.name, status: enrolment.status, nextVisit: next))
        }
        return summaries
    }

    /// Calendar states that still wait for the visit.
    static let pending: Set<VisitState> = [.upcoming, .due, .overdue]

    /// "Month 3, 2026-03-01 – 2026-03-15 (due)".
    static func text(_ visit: ScheduledVisit) -> String {
        "\(visit.visit.title), \(visit.visit.earliest) – \(visit.visit.latest) (\(visit.state.rawValue))"
    }
}
