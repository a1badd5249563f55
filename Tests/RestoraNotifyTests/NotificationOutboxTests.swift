import Foundation
import RestoraDomain
@testable import RestoraNotify
@testable import RestoraStorage
import Testing

/// The outbox (issue #15 item 6, docs/notifications.md): written in the action's transaction, nothing on
/// rollback, to the right people, sent exactly once across a restart, retried with back-off.
@Suite("Notifications: outbox and delivery worker")
struct NotificationOutboxTests {
    struct Refused: Error {}

    @Test("enqueued in the action's transaction to the site's investigators only; a rolled-back action leaves nothing", arguments: NotifyDB.urls)
    func sameTransaction(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            await #expect(throws: Refused.self) {
                try await repos.transaction { tx in
                    try await Notifications.enqueue(tx, NotifyFixture.alertEvent("rolled-back"), now: NotifyFixture.t0, ids: UUIDGenerator())
                    throw Refused()
                }
            }
            #expect(try await NotifyDB.rows(db).isEmpty)
            let new = try await NotifyFixture.enqueueAlerts(repos, ["alert-1"], at: NotifyFixture.t0)
            #expect(new == 1)
            // Site A's investigator: not site B's, not the coordinator, monitor or admin.
            #expect(try await NotifyDB.rows(db).map(\.user) == ["u-inv-a"])
            // The same event again (a retried request): nothing new.
            let again = try await NotifyFixture.enqueueAlerts(repos, ["alert-1"], at: NotifyFixture.t0)
            #expect(again == 0)
            #expect(try await repos.notifications.unreadCount(user: "u-inv-a") == 1)
            #expect(try await repos.notifications.unreadCount(user: "u-inv-b") == 0)
        }
    }

    @Test("sent once; a restarted worker sends nothing again; a claim left by a crash is sent once when its lease ends", arguments: NotifyDB.urls)
    func exactlyOnceAcrossRestart(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            let clock = TestClock(NotifyFixture.t0)
            try await NotifyFixture.enqueueAlerts(repos, ["a1", "a2"], at: clock.now())
            // A worker claims a1 and a2 and "crashes" before sending (nothing marked).
            let crashed = try await repos.notifications.claimDue(now: clock.now(), claimUntil: clock.now().addingTimeInterval(300), limit: 1)
            #expect(crashed.count == 1)
            let transport = RecordingTransport()
            // The restarted worker: the one not claimed goes now; the claimed one waits for its lease.
            #expect(try await DeliveryWorker.make(repos, transport: transport, clock: clock).deliver().sent == 1)
            #expect(transport.sent.count == 1)
            clock.advance(301)
            let restarted = DeliveryWorker.make(repos, transport: transport, clock: clock)
            #expect(try await restarted.deliver().sent == 1)
            #expect(try await restarted.deliver().sent == 0)
            clock.advance(3600)
            #expect(try await DeliveryWorker.make(repos, transport: transport, clock: clock).deliver().sent == 0)
            #expect(transport.sent.count == 2)
            #expect(Set(transport.sent.map(\.messageID)).count == 2)
            #expect(try await NotifyDB.rows(db).map(\.status) == ["sent", "sent"])
        }
    }

    @Test("a failed first attempt is retried after the back-off, then sent once; a 5xx is given up", arguments: NotifyDB.urls)
    func retryWithBackoff(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            let clock = TestClock(NotifyFixture.t0)
            try await NotifyFixture.enqueueAlerts(repos, ["alert-1"], at: clock.now())
            let transport = RecordingTransport(failFirst: 2)
            let worker = DeliveryWorker.make(repos, transport: transport, clock: clock, backoff: 60)
            #expect(try await worker.deliver() == .init(sent: 0, retried: 1, failed: 0))
            clock.advance(59)
            #expect(try await worker.deliver() == .init())  // not yet: 60 s back-off
            clock.advance(1)
            #expect(try await worker.deliver() == .init(sent: 0, retried: 1, failed: 0))
            clock.advance(119)
            #expect(try await worker.deliver() == .init())  // doubled: 120 s
            clock.advance(1)
            #expect(try await worker.deliver() == .init(sent: 1, retried: 0, failed: 0))
            #expect(transport.sent.count == 1)
            #expect(try await NotifyDB.rows(db).map(\.attempts) == [3])
            #expect(worker.backoff(afterAttempt: 1) == 60 && worker.backoff(afterAttempt: 3) == 240 && worker.backoff(afterAttempt: 20) == 3600)

            try await NotifyFixture.enqueueAlerts(repos, ["refused"], at: clock.now())
            #expect(try await DeliveryWorker.make(repos, transport: RecordingTransport(permanent: true), clock: clock).deliver().failed == 1)
            clock.advance(86_400)
            #expect(try await DeliveryWorker.make(repos, transport: transport, clock: clock).deliver() == .init())
            #expect(try await NotifyDB.rows(db, where: "event_key = 'safety-alert:refused'").map(\.status) == ["failed"])
        }
    }

    @Test("preferences: e-mail off keeps the inbox entry; a digest groups a user's rows in one e-mail at the digest hour", arguments: NotifyDB.urls)
    func preferencesAndDigest(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            let clock = TestClock(NotifyFixture.t0.addingTimeInterval(9 * 3600))  // 09:00 UTC, after the digest hour
            try await repos.notifications.savePreferences(
                NotificationPreferences(emailAddress: "inv-a@clinic.example", delivery: [.safetyAlert: .digest]), user: "u-inv-a", at: clock.now())
            try await repos.notifications.savePreferences(
                NotificationPreferences(emailAddress: "inv-b@clinic.example", delivery: [.safetyAlert: .off]), user: "u-inv-b", at: clock.now())
            #expect(try await repos.notifications.preferences(user: "u-inv-a").delivery(for: .safetyAlert) == .digest)
            #expect(try await repos.notifications.preferences(user: "u-inv-a").delivery(for: .reportOverdue) == .immediate)
            try await NotifyFixture.enqueueAlerts(repos, ["d1", "d2", "d3"], at: clock.now())
            let transport = RecordingTransport()
            let worker = DeliveryWorker.make(repos, transport: transport, clock: clock)
            #expect(try await worker.deliver().sent == 0)
            clock.advance(22 * 3600)  // 07:00 the next day
            #expect(try await worker.deliver().sent == 1)
            #expect(transport.sent.count == 1)
            #expect(transport.sent[0].subject.contains("Daily digest: 3 notifications"))
            #expect(try await NotifyDB.rows(db).allSatisfy { $0.status == "sent" })

            // Site B's investigator chose "off": the inbox has it, no e-mail is ever due.
            try await repos.participants.create(Participant(
                id: "p-2", siteID: "site-b", mrn: "MRN-B", sex: .female, birthDate: CalendarDate(year: 1980, month: 1, day: 1)!, diagnoses: []),
                context: NotifyFixture.context, idempotencyKey: nil)
            try await repos.transaction { tx in
                try await Notifications.enqueue(tx, NotificationEvent(kind: .safetyAlert, participantID: "p-2", linkPath: "/participants/p-2",
                                                                      eventKey: "safety-alert:b1"), now: clock.now(), ids: UUIDGenerator())
            }
            #expect(try await NotifyDB.rows(db, where: "user_id = 'u-inv-b'").map(\.status) == ["off"])
            #expect(try await repos.notifications.unreadCount(user: "u-inv-b") == 1)
        }
    }

    @Test("without an SMTP host due e-mails are marked off; the inbox is read and marked read per user", arguments: NotifyDB.urls)
    func inboxWithoutSMTP(url: String) async throws {
        try await NotifyDB.with(url) { db in
            let repos = try await NotifyFixture.seed(db)
            let clock = TestClock(NotifyFixture.t0)
            try await NotifyFixture.enqueueAlerts(repos, ["alert-1"], at: clock.now())
            #expect(try await DeliveryWorker.make(repos, transport: nil, clock: clock).deliver() == .init())
            #expect(try await NotifyDB.rows(db).map(\.status) == ["off"])
            let inbox = try await repos.notifications.inbox(user: "u-inv-a", limit: 10)
            #expect(inbox.count == 1 && inbox[0].readAt == nil)
            try await repos.notifications.markRead(user: "u-inv-b", id: inbox[0].id, at: clock.now())  // another user's: nothing
            #expect(try await repos.notifications.unreadCount(user: "u-inv-a") == 1)
            try await repos.notifications.markRead(user: "u-inv-a", id: inbox[0].id, at: clock.now())
            #expect(try await repos.notifications.unreadCount(user: "u-inv-a") == 0)
        }
    }
}
