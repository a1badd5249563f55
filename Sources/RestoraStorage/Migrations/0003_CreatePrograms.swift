let m0003_CreatePrograms = Migration(name: "0003_CreatePrograms", statements: [
    """
    CREATE TABLE programs (
        id TEXT PRIMARY KEY,
        protocol_id TEXT NOT NULL,
        protocol_version TEXT NOT NULL,
        name TEXT NOT NULL,
        site_ids TEXT,
    \(recordBookkeeping),
        UNIQUE (protocol_id, protocol_version))
    """,
])
