let m0016_CreateScreenings = Migration(name: "0016_CreateScreenings", statements: [
    """
    CREATE TABLE screenings (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        protocol_id TEXT NOT NULL,
        protocol_version TEXT NOT NULL,
        screened_on TEXT NOT NULL,
        verdict TEXT NOT NULL,
        report TEXT NOT NULL,
        screened_by TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    "CREATE INDEX screenings_enrolment ON screenings (enrolment_id)",
])
