let m0014_CreateIdempotencyKeys = Migration(name: "0014_CreateIdempotencyKeys", statements: [
    """
    CREATE TABLE idempotency_keys (
        scoped_key TEXT PRIMARY KEY,
        record_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL)
    """,
])
