/// Research data export jobs (issue #18, docs/exports.md): who asked for which export of which program, when, how
/// it went, the package's files and — server-side only — the participants it exported. Typed columns and child
/// rows, no JSON blob except the site scope (a list of site ids, like a user's sites). Site-less: an export may
/// span sites, so its rows and their audit entries are in the site-less chain. Enumerations are CHECKed as they
/// were when this migration landed (a new kind or status is a new migration).
/// - `export_jobs`: one row per export; `participant_count`, `requested_count` and `file_count` are the counts of
///   its child rows (`restora audit verify --records` checks them), `requested_count` NULL = all of the program's.
/// - `export_job_participants`: the participants asked for (`role` = requested, written with the job) and the
///   participants exported (`exported`, appended when it is done), one row each, in order.
/// - `export_job_files`: the manifest's files: name, rows, bytes, SHA-256, description.
let m0041_CreateExportJobs = Migration(name: "0041_CreateExportJobs", statements: [
    """
    CREATE TABLE export_jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('csv', 'sdtm', 'odm')),
        program_id TEXT NOT NULL REFERENCES programs(id),
        deidentified BOOLEAN NOT NULL,
        date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'year')),
        site_scope TEXT,
        requested_count BIGINT CHECK (requested_count > 0),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        requested_by_user TEXT NOT NULL,
        requested_by_role TEXT,
        requested_by_name TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error_message TEXT,
        folder TEXT,
        participant_count BIGINT NOT NULL CHECK (participant_count >= 0),
        file_count BIGINT NOT NULL CHECK (file_count >= 0),
        synthetic BOOLEAN NOT NULL,
        restora_version TEXT,
    \(recordBookkeeping),
        CHECK (status <> 'failed' OR (error_message IS NOT NULL AND finished_at IS NOT NULL)),
        CHECK (status <> 'done' OR (folder IS NOT NULL AND finished_at IS NOT NULL AND started_at IS NOT NULL)),
        CHECK (status <> 'running' OR started_at IS NOT NULL))
    """,
    "CREATE INDEX export_jobs_requester ON export_jobs (requested_by_user, requested_at)",
    "CREATE INDEX export_jobs_status ON export_jobs (status)",
    """
    CREATE TABLE export_job_participants (
        id TEXT PRIMARY KEY,
        export_job_id TEXT NOT NULL REFERENCES export_jobs(id),
        position BIGINT NOT NULL CHECK (position >= 0),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        role TEXT NOT NULL CHECK (role IN ('requested', 'exported')),
        created_at TEXT NOT NULL,
        UNIQUE (export_job_id, position))
    """,
    "CREATE INDEX export_job_participants_participant ON export_job_participants (participant_id)",
    """
    CREATE TABLE export_job_files (
        id TEXT PRIMARY KEY,
        export_job_id TEXT NOT NULL REFERENCES export_jobs(id),
        position BIGINT NOT NULL CHECK (position >= 0),
        name TEXT NOT NULL CHECK (name <> ''),
        row_count BIGINT NOT NULL CHECK (row_count >= 0),
        byte_count BIGINT NOT NULL CHECK (byte_count >= 0),
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (export_job_id, position),
        UNIQUE (export_job_id, name))
    """,
])
