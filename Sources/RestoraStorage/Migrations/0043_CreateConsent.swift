/// E-consent (issue #16 item 2, docs/consent.md). Typed columns; enumerations CHECKed as they were when this
/// migration landed (a new method or scope is a new migration).
/// - `consent_documents`: a program's consent document versions, numbered 1, 2, 3 … per program (UNIQUE), each
///   with its file's SHA-256 and size; site-less (a program spans sites), so audited in the site-less chain.
///   Never updated: a new version supersedes the old one.
/// - `consent_document_contents`: the bytes of each version (base64 text: one column type on both engines),
///   one row per document, written in the same transaction as the document; read back only through the
///   repository, which checks them against the audited SHA-256 before serving them.
/// - `consent_records`: a participant's signed consent on one version: signer, time, method, witness, who
///   recorded it. `site_id` copied from the participant (SiteScope), so entries join the site's audit chain.
/// - `consent_withdrawals`: a withdrawal of consent with its scope (treatment, follow-up, data-use).
let m0043_CreateConsent = Migration(name: "0043_CreateConsent", statements: [
    """
    CREATE TABLE consent_documents (
        id TEXT PRIMARY KEY,
        program_id TEXT NOT NULL REFERENCES programs(id),
        document_version BIGINT NOT NULL CHECK (document_version >= 1),
        title TEXT NOT NULL CHECK (title <> ''),
        media_type TEXT NOT NULL CHECK (media_type IN ('text/plain', 'application/pdf')),
        file_name TEXT NOT NULL CHECK (file_name <> ''),
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        byte_count BIGINT NOT NULL CHECK (byte_count > 0),
        witness_required BOOLEAN NOT NULL,
        note TEXT,
        issued_by_user TEXT NOT NULL,
        issued_by_role TEXT,
        issued_at TEXT NOT NULL,
    \(recordBookkeeping),
        UNIQUE (program_id, document_version))
    """,
    """
    CREATE TABLE consent_document_contents (
        document_id TEXT PRIMARY KEY REFERENCES consent_documents(id),
        content_base64 TEXT NOT NULL CHECK (content_base64 <> ''),
        created_at TEXT NOT NULL)
    """,
    """
    CREATE TABLE consent_records (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        program_id TEXT NOT NULL REFERENCES programs(id),
        document_id TEXT NOT NULL REFERENCES consent_documents(id),
        document_version BIGINT NOT NULL CHECK (document_version >= 1),
        document_sha256 TEXT NOT NULL CHECK (length(document_sha256) = 64),
        signer_name TEXT NOT NULL CHECK (signer_name <> ''),
        signed_at TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('in-person', 'remote')),
        witness_name TEXT,
        recorded_by_user TEXT NOT NULL,
        recorded_by_role TEXT,
        recorded_at TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    "CREATE INDEX consent_records_site_participant ON consent_records (site_id, participant_id)",
    "CREATE INDEX consent_records_enrolment ON consent_records (enrolment_id, document_version)",
    """
    CREATE TABLE consent_withdrawals (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        scope TEXT NOT NULL CHECK (scope IN ('treatment', 'follow-up', 'data-use')),
        withdrawn_at TEXT NOT NULL,
        reason TEXT,
        recorded_by_user TEXT NOT NULL,
        recorded_by_role TEXT,
        recorded_at TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    "CREATE INDEX consent_withdrawals_site_participant ON consent_withdrawals (site_id, participant_id)",
    "CREATE INDEX consent_withdrawals_enrolment ON consent_withdrawals (enrolment_id)",
])
