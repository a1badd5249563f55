/// Record locks (issue #16 item 4, docs/locking.md; REFERENCE.md H2: lock after investigator sign-off, unlock only
/// with a documented reason). One row per lock of a casebook (`target_kind` 'enrolments', `target_id` = the
/// enrolment) or of a visit ('visits', `target_id` = the visit, `visit_id` the same); a lock stands while
/// `unlocked_at` is NULL. An unlock fills the unlock columns of the same row (an audited update, reason required
/// by a CHECK); rows are never deleted. At most one standing lock per target (a partial unique index, which both
/// engines support). `enrolment_id` is the casebook the locked data belongs to: the write path looks a row's
/// enrolment and visit up in `record_locks_standing` (`LockGuard`). Site-scoped (`site_id`, its own chain).
let m0045_CreateRecordLocks = Migration(name: "0045_CreateRecordLocks", statements: [
    """
    CREATE TABLE record_locks (
        id TEXT PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('enrolments', 'visits')),
        target_id TEXT NOT NULL,
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        visit_id TEXT REFERENCES visits(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        site_id TEXT NOT NULL REFERENCES sites(id),
        locked_by_user TEXT NOT NULL,
        locked_by_role TEXT,
        locked_at TEXT NOT NULL,
        lock_reason TEXT,
        unlocked_by_user TEXT,
        unlocked_by_role TEXT,
        unlocked_at TEXT,
        unlock_reason TEXT,
        voided_signatures BIGINT CHECK (voided_signatures >= 0),
    \(recordBookkeeping),
        CHECK ((target_kind = 'enrolments' AND visit_id IS NULL AND target_id = enrolment_id)
            OR (target_kind = 'visits' AND visit_id IS NOT NULL AND target_id = visit_id)),
        CHECK ((unlocked_at IS NULL AND unlocked_by_user IS NULL AND unlock_reason IS NULL AND voided_signatures IS NULL)
            OR (unlocked_at IS NOT NULL AND unlocked_by_user IS NOT NULL AND unlock_reason IS NOT NULL AND unlock_reason <> ''
                AND voided_signatures IS NOT NULL)))
    """,
    // Led by site_id like every unique index of a site-scoped table (sharding by site, docs/scaling.md).
    "CREATE UNIQUE INDEX record_locks_one_standing ON record_locks (site_id, target_kind, target_id) WHERE unlocked_at IS NULL AND deleted_at IS NULL",
    "CREATE INDEX record_locks_standing ON record_locks (enrolment_id) WHERE unlocked_at IS NULL AND deleted_at IS NULL",
    "CREATE INDEX record_locks_participant ON record_locks (participant_id)",
])
