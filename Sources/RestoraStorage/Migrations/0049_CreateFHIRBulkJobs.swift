/// FHIR Bulk Data jobs (issue #17, docs/fhir.md "Bulk Data"): one row per `$export` kick-off or NDJSON import —
/// who asked, when, at which level (system, Patient, Group = a program), which `_type`s and `_since`, within which
/// sites, how it went, and the files written (a short list kept as canonical JSON: type, file, count, bytes; the
/// count of its entries is `output_count`). Site-less, like export jobs: a job may span sites, so its audit entries
/// are in the site-less chain. Enumerations are CHECKed as they were when this migration landed.
let m0049_CreateFHIRBulkJobs = Migration(name: "0049_CreateFHIRBulkJobs", statements: [
    """
    CREATE TABLE fhir_bulk_jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('export', 'import')),
        level TEXT NOT NULL CHECK (level IN ('system', 'patient', 'group')),
        group_id TEXT REFERENCES programs(id),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        resource_types TEXT,
        since TEXT,
        site_scope TEXT,
        request TEXT NOT NULL,
        requested_by_user TEXT NOT NULL,
        requested_by_role TEXT,
        requested_by_name TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        transaction_time TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        folder TEXT,
        error_message TEXT,
        outputs TEXT NOT NULL,
        output_count BIGINT NOT NULL CHECK (output_count >= 0),
        refused_count BIGINT NOT NULL CHECK (refused_count >= 0),
    \(recordBookkeeping),
        CHECK (level <> 'group' OR group_id IS NOT NULL),
        CHECK (status <> 'failed' OR (error_message IS NOT NULL AND finished_at IS NOT NULL)),
        CHECK (status <> 'done' OR (finished_at IS NOT NULL AND started_at IS NOT NULL)),
        CHECK (status <> 'cancelled' OR finished_at IS NOT NULL),
        CHECK (status <> 'running' OR started_at IS NOT NULL))
    """,
    "CREATE INDEX fhir_bulk_jobs_requester ON fhir_bulk_jobs (requested_by_user, requested_at)",
    "CREATE INDEX fhir_bulk_jobs_status ON fhir_bulk_jobs (status)",
])
