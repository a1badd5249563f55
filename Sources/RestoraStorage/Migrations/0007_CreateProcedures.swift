let m0007_CreateProcedures = Migration(name: "0007_CreateProcedures", statements: [
    """
    CREATE TABLE procedures (
        id TEXT PRIMARY KEY,
        participant_id TEXT NOT NULL REFERENCES participants(id),
        enrolment_id TEXT REFERENCES enrolments(id),
        kind TEXT NOT NULL,
        code TEXT,
        performed TEXT NOT NULL,
        performer TEXT,
        anatomical_site TEXT,
        laterality TEXT,
        imaging_guidance TEXT,
        anaesthesia TEXT,
        source_tissue TEXT,
        volume_ml DOUBLE PRECISION,
        cell_product_id TEXT,
        outcome TEXT,
        note TEXT,
    \(recordBookkeeping))
    """,
    "CREATE INDEX procedures_participant ON procedures (participant_id)",
])
