let m0015_CreateDataQueries = Migration(name: "0015_CreateDataQueries", statements: [
    """
    CREATE TABLE data_queries (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        record_kind TEXT,
        record_id TEXT,
        field TEXT,
        question TEXT NOT NULL,
        raised_by TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        answer TEXT,
        answered_by TEXT,
        status TEXT NOT NULL,
    \(recordBookkeeping))
    """,
    "CREATE INDEX data_queries_participant ON data_queries (participant_id, status)",
])
