import Foundation
import Logging
import RestoraDomain
@testable import RestoraNotify
@testable import RestoraStorage
import SQLKit
import Synchronization

/// SQLite in memory always, PostgreSQL too when RESTORA_TEST_DATABASE_URL is set (a fresh schema per test,
/// dropped afterwards; loopback only), like the storage tests.
enum NotifyDB {
    static let urls: [String] = {
        var urls = ["sqlite::memory:"]
        if let url = ProcessInfo.processInfo.environment["RESTORA_TEST_DATABASE_URL"], !url.isEmpty { urls.append(url) }
        return urls
    }()

    static func with<R>(_ url: String, _ body: (StorageDatabase) async throws -> R) async throws -> R {
        var logger = Logger(label: "restora.notify.tests")
        logger.logLevel = .warning
        var schema: String?
        let location = try DatabaseLocation(url: url)
        if case .postgres = location {
            guard let host = location.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) else {
                throw CancellationError()
            }
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try await StorageDatabase.open(url: url, logger: logger)
            try await admin.store.transaction { db in try await db.raw("CREATE SCHEMA \(unsafeRaw: name)").run() }
            try await admin.shutdown()
            schema = name
        }
        let db = try await StorageDatabase.open(url: url, logger: logger, hasher: CredentialHasher(bcryptCost: 4), postgresSchema: schema)
        func cleanUp() async throws {
            if let schema { try await db.store.transaction { sql in try await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() } }
            try await db.shutdown()
        }
        do {
            try await db.migrator.migrate()
            let result = try await body(db)
            try await cleanUp()
            return result
        } catch {
            try? await cleanUp()
            throw error
        }
    }

    static func rows(_ db: StorageDatabase, where condition: String = "1 = 1") async throws -> [(user: String, status: String, attempts: Int)] {
        try await db.store.read { sql in
            try await sql.raw("SELECT user_id, email_status, attempts FROM notifications WHERE \(unsafeRaw: condition) ORDER BY user_id").all()
                .map { (try $0.decode(column: "user_id", as: String.self), try $0.decode(column: "email_status", as: String.self),
                        try $0.decode(column: "attempts", as: Int.self)) }
        }
    }
}

/// Sites A and B, participant p-1 (site A, MRN and names that must never leave in a message), and users of both
/// sites in each role that matters.
enum NotifyFixture {
    static let context = AuditContext(actor: Actor(userID: "u-admin", role: "admin"), requestID: "req-n")
    static let mrn = "MRN-777123"
    static let given = "Jeanne"
    static let family = "Testenom"

    static func seed(_ db: StorageDatabase) async throws -> Repositories {
        let repos = db.repositories
        _ = try await repos.sites.create(Site(id: "site-a", code: "PAR1", name: "Clinic Paris", timeZone: "Europe/Paris"), context: context, idempotencyKey: nil)
        _ = try await repos.sites.create(Site(id: "site-b", code: "LYO1", name: "Clinic Lyon", timeZone: "Europe/Paris"), context: context, idempotencyKey: nil)
        _ = try await repos.participants.create(Participant(
            id: "p-1", siteID: "site-a", mrn: mrn, givenName: given, familyName: family, sex: .male,
            birthDate: CalendarDate(year: 1990, month: 5, day: 17)!, diagnoses: []), context: context, idempotencyKey: nil)
        for (id, role, site) in [("u-inv-a", UserRole.investigator, "site-a"), ("u-inv-b", .investigator, "site-b"),
                                 ("u-coord-a", .coordinator, "site-a"), ("u-mon-a", .monitor, "site-a"), ("u-admin", .admin, "site-a")] {
            _ = try await repos.users.create(UserAccount(id: Identifier(id), username: id, role: role, siteIDs: [Identifier(site)]),
                                             password: nil, context: context)
        }
        try await repos.notifications.savePreferences(NotificationPreferences(emailAddress: "inv-a@clinic.example"), user: "u-inv-a", at: t0)
        try await repos.notifications.savePreferences(NotificationPreferences(emailAddress: "inv-b@clinic.example"), user: "u-inv-b", at: t0)
        return repos
    }

    static let t0 = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z

    /// Enqueues the safety-alert notifications of `ids` in one transaction; how many rows were new.
    @discardableResult
    static func enqueueAlerts(_ repos: Repositories, _ ids: [String] = ["alert-1"], at now: Date = t0) async throws -> Int {
        try await repos.transaction { tx in
            var new = 0
            for id in ids { new += try await Notifications.enqueue(tx, alertEvent(id), now: now, ids: UUIDGenerator()) }
            return new
        }
    }

    static func alertEvent(_ id: String = "alert-1") -> NotificationEvent {
        NotificationEvent(kind: .safetyAlert, participantID: "p-1", linkPath: Notifications.participantPath("p-1"), eventKey: "safety-alert:\(id)")
    }
}

/// A clock the test moves.
final class TestClock: Clock {
    private let instant: Mutex<Date>
    init(_ start: Date) { instant = Mutex(start) }
    func now() -> Date { instant.withLock { $0 } }
    func advance(_ seconds: Double) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Counts deliveries; fails the first `failFirst` attempts (temporary, like a 4xx) or every one (`permanent`).
final class RecordingTransport: MailTransport {
    private let state = Mutex<(sent: [NotificationMessage], failures: Int)>(([], 0))
    let failFirst: Int
    let permanent: Bool
    init(failFirst: Int = 0, permanent: Bool = false) {
        self.failFirst = failFirst
        self.permanent = permanent
    }

    var sent: [NotificationMessage] { state.withLock { $0.sent } }

    func send(_ message: NotificationMessage, from: String) async throws {
        try state.withLock { state in
            if permanent { throw MailDeliveryError(permanent: true, reason: "550 mailbox unavailable") }
            if state.failures < failFirst {
                state.failures += 1
                throw MailDeliveryError(permanent: false, reason: "451 try again later")
            }
            state.sent.append(message)
        }
    }
}

extension DeliveryWorker {
    static func make(_ repositories: Repositories, transport: (any MailTransport)?, clock: any Clock, backoff: Double = 60) -> DeliveryWorker {
        var settings = Settings(baseURL: "https://restora.clinic.example/", from: "Restora <restora@clinic.example>")
        settings.backoffSeconds = backoff
        return DeliveryWorker(repositories: repositories, transport: transport, scheduler: nil, settings: settings, clock: clock,
                              logger: Logger(label: "restora.notify.tests"))
    }
}
