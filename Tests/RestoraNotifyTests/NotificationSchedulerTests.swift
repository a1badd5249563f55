import Foundation
import RestoraDomain
@testable import RestoraNotify
@testable import RestoraStorage
import Testing

/// The time-driven notifications (issue #15 item 6): a visit due tomorrow, a visit newly overdue, a reporting
/// clock with 2 days left — each enqueued once, whether the scheduler runs again the same day or after a restart.
@Suite("Notifications: the daily scheduler")
struct NotificationSchedulerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dayZero = CalendarDate(year: 2026, month: 11, day: 2)!

    /// Participant p-1 at site A, on treatment in the isotretinoin program since `dayZero` (month 1 is day 30,
    /// window ±7), with no visit recorded.
    static func enrol(_ repos: Repositories) async throws {
        _ = try await repos.programs.create(
            Program(id: "prog-1", protocolID: "isotretinoin-noa", protocolVersion: "1.0", name: "Isotretinoin", siteIDs: ["site-a", "site-b"]),
            context: NotifyFixture.context, idempotencyKey: nil)
        let actor = Actor(userID: "u-inv-a", role: "investigator")
        let start = dayZero.startOfDayUTC.addingTimeInterval(9 * 3600)
        _ = try await repos.enrolments.create(Enrolment(
            id: "e-1", participantID: "p-1", programID: "prog-1", siteID: "site-a", status: .onTreatment,
            transitions: [StatusTransition(from: .enrolled, to: .onTreatment, actor: actor, at: start, reason: "first dispensing")],
            protocolVersion: "1.0"), context: NotifyFixture.context, idempotencyKey: nil)
    }

    static func scheduler(_ repos: Repositories) throws -> NotificationScheduler {
        NotificationScheduler(repositories: repos, catalog: try ProtocolCatalog.load(directory: root.appendingPathComponent("protocols").path),
                              ids: UUIDGenerator())
    }

    @Test("visit due tomorrow to the site's coordinator once; newly overdue once; a rerun or a restarted scheduler adds nothing", arguments: NotifyDB.urls)
    func visits(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            try await Self.enrol(repos)
            let today = Self.dayZero.adding(days: 29)  // month 1 is planned for tomorrow
            let key = "visit-due-tomorrow:e-1:month-1:\(today.adding(days: 1))"
            #expect(try await Self.scheduler(repos).run(today: today, now: today.startOfDayUTC) >= 1)
            #expect(try await repos.notifications.count(eventKey: key) == 1)
            #expect(try await NotifyDB.rows(db, where: "event_key = '\(key)'").map(\.user) == ["u-coord-a"])
            #expect(try await Self.scheduler(repos).run(today: today, now: today.startOfDayUTC) == 0)
            #expect(try await repos.notifications.count(eventKey: key) == 1)

            // Month 1's window closed yesterday (day 37): newly overdue, told once over several days.
            let later = Self.dayZero.adding(days: 38)
            #expect(try await Self.scheduler(repos).run(today: later, now: later.startOfDayUTC) >= 1)
            #expect(try await Self.scheduler(repos).run(today: later.adding(days: 1), now: later.adding(days: 1).startOfDayUTC) == 0)
            #expect(try await repos.notifications.count(eventKey: "visit-overdue:e-1:month-1") == 1)
        }
    }

    @Test("a serious, unexpected, suspected event's clock at 2 days left and then overdue, once each, to the investigators", arguments: NotifyDB.urls)
    func reportingClock(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            try await Self.enrol(repos)
            let today = Self.dayZero.adding(days: 20)
            // Aware 13 days ago, 15-day clock (21 CFR 312.32(c)(1)): due in 2 days.
            _ = try await repos.adverseEvents.create(AdverseEvent(
                id: "ae-1", participantID: "p-1", enrolmentID: "e-1", term: "Pancreatitis", grade: 3, seriousness: [.hospitalization],
                expected: false, relatedness: .probable, onset: today.adding(days: -14), sponsorAwareOn: today.adding(days: -13)),
                context: NotifyFixture.context, idempotencyKey: nil)
            let scheduler = try Self.scheduler(repos)
            let events = try await scheduler.clockEvents(today: today)
            #expect(events.map(\.kind) == [.reportDueSoon])
            #expect(events.first?.onDate == today.adding(days: 2))
            _ = try await scheduler.run(today: today, now: today.startOfDayUTC)
            _ = try await scheduler.run(today: today.adding(days: 1), now: today.adding(days: 1).startOfDayUTC)
            let soon = try await NotifyDB.rows(db, where: "kind = 'report-due-soon'")
            #expect(soon.map(\.user) == ["u-inv-a"])
            _ = try await Self.scheduler(repos).run(today: today.adding(days: 3), now: today.adding(days: 3).startOfDayUTC)
            _ = try await Self.scheduler(repos).run(today: today.adding(days: 4), now: today.adding(days: 4).startOfDayUTC)
            #expect(try await NotifyDB.rows(db, where: "kind = 'report-overdue'").map(\.user) == ["u-inv-a"])
        }
    }
}
