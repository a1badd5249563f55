/// Notifications (issue #15 item 6, docs/notifications.md): one row per (event, recipient) is both the outbox
/// the delivery worker sends e-mail from and the user's in-app inbox. Written by `Notifications.enqueue` in the
/// transaction of the action that causes it. `site_id` is NOT NULL like every clinical table
/// (docs/scaling.md: the distribution column, so unique keys lead with it); `(site_id, event_key, user_id)` is
/// unique (an event key names a record, whose site is fixed), so an event — a retried
/// request, a scheduler run after a restart — is enqueued once per user. Enumerations are CHECKed as they
/// were when this migration landed (a new kind is a new migration).
/// Preferences are per user (not clinical, no site): the address and, per kind, off / immediate / digest;
/// a kind without a row gets its default (`NotificationKind.defaultDelivery`).
let m0040_CreateNotifications = Migration(name: "0040_CreateNotifications", statements: [
    """
    CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        site_code TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('safety-alert', 'report-due-soon', 'report-overdue', 'visit-due-tomorrow', 'visit-overdue', 'query-raised', 'query-answered')),
        link_path TEXT NOT NULL CHECK (link_path LIKE '/%'),
        event_key TEXT NOT NULL,
        on_date TEXT,
        created_at TEXT NOT NULL,
        read_at TEXT,
        delivery TEXT NOT NULL CHECK (delivery IN ('off', 'immediate', 'digest')),
        email_status TEXT NOT NULL CHECK (email_status IN ('pending', 'sent', 'failed', 'off')),
        email_address TEXT,
        attempts BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at TEXT,
        claimed_until TEXT,
        sent_at TEXT,
        last_error TEXT,
        message_id TEXT NOT NULL,
        CHECK (email_status <> 'pending' OR (email_address IS NOT NULL AND next_attempt_at IS NOT NULL)),
        UNIQUE (site_id, event_key, user_id))
    """,
    "CREATE INDEX notifications_inbox ON notifications (user_id, created_at)",
    "CREATE INDEX notifications_due ON notifications (email_status, next_attempt_at)",
    "CREATE INDEX notifications_site ON notifications (site_id, created_at)",
    """
    CREATE TABLE notification_settings (
        user_id TEXT PRIMARY KEY REFERENCES users(id),
        email_address TEXT,
        updated_at TEXT NOT NULL)
    """,
    """
    CREATE TABLE notification_preferences (
        user_id TEXT NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL CHECK (kind IN ('safety-alert', 'report-due-soon', 'report-overdue', 'visit-due-tomorrow', 'visit-overdue', 'query-raised', 'query-answered')),
        email_delivery TEXT NOT NULL CHECK (email_delivery IN ('off', 'immediate', 'digest')),
        PRIMARY KEY (user_id, kind))
    """,
])
