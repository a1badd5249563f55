/// The append-only trail and its one-row chain head (the row writers lock, and the verifier's anchor for
/// the end of the chain).
let m0013_CreateAuditLog = Migration(name: "0013_CreateAuditLog", statements: [
    """
    CREATE TABLE audit_log (
        sequence BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_role TEXT,
        action TEXT NOT NULL,
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        changes TEXT,
        reason TEXT,
        request_id TEXT NOT NULL,
        hash TEXT NOT NULL)
    """,
    "CREATE INDEX audit_log_record ON audit_log (table_name, record_id)",
    "CREATE TABLE audit_chain_head (id BIGINT PRIMARY KEY, last_sequence BIGINT NOT NULL, last_hash TEXT NOT NULL)",
    "INSERT INTO audit_chain_head (id, last_sequence, last_hash) VALUES (1, 0, '')",
])
