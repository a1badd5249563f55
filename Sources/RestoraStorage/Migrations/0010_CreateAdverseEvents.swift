let m0010_CreateAdverseEvents = Migration(name: "0010_CreateAdverseEvents", statements: [
    """
    CREATE TABLE adverse_events (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        term TEXT NOT NULL,
        grade BIGINT NOT NULL,
        seriousness TEXT,
        expected BOOLEAN NOT NULL,
        relatedness TEXT NOT NULL,
        onset TEXT NOT NULL,
        resolution TEXT,
        outcome TEXT NOT NULL,
        action_taken TEXT NOT NULL,
        sponsor_aware_on TEXT,
        note TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX adverse_events_participant ON adverse_events (participant_id, onset)",
])
