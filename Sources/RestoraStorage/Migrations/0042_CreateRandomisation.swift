/// Randomisation in the store (issue #16 item 1, docs/randomisation.md "In the system"; REFERENCE.md I).
/// - `randomisation_allocations`: one row per randomised enrolment, never updated (UNIQUE enrolment: never
///   reallocated). `(program_id, stratum, sequence_number)` is unique and `sequence_number` > 0: together with the
///   stratum row lock below, the sequence of a stratum has no duplicates and no gaps. Site-scoped (`site_id`, the
///   enrolment's), audited in that site's chain. The kit code is unique per program.
/// - `randomisation_strata`: the CONCEALED state of each allocation sequence (the rest of the current block) and
///   its allocation count. One row per (program, stratum key), locked (`SELECT … FOR UPDATE` on PostgreSQL) by the
///   transaction that allocates. Not a record: no version, no audit entry, no `deleted_at` (the audit trail is
///   readable and must not reveal the next assignments); the allocations carry block number, size and position.
/// - `randomisation_unblindings`: emergency unblindings, appended (who, when, why, which allocation), audited.
/// - The notification kind `emergency-unblinding` joins the CHECKs of `notifications` and
///   `notification_preferences` (migration 0040 lists the kinds): PostgreSQL replaces the constraint; SQLite, which
///   cannot alter a CHECK, rebuilds the two tables with their rows and indexes.
let m0042_CreateRandomisation = Migration(name: "0042_CreateRandomisation", steps: [
    .sql("""
    CREATE TABLE randomisation_allocations (
        id TEXT PRIMARY KEY,
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        program_id TEXT NOT NULL REFERENCES programs(id),
        site_id TEXT NOT NULL REFERENCES sites(id),
        protocol_id TEXT NOT NULL,
        protocol_version TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('permuted-blocks', 'minimisation')),
        stratum TEXT NOT NULL,
        sequence_number BIGINT NOT NULL CHECK (sequence_number > 0),
        factor_levels TEXT NOT NULL,
        arm_id TEXT NOT NULL CHECK (arm_id <> ''),
        kit_code TEXT,
        block_number BIGINT CHECK (block_number > 0),
        block_size BIGINT CHECK (block_size > 0),
        position_in_block BIGINT CHECK (position_in_block > 0 AND position_in_block <= block_size),
        allocated_by_user TEXT NOT NULL,
        allocated_by_role TEXT,
        allocated_at TEXT NOT NULL,
    \(recordBookkeeping),
        CHECK (method <> 'permuted-blocks' OR (block_number IS NOT NULL AND block_size IS NOT NULL AND position_in_block IS NOT NULL)),
        UNIQUE (enrolment_id),
        UNIQUE (program_id, stratum, sequence_number),
        UNIQUE (program_id, kit_code))
    """),
    .sql("CREATE INDEX randomisation_allocations_site ON randomisation_allocations (site_id, program_id)"),
    .sql("""
    CREATE TABLE randomisation_strata (
        program_id TEXT NOT NULL REFERENCES programs(id),
        stratum TEXT NOT NULL,
        allocation_count BIGINT NOT NULL CHECK (allocation_count >= 0),
        block_number BIGINT,
        block_size BIGINT,
        block_remaining TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (program_id, stratum))
    """),
    .sql("""
    CREATE TABLE randomisation_unblindings (
        id TEXT PRIMARY KEY,
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        site_id TEXT NOT NULL REFERENCES sites(id),
        allocation_id TEXT NOT NULL REFERENCES randomisation_allocations(id),
        reason TEXT NOT NULL CHECK (reason <> ''),
        unblinded_by_user TEXT NOT NULL,
        unblinded_by_role TEXT,
        unblinded_at TEXT NOT NULL,
    \(recordBookkeeping))
    """),
    .sql("CREATE INDEX randomisation_unblindings_enrolment ON randomisation_unblindings (enrolment_id)"),
    // The new notification kind (migration 0040 CHECKs the kinds as they were then).
    .engine(sqlite: nil, postgres: """
        ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check,
            ADD CONSTRAINT notifications_kind_check CHECK (kind IN (\(m0042_notificationKinds)))
        """),
    .engine(sqlite: nil, postgres: """
        ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check,
            ADD CONSTRAINT notification_preferences_kind_check CHECK (kind IN (\(m0042_notificationKinds)))
        """),
    .engine(sqlite: """
        CREATE TABLE notifications_0042 (
            id TEXT PRIMARY KEY,
            site_id TEXT NOT NULL REFERENCES sites(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            participant_id TEXT NOT NULL REFERENCES participants(id),
            site_code TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN (\(m0042_notificationKinds))),
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
        """, postgres: nil),
    .engine(sqlite: """
        INSERT INTO notifications_0042 (id, site_id, user_id, participant_id, site_code, kind, link_path, event_key, on_date,
            created_at, read_at, delivery, email_status, email_address, attempts, next_attempt_at, claimed_until, sent_at,
            last_error, message_id)
        SELECT id, site_id, user_id, participant_id, site_code, kind, link_path, event_key, on_date, created_at, read_at,
            delivery, email_status, email_address, attempts, next_attempt_at, claimed_until, sent_at, last_error, message_id
        FROM notifications
        """, postgres: nil),
    .engine(sqlite: "DROP TABLE notifications", postgres: nil),
    .engine(sqlite: "ALTER TABLE notifications_0042 RENAME TO notifications", postgres: nil),
    .engine(sqlite: "CREATE INDEX notifications_inbox ON notifications (user_id, created_at)", postgres: nil),
    .engine(sqlite: "CREATE INDEX notifications_due ON notifications (email_status, next_attempt_at)", postgres: nil),
    .engine(sqlite: "CREATE INDEX notifications_site ON notifications (site_id, created_at)", postgres: nil),
    .engine(sqlite: """
        CREATE TABLE notification_preferences_0042 (
            user_id TEXT NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN (\(m0042_notificationKinds))),
            email_delivery TEXT NOT NULL CHECK (email_delivery IN ('off', 'immediate', 'digest')),
            PRIMARY KEY (user_id, kind))
        """, postgres: nil),
    .engine(sqlite: """
        INSERT INTO notification_preferences_0042 (user_id, kind, email_delivery)
        SELECT user_id, kind, email_delivery FROM notification_preferences
        """, postgres: nil),
    .engine(sqlite: "DROP TABLE notification_preferences", postgres: nil),
    .engine(sqlite: "ALTER TABLE notification_preferences_0042 RENAME TO notification_preferences", postgres: nil),
])

/// The notification kinds as of migration 0042 (0040's and `emergency-unblinding`).
let m0042_notificationKinds = """
    'safety-alert', 'report-due-soon', 'report-overdue', 'visit-due-tomorrow', 'visit-overdue', 'query-raised', \
    'query-answered', 'emergency-unblinding'
    """
