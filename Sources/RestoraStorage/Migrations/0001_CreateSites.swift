let m0001_CreateSites = Migration(name: "0001_CreateSites", statements: [
    """
    CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        time_zone TEXT NOT NULL,
    \(recordBookkeeping))
    """,
])
