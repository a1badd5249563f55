let m0005_CreateVisits = Migration(name: "0005_CreateVisits", statements: [
    """
    CREATE TABLE visits (
        id TEXT PRIMARY KEY,
        enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
        visit_key TEXT NOT NULL,
        planned_day BIGINT NOT NULL,
        window_before BIGINT NOT NULL,
        window_after BIGINT NOT NULL,
        actual_date TEXT,
        status TEXT NOT NULL,
        note TEXT,
    \(recordBookkeeping),
        UNIQUE (enrolment_id, visit_key))
    """,
])
