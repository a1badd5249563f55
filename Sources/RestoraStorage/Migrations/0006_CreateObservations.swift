/// The coding is split into columns: observations are queried by concept (all triglycerides of a participant).
let m0006_CreateObservations = Migration(name: "0006_CreateObservations", statements: [
    """
    CREATE TABLE observations (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        visit_id TEXT REFERENCES visits(id),
        panel_id TEXT,
        code_system TEXT NOT NULL,
        code TEXT NOT NULL,
        code_display TEXT,
        value TEXT NOT NULL,
        effective TEXT NOT NULL,
        specimen TEXT,
        body_site TEXT,
        note TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX observations_participant_code ON observations (participant_id, code_system, code, effective)",
])
