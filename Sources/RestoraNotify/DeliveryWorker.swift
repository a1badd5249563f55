import Foundation
import Logging
import RestoraDomain
import ServiceLifecycle

/// The notification delivery worker: a Service in `restora serve`'s service group (docs/notifications.md).
///
/// Each pass: (1) once per day, the scheduler enqueues the time-driven notifications; (2) due outbox rows are
/// claimed (a lease, `claimUntil`; PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite's one writer), sent over SMTP,
/// and marked sent. A failed attempt is retried with exponential back-off; a 5xx reply, or the last attempt,
/// marks the row failed. Claim → send → mark: a crash after the claim leaves the row to be claimed again when
/// the lease ends (sent once); only a crash between the SMTP server's 250 and the mark sends it twice, with
/// the same Message-ID, so a receiver can drop the duplicate.
/// Without an SMTP host (`transport` nil) due e-mails are marked `off`; the in-app inbox works either way.
public struct DeliveryWorker: Service {
    public struct Settings: Sendable {
        /// The address people open (links in messages): `restora serve --public-url` or its default.
        public var baseURL: String
        public var from: String
        /// Seconds between passes.
        public var interval: Double = 15
        /// How long a claim holds a row before another pass may take it (seconds).
        public var leaseSeconds: Double = 300
        /// First retry delay (seconds); doubled per attempt, capped at `maxBackoffSeconds`.
        public var backoffSeconds: Double = 60
        public var maxBackoffSeconds: Double = 3600
        /// Attempts before a row is given up (`failed`).
        public var maxAttempts = 8
        public var batchSize = 50

        public init(baseURL: String, from: String) {
            self.baseURL = baseURL
            self.from = from
        }
    }

    public let repositories: Repositories
    public let transport: (any MailTransport)?
    public let scheduler: NotificationScheduler?
    public var settings: Settings
    public let clock: any Clock
    public let logger: Logger
    private let lastScheduledDay = LastDay()

    public init(repositories: Repositories, transport: (any MailTransport)?, scheduler: NotificationScheduler?, settings: Settings,
                clock: any Clock = SystemClock(), logger: Logger) {
        self.repositories = repositories
        self.transport = transport
        self.scheduler = scheduler
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        logger.info("notification worker started", metadata: ["email": "\(transport != nil ? "on" : "off")"])
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pass()
                try? await Task.sleep(for: .seconds(self.settings.interval))
            }
        }
        logger.info("notification worker stopped")
    }

    /// One pass; errors are logged (without any message content) and the next pass tries again.
    public func pass() async {
        do {
            try await runScheduler()
            let report = try await deliver()
            if report.sent + report.failed + report.retried > 0 {
                logger.info("notifications delivered", metadata: [
                    "sent": "\(report.sent)", "retry": "\(report.retried)", "failed": "\(report.failed)"])
            }
        } catch {
            logger.warning("notification pass failed", metadata: ["error": "\(type(of: error))"])
        }
    }

    /// The scheduler, at most once per (UTC) day per worker; a restart runs it again, and its idempotency keys
    /// make that harmless.
    public func runScheduler() async throws {
        guard let scheduler else { return }
        let now = clock.now()
        let today = CalendarDate(now)
        guard await lastScheduledDay.claim(today) else { return }
        let new = try await scheduler.run(today: today, now: now)
        if new > 0 { logger.info("time-driven notifications enqueued", metadata: ["count": "\(new)"]) }
    }

    public struct Report: Sendable, Equatable {
        public var sent = 0
        public var retried = 0
        public var failed = 0
    }

    /// Claims what is due and sends it. A user's digest rows due together go as one e-mail.
    @discardableResult
    public func deliver() async throws -> Report {
        let now = clock.now()
        guard let transport else {
            try await repositories.notifications.markEmailOff(dueBefore: now)
            return Report()
        }
        var report = Report()
        let claimed = try await repositories.notifications.claimDue(
            now: now, claimUntil: now.addingTimeInterval(settings.leaseSeconds), limit: settings.batchSize)
        for batch in Self.batches(claimed) {
            guard let message = NotificationMessage.make(batch, baseURL: settings.baseURL) else { continue }
            let ids = batch.map(\.id)
            do {
                try await transport.send(message, from: settings.from)
                try await repositories.notifications.markSent(ids: ids, at: clock.now())
                report.sent += 1
            } catch {
                let failure = error as? MailDeliveryError ?? MailDeliveryError(permanent: false, reason: "\(type(of: error))")
                let attempts = batch.map(\.attempts).max() ?? 1
                let retryAt = failure.permanent || attempts >= settings.maxAttempts
                    ? nil : clock.now().addingTimeInterval(backoff(afterAttempt: attempts))
                try await repositories.notifications.markFailed(ids: ids, retryAt: retryAt, error: failure.reason)
                if retryAt == nil { report.failed += 1 } else { report.retried += 1 }
                logger.warning("notification e-mail not sent", metadata: [
                    "notification": "\(ids[0])", "attempt": "\(attempts)", "retry": "\(retryAt != nil)", "reason": "\(failure.reason)"])
            }
        }
        return report
    }

    /// Seconds before the next attempt after `attempt` failed: backoff × 2^(attempt−1), capped.
    public func backoff(afterAttempt attempt: Int) -> Double {
        min(settings.maxBackoffSeconds, settings.backoffSeconds * pow(2, Double(max(0, attempt - 1))))
    }

    /// Immediate rows one by one; digest rows grouped per user.
    static func batches(_ rows: [UserNotification]) -> [[UserNotification]] {
        var out: [[UserNotification]] = []
        var digests: [Identifier<UserAccount>: [UserNotification]] = [:]
        var order: [Identifier<UserAccount>] = []
        for row in rows {
            if row.delivery == .digest {
                if digests[row.userID] == nil { order.append(row.userID) }
                digests[row.userID, default: []].append(row)
            } else {
                out.append([row])
            }
        }
        return out + order.compactMap { digests[$0] }
    }
}

/// The last day the scheduler ran in this process.
actor LastDay {
    private var day: CalendarDate?
    func claim(_ today: CalendarDate) -> Bool {
        guard day != today else { return false }
        day = today
        return true
    }
}
