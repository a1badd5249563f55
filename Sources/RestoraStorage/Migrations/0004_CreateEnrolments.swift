let m0004_CreateEnrolments = Migration(name: "0004_CreateEnrolments", statements: [
    """
    CREATE TABLE enrolments (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        program_id TEXT NOT NULL REFERENCES programs(id),
        site_id TEXT NOT NULL REFERENCES sites(id),
        arm_id TEXT,
        status TEXT NOT NULL,
        transitions TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX enrolments_participant ON enrolments (participant_id)",
    "CREATE INDEX enrolments_program_status ON enrolments (program_id, status)",
])
