/// Passwords as bcrypt hashes; bearer tokens only as SHA-256 hashes (the token itself is shown once).
let m0012_CreateUsers = Migration(name: "0012_CreateUsers", statements: [
    """
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        site_ids TEXT,
        active BOOLEAN NOT NULL,
        password_hash TEXT,
    \(recordBookkeeping))
    """,
    """
    CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT)
    """,
])
