let m0011_CreateSafetyAlerts = Migration(name: "0011_CreateSafetyAlerts", statements: [
    """
    CREATE TABLE safety_alerts (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        rule_id TEXT NOT NULL,
        action TEXT NOT NULL,
        message TEXT NOT NULL,
        observation_id TEXT,
        adverse_event_id TEXT,
        raised_at TEXT NOT NULL,
        status TEXT NOT NULL,
        acknowledged_by TEXT,
        acknowledged_at TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX safety_alerts_participant ON safety_alerts (participant_id, status)",
])
