/// Source data verification and data-query threads (issue #16 item 5, docs/sdv.md). Typed columns; `site_id` is
/// NOT NULL from the start and copied from the parent on insert (SiteScope), so every row joins its site's audit
/// chain. Enumerations are CHECKed as they are when this migration lands (a new kind is a new migration).
/// - `source_verifications`: one row per SDV mark (a field, a whole record, or each record of a visit marked
///   together), with the record's version at verification: a record whose version has moved on since shows
///   "changed since verified" (compared when reading, never by rewriting the mark). Appended only.
/// - `data_query_messages`: the steps of a data query's thread after it was raised (answered, closed, re-opened
///   with a note), child rows of `data_queries` in order. The query's own columns keep its current state; no
///   column of `data_queries` changes, so the record hashes of existing queries stay valid.
let m0046_CreateSourceVerification = Migration(name: "0046_CreateSourceVerification", statements: [
    """
    CREATE TABLE source_verifications (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        record_kind TEXT NOT NULL CHECK (record_kind IN ('enrolments', 'visits', 'observations', 'procedures', 'adverse-events', 'medication-courses', 'cell-products')),
        record_id TEXT NOT NULL CHECK (record_id <> ''),
        field TEXT CHECK (field IS NULL OR field <> ''),
        record_version BIGINT NOT NULL CHECK (record_version >= 1),
        scope TEXT NOT NULL CHECK (scope IN ('field', 'record', 'visit')),
        visit_id TEXT REFERENCES visits(id),
        verified_by_user TEXT NOT NULL,
        verified_by_role TEXT,
        verified_at TEXT NOT NULL,
        note TEXT CHECK (note IS NULL OR length(trim(note)) > 0),
    \(recordBookkeeping),
        CHECK ((scope = 'field') = (field IS NOT NULL)),
        CHECK ((scope = 'visit') = (visit_id IS NOT NULL)))
    """,
    "CREATE INDEX source_verifications_record ON source_verifications (record_kind, record_id, record_version)",
    "CREATE INDEX source_verifications_site_participant ON source_verifications (site_id, participant_id)",
    """
    CREATE TABLE data_query_messages (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        data_query_id TEXT NOT NULL REFERENCES data_queries(id),
        position BIGINT NOT NULL CHECK (position >= 0),
        kind TEXT NOT NULL CHECK (kind IN ('answered', 'closed', 'reopened')),
        text TEXT,
        by_user TEXT NOT NULL,
        by_role TEXT,
        at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (site_id, data_query_id, position),
        CHECK (kind = 'closed' OR (text IS NOT NULL AND length(trim(text)) > 0)))
    """,
    "CREATE INDEX data_query_messages_query ON data_query_messages (data_query_id, position)",
])
