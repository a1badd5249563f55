/// Electronic signatures (issue #16 item 3, docs/signatures.md; REFERENCE.md H1: 21 CFR 11.50, 11.70, 11.200).
/// - `users.full_name`: the printed name a signature shows (11.50(a)(1)); nullable, since accounts made before
///   this migration have none until an admin sets it (`restora user set-name`). A user without one cannot sign.
/// - `electronic_signatures`: one row per signature, appended; the only later change is voiding it (status,
///   voided_at/by, void_reason). The signed record is named by `target_kind` (the API path segment) and
///   `target_id`; `content_hash` is the SHA-256 of the signed content as stored at signing (11.70), compared on
///   every read to tell a valid signature from an invalidated one (the status `invalidated` is never stored).
///   `site_id` NOT NULL, copied from the participant on insert (SiteScope), so entries join the site's chain.
///   Enumerations are CHECKed as they were when this migration landed (a new kind or meaning is a new migration).
let m0044_CreateElectronicSignatures = Migration(name: "0044_CreateElectronicSignatures", statements: [
    "ALTER TABLE users ADD COLUMN full_name TEXT",
    """
    CREATE TABLE electronic_signatures (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        target_kind TEXT NOT NULL CHECK (target_kind IN ('enrolments', 'visits', 'screenings', 'cell-products')),
        target_id TEXT NOT NULL CHECK (target_id <> ''),
        signer_user TEXT NOT NULL REFERENCES users(id),
        signer_role TEXT,
        signer_username TEXT NOT NULL,
        printed_name TEXT NOT NULL CHECK (printed_name <> ''),
        meaning TEXT NOT NULL CHECK (meaning IN ('review', 'approval', 'responsibility', 'authorship')),
        signed_at TEXT NOT NULL,
        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
        status TEXT NOT NULL CHECK (status IN ('valid', 'voided')),
        voided_at TEXT,
        voided_by_user TEXT,
        voided_by_role TEXT,
        void_reason TEXT,
    \(recordBookkeeping),
        CHECK (status <> 'voided' OR (voided_at IS NOT NULL AND voided_by_user IS NOT NULL AND void_reason IS NOT NULL AND void_reason <> '')))
    """,
    "CREATE INDEX electronic_signatures_target ON electronic_signatures (target_kind, target_id)",
    "CREATE INDEX electronic_signatures_site_participant ON electronic_signatures (site_id, participant_id, signed_at)",
])
