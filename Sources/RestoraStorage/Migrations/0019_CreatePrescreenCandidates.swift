/// People who did the public pre-screening and left contact details (docs/prescreening.md). Migration 0018
/// is being added on another branch; this one is numbered after it.
let m0019_CreatePrescreenCandidates = Migration(name: "0019_CreatePrescreenCandidates", statements: [
    """
    CREATE TABLE prescreen_candidates (
        id TEXT PRIMARY KEY,
        program_id TEXT NOT NULL REFERENCES programs(id),
        protocol_id TEXT NOT NULL,
        questionnaire_version TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        verdict TEXT NOT NULL,
        findings TEXT NOT NULL,
        contact_name TEXT NOT NULL,
        contact TEXT NOT NULL,
        contact_kind TEXT NOT NULL,
        consent_given_at TEXT NOT NULL,
        consent_text TEXT NOT NULL,
        status TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    "CREATE INDEX prescreen_candidates_program ON prescreen_candidates (program_id, created_at)",
])
