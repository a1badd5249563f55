/// One audit chain per site plus one for site-less records (users, programs, sites, settings), so writers
/// at different sites never wait on one chain head (issue #13 item 6; docs/scaling.md).
///
/// `audit_log` gains `chain_id` (the site id, or '' for the site-less chain) and its key becomes
/// (chain_id, sequence): `sequence` now counts within a chain. Every entry written before this migration
/// belongs to the one chain there was; it becomes the site-less chain '' unchanged: same sequences, same
/// hashes, same genesis, so it verifies exactly as before and no stored hash is recomputed (a site chain
/// starts at its own genesis, see `AuditChain.genesis(chain:)`). The one-row head `audit_chain_head` becomes
/// the row '' of `audit_chain_heads`, one row per chain, created by the writer on first use.
///
/// SQLite cannot change a primary key in place, so on both engines (one statement list) the trail is copied
/// into the new shape, checked row by row (sequence, hash, time and record of every old entry are found in
/// the copy, and the copy holds nothing else), and the old table dropped.
let m0029_AuditChainPerSite = Migration(
    name: "0029_AuditChainPerSite",
    steps: [
        .sql("""
            CREATE TABLE audit_log_chained (
                chain_id TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                at TEXT NOT NULL,
                actor_id TEXT NOT NULL,
                actor_role TEXT,
                action TEXT NOT NULL,
                table_name TEXT NOT NULL,
                record_id TEXT NOT NULL,
                changes TEXT,
                reason TEXT,
                request_id TEXT NOT NULL,
                hash TEXT NOT NULL,
                CONSTRAINT audit_log_chain_sequence PRIMARY KEY (chain_id, sequence))
            """),
        .sql("""
            INSERT INTO audit_log_chained (chain_id, sequence, at, actor_id, actor_role, action, table_name, record_id,
                                           changes, reason, request_id, hash)
            SELECT '', sequence, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, hash
            FROM audit_log
            """),
        .verify(what: "audit entries not copied unchanged into the chained audit_log", countQuery: """
            SELECT COUNT(*) AS problems FROM audit_log o
            WHERE NOT EXISTS (SELECT 1 FROM audit_log_chained n WHERE n.chain_id = '' AND n.sequence = o.sequence
                              AND n.hash = o.hash AND n.at = o.at AND n.record_id = o.record_id)
            """),
        .verify(what: "audit entries in the chained audit_log that were not in the old one", countQuery: """
            SELECT (SELECT COUNT(*) FROM audit_log_chained) - (SELECT COUNT(*) FROM audit_log) AS problems
            """),
        .sql("DROP TABLE audit_log"),
        .sql("ALTER TABLE audit_log_chained RENAME TO audit_log"),
        .sql("CREATE INDEX audit_log_record ON audit_log (table_name, record_id)"),
        .sql("CREATE TABLE audit_chain_heads (chain_id TEXT PRIMARY KEY, last_sequence BIGINT NOT NULL, last_hash TEXT NOT NULL)"),
        .sql("INSERT INTO audit_chain_heads (chain_id, last_sequence, last_hash) SELECT '', last_sequence, last_hash FROM audit_chain_head WHERE id = 1"),
        .verify(what: "the chain head of the existing trail (audit_chain_head row 1) was not carried over",
                countQuery: "SELECT 1 - COUNT(*) AS problems FROM audit_chain_heads WHERE chain_id = ''"),
        .sql("DROP TABLE audit_chain_head"),
    ])
