import Foundation
import RestoraDomain

/// The time-driven notifications (issue #15 item 6): the reporting clock at 2 days left and overdue, visits due
/// tomorrow and newly overdue. Run by the delivery worker once per day (and at start); each event is enqueued
/// under an idempotency key naming the event, the record and the date, so a second run the same day, or a run
/// after a restart, enqueues nothing twice (`(site_id, event_key, user_id)` is unique, migration 0040).
public struct NotificationScheduler: Sendable {
    public let repositories: Repositories
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator
    /// How far back an overdue visit still counts as "newly" overdue: a worker that was down a few days still
    /// tells, an old backlog does not flood the inbox on the first start. A configurable default (U).
    public var overdueLookBackDays = 3
    /// How far back adverse events are read for open reporting clocks (15 days is the longest clock, plus
    /// late awareness): a configurable default (U).
    public var clockLookBackDays = 366

    public init(repositories: Repositories, catalog: ProtocolCatalog, ids: any IDGenerator) {
        self.repositories = repositories
        self.catalog = catalog
        self.ids = ids
    }

    /// Enqueues what is due on `today`; returns how many notifications were new.
    @discardableResult
    public func run(today: CalendarDate, now: Date) async throws -> Int {
        let events = try await clockEvents(today: today) + visitEvents(today: today)
        var new = 0
        for event in events {
            let ids = self.ids
            new += try await repositories.transaction { tx in try await Notifications.enqueue(tx, event, now: now, ids: ids) }
        }
        return new
    }

    /// Reporting clocks (21 CFR 312.32(c), REFERENCE.md E3): the open clock of each serious event
    /// (`AdverseEvent.reportDue(today:)`: the initial report from awareness, or a follow-up from its receipt;
    /// none once submitted). "2 days left" fires once when 0–2 days remain; "overdue" once after.
    func clockEvents(today: CalendarDate) async throws -> [NotificationEvent] {
        let programs = try await repositories.programs.list().map(\.value.id)
        let recent = try await repositories.dashboard.recentAdverseEvents(
            programs: programs, sites: nil, onsetFrom: today.adding(days: -clockLookBackDays), onsetThrough: today, limit: 100_000)
        var seen: Set<Identifier<AdverseEvent>> = []
        var events: [NotificationEvent] = []
        for item in recent where item.event.isSerious && seen.insert(item.event.id).inserted {
            guard let (clock, left) = item.event.reportDue(today: today) else { continue }
            let due = clock.dueOn
            let kind: NotificationKind
            if left < 0 { kind = .reportOverdue } else if left <= 2 { kind = .reportDueSoon } else { continue }
            events.append(NotificationEvent(
                kind: kind, participantID: item.event.participantID, linkPath: Notifications.participantPath(item.event.participantID),
                eventKey: "\(kind.rawValue):\(item.event.id.rawValue):\(clock.kind.rawValue):\(due)", onDate: due))
        }
        return events
    }

    /// Visits (docs/protocol-format.md "Visit states"): planned for tomorrow and not yet done; or overdue today
    /// with the window closed within `overdueLookBackDays`.
    func visitEvents(today: CalendarDate) async throws -> [NotificationEvent] {
        let tomorrow = today.adding(days: 1)
        var events: [NotificationEvent] = []
        for program in try await repositories.programs.list().map(\.value) {
            let versions = catalog.versions(id: program.protocolID)
            guard let current = try? catalog.definition(for: program) else { continue }
            let windows = (versions.isEmpty ? [current] : versions).flatMap { definition in
                definition.schedule.map { visit in
                    VisitStartWindow(visitKey: visit.key, startFrom: today.adding(days: -(visit.latestDay + overdueLookBackDays + 1)),
                                     startThrough: tomorrow.adding(days: -visit.earliestDay))
                }
            }
            let candidates = try await repositories.dashboard.visitCandidates(program: program.id, sites: nil, windows: windows)
            for candidate in candidates where !ClinicalEntry.closedStatuses.contains(candidate.status) {
                let definition = candidate.protocolVersion.flatMap { try? catalog.definition(id: program.protocolID, version: $0) } ?? current
                let known = Set(definition.schedule.map(\.key))
                guard let schedule = try? ScheduleEngine.schedule(
                    for: definition, start: candidate.dayZero, today: today,
                    records: candidate.records.filter { known.contains($0.key) }, dataDates: candidate.dataDates) else { continue }
                for visit in schedule.visits {
                    let path = Notifications.participantPath(candidate.participantID)
                    if visit.visit.planned == tomorrow && (visit.state == .upcoming || visit.state == .due) {
                        events.append(NotificationEvent(
                            kind: .visitDueTomorrow, participantID: candidate.participantID, linkPath: path,
                            eventKey: "visit-due-tomorrow:\(candidate.enrolmentID.rawValue):\(visit.visit.key):\(tomorrow)", onDate: tomorrow))
                    } else if visit.state == .overdue && visit.visit.latest < today
                                && visit.visit.latest >= today.adding(days: -overdueLookBackDays) {
                        events.append(NotificationEvent(
                            kind: .visitOverdue, participantID: candidate.participantID, linkPath: path,
                            eventKey: "visit-overdue:\(candidate.enrolmentID.rawValue):\(visit.visit.key)", onDate: visit.visit.planned))
                    }
                }
            }
        }
        return events
    }
}
