import Foundation
import RestoraDomain
import SQLKit

/// The notification outbox and inbox (migration 0040) in plain SQL: rows are not clinical records (no
/// version, no audit entry of their own — the action that caused them is audited), so they bypass
/// `RecordStore`. Bound to a transaction (`UnitOfWork`), `insert` joins it: a rolled-back action leaves no row.
struct SQLNotificationRepository: NotificationRepository {
    let store: any SQLStore

    static let columns = """
        id, site_id, user_id, participant_id, site_code, kind, link_path, event_key, on_date, created_at, read_at, delivery,
        email_status, email_address, attempts, next_attempt_at, sent_at, message_id
        """

    func recipients(site: Identifier<Site>, roles: [UserRole], kind: NotificationKind) async throws -> [NotificationRecipient] {
        guard !roles.isEmpty else { return [] }
        let sql: SQLQueryString = """
            SELECT u.id AS id, u.site_ids AS site_ids, s.email_address AS email_address, p.email_delivery AS email_delivery
            FROM users u
            LEFT JOIN notification_settings s ON s.user_id = u.id
            LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = \(bind: kind.rawValue)
            WHERE u.deleted_at IS NULL AND u.active = \(bind: true) AND u.role IN (\(binds: roles.map(\.rawValue)))
            ORDER BY u.username
            """
        let rows = try await store.read { db in try await db.raw(sql).all() }
        return try rows.compactMap { row in
            // site_ids is the user's JSON list of sites (UserMapping); a user of another site is not told.
            let sites = try row.decode(column: "site_ids", as: String?.self)
                .map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            guard sites.contains(site.rawValue) else { return nil }
            let stored = try row.decode(column: "email_delivery", as: String?.self)
            let delivery = try stored.map { try Self.value(EmailDelivery.self, $0, "email_delivery") } ?? kind.defaultDelivery
            return NotificationRecipient(
                userID: Identifier(try row.decode(column: "id", as: String.self)),
                emailAddress: try row.decode(column: "email_address", as: String?.self), delivery: delivery)
        }
    }

    @discardableResult
    func insert(_ notifications: [UserNotification]) async throws -> Int {
        try await store.transaction { db in
            var inserted = 0
            for n in notifications {
                let sql: SQLQueryString = """
                    INSERT INTO notifications (id, site_id, user_id, participant_id, site_code, kind, link_path, event_key, on_date,
                        created_at, read_at, delivery, email_status, email_address, attempts, next_attempt_at, sent_at, message_id)
                    VALUES (\(bind: n.id), \(bind: n.siteID.rawValue), \(bind: n.userID.rawValue), \(bind: n.participantID.rawValue),
                        \(bind: n.siteCode), \(bind: n.kind.rawValue), \(bind: n.linkPath), \(bind: n.eventKey), \(bind: n.onDate?.description),
                        \(bind: StoredJSON.format(n.createdAt)), \(bind: n.readAt.map(StoredJSON.format)), \(bind: n.delivery.rawValue),
                        \(bind: n.emailStatus.rawValue), \(bind: n.emailAddress), \(bind: n.attempts),
                        \(bind: n.nextAttemptAt.map(StoredJSON.format)), \(bind: n.sentAt.map(StoredJSON.format)), \(bind: n.messageID))
                    ON CONFLICT (site_id, event_key, user_id) DO NOTHING
                    RETURNING id
                    """
                inserted += try await db.raw(sql).all().count
            }
            return inserted
        }
    }

    func inbox(user: Identifier<UserAccount>, limit: Int) async throws -> [UserNotification] {
        let sql: SQLQueryString = """
            SELECT \(unsafeRaw: Self.columns) FROM notifications WHERE user_id = \(bind: user.rawValue)
            ORDER BY created_at DESC, id DESC LIMIT \(unsafeRaw: String(max(1, min(limit, 1000))))
            """
        return try await store.read { db in try await db.raw(sql).all() }.map(Self.decode)
    }

    func unreadCount(user: Identifier<UserAccount>) async throws -> Int {
        let sql: SQLQueryString = "SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: user.rawValue) AND read_at IS NULL"
        return try await store.read { db in try await db.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0 }
    }

    func markRead(user: Identifier<UserAccount>, id: String?, at: Date) async throws {
        var sql: SQLQueryString = """
            UPDATE notifications SET read_at = \(bind: StoredJSON.format(at)) WHERE user_id = \(bind: user.rawValue) AND read_at IS NULL
            """
        if let id { sql.appendInterpolation(unsafeRaw: " AND id = "); sql.appendInterpolation(bind: id) }
        let statement = sql
        try await store.transaction { db in try await db.raw(statement).run() }
    }

    func preferences(user: Identifier<UserAccount>) async throws -> NotificationPreferences {
        let (settings, rows) = try await store.read { db in
            let settings = try await db.raw("SELECT email_address FROM notification_settings WHERE user_id = \(bind: user.rawValue)").first()
            let rows = try await db.raw("SELECT kind, email_delivery FROM notification_preferences WHERE user_id = \(bind: user.rawValue)").all()
            return (settings, rows)
        }
        var preferences = NotificationPreferences(emailAddress: try settings?.decode(column: "email_address", as: String?.self))
        for row in rows {
            preferences.delivery[try Self.value(NotificationKind.self, try row.decode(column: "kind", as: String.self), "kind")] =
                try Self.value(EmailDelivery.self, try row.decode(column: "email_delivery", as: String.self), "email_delivery")
        }
        return preferences
    }

    func savePreferences(_ preferences: NotificationPreferences, user: Identifier<UserAccount>, at: Date) async throws {
        try await store.transaction { db in
            try await db.raw("DELETE FROM notification_preferences WHERE user_id = \(bind: user.rawValue)").run()
            try await db.raw("DELETE FROM notification_settings WHERE user_id = \(bind: user.rawValue)").run()
            try await db.raw("""
                INSERT INTO notification_settings (user_id, email_address, updated_at)
                VALUES (\(bind: user.rawValue), \(bind: preferences.emailAddress), \(bind: StoredJSON.format(at)))
                """).run()
            for kind in NotificationKind.allCases {
                guard let delivery = preferences.delivery[kind], delivery != kind.defaultDelivery else { continue }
                try await db.raw("""
                    INSERT INTO notification_preferences (user_id, kind, email_delivery)
                    VALUES (\(bind: user.rawValue), \(bind: kind.rawValue), \(bind: delivery.rawValue))
                    """).run()
            }
        }
    }

    func claimDue(now: Date, claimUntil: Date, limit: Int) async throws -> [UserNotification] {
        let nowText = StoredJSON.format(now)
        // PostgreSQL: rows another worker holds are skipped, not waited for. SQLite: the single writer already
        // serialises claims (no FOR UPDATE there).
        let lock = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let sql: SQLQueryString = """
            UPDATE notifications SET claimed_until = \(bind: StoredJSON.format(claimUntil)), attempts = attempts + 1
            WHERE id IN (SELECT id FROM notifications
                         WHERE email_status = 'pending' AND next_attempt_at <= \(bind: nowText)
                           AND (claimed_until IS NULL OR claimed_until <= \(bind: nowText))
                         ORDER BY next_attempt_at, id LIMIT \(unsafeRaw: String(max(1, limit)))\(unsafeRaw: lock))
            RETURNING \(unsafeRaw: Self.columns)
            """
        let rows = try await store.transaction { db in try await db.raw(sql).all() }
        return try rows.map(Self.decode).sorted { ($0.nextAttemptAt ?? $0.createdAt, $0.id) < ($1.nextAttemptAt ?? $1.createdAt, $1.id) }
    }

    func markSent(ids: [String], at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await store.transaction { db in
            try await db.raw("""
                UPDATE notifications SET email_status = 'sent', sent_at = \(bind: StoredJSON.format(at)), claimed_until = NULL, last_error = NULL
                WHERE id IN (\(binds: ids)) AND email_status = 'pending'
                """).run()
        }
    }

    func markFailed(ids: [String], retryAt: Date?, error: String) async throws {
        guard !ids.isEmpty else { return }
        let status = retryAt == nil ? "failed" : "pending"
        // Only the SMTP reply or the connection error is kept, cut short: never a message body.
        let reason = String(error.prefix(300))
        try await store.transaction { db in
            try await db.raw("""
                UPDATE notifications SET email_status = \(bind: status), next_attempt_at = \(bind: retryAt.map(StoredJSON.format)),
                    claimed_until = NULL, last_error = \(bind: reason)
                WHERE id IN (\(binds: ids)) AND email_status = 'pending'
                """).run()
        }
    }

    @discardableResult
    func markEmailOff(dueBefore now: Date) async throws -> Int {
        try await store.transaction { db in
            try await db.raw("""
                UPDATE notifications SET email_status = 'off', next_attempt_at = NULL, claimed_until = NULL
                WHERE email_status = 'pending' AND next_attempt_at <= \(bind: StoredJSON.format(now))
                RETURNING id
                """).all().count
        }
    }

    func count(eventKey: String) async throws -> Int {
        let sql: SQLQueryString = "SELECT COUNT(*) AS n FROM notifications WHERE event_key = \(bind: eventKey)"
        return try await store.read { db in try await db.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0 }
    }

    static func value<T: RawRepresentable>(_ type: T.Type, _ raw: String, _ column: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw StorageError.corruptRecord(table: "notifications", column: column) }
        return value
    }

    static func instant(_ row: any SQLRow, _ column: String) throws -> Date? {
        guard let text = try row.decode(column: column, as: String?.self) else { return nil }
        guard let date = StoredJSON.parse(text) else { throw StorageError.corruptRecord(table: "notifications", column: column) }
        return date
    }

    static func decode(_ row: any SQLRow) throws -> UserNotification {
        func text(_ c: String) throws -> String { try row.decode(column: c, as: String.self) }
        func optional(_ c: String) throws -> String? { try row.decode(column: c, as: String?.self) }
        guard let created = try instant(row, "created_at") else { throw StorageError.corruptRecord(table: "notifications", column: "created_at") }
        return UserNotification(
            id: try text("id"), userID: Identifier(try text("user_id")), siteID: Identifier(try text("site_id")),
            siteCode: try text("site_code"), participantID: Identifier(try text("participant_id")),
            kind: try value(NotificationKind.self, try text("kind"), "kind"), linkPath: try text("link_path"),
            eventKey: try text("event_key"), onDate: try optional("on_date").flatMap(CalendarDate.init),
            createdAt: created, readAt: try instant(row, "read_at"),
            delivery: try value(EmailDelivery.self, try text("delivery"), "delivery"),
            emailStatus: try value(EmailStatus.self, try text("email_status"), "email_status"),
            emailAddress: try optional("email_address"), attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: try instant(row, "next_attempt_at"), sentAt: try instant(row, "sent_at"), messageID: try text("message_id"))
    }
}
