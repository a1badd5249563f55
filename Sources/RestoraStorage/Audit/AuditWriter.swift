import Foundation
import RestoraDomain
import SQLKit

/// Appends entries to a chain inside the caller's transaction: the chain of the record's site, or the
/// site-less chain (`AuditChain.siteless`). The chain's head row is read with FOR UPDATE on PostgreSQL, so
/// concurrent writers of one site take turns at the end of that site's chain (a transaction-level lock,
/// released at COMMIT or ROLLBACK) while writers of other sites lock other rows; SQLite's write transaction
/// already serialises them. A chain's head row is created on its first entry.
struct AuditWriter: Sendable {
    let clock: any Clock

    func append(
        _ db: any SQLDatabase, action: AuditEntry.Action, table: String, recordID: String,
        changes: [AuditEntry.Change], context: AuditContext, siteID: String? = nil
    ) async throws {
        let chain = siteID ?? AuditChain.siteless
        let head = try await Self.lockHead(db, chain: chain)
        let sequence = try head.decode(column: "last_sequence", as: Int.self) + 1
        let storedHash = try head.decode(column: "last_hash", as: String.self)
        let previous = storedHash.isEmpty ? AuditChain.genesis(chain: chain) : (Data(base64Encoded: storedHash) ?? AuditChain.genesis(chain: chain))
        var entry = AuditChain.StoredEntry(
            sequence: sequence, at: StoredJSON.format(clock.now()), actorID: context.actor.userID,
            actorRole: context.actor.role, action: action.rawValue, table: table, recordID: recordID,
            changes: try AuditChain.encodeChanges(changes), reason: context.trimmedReason,
            requestID: context.requestID, hash: "")
        entry.hash = AuditChain.hash(previous: previous, entry: entry).base64EncodedString()
        var insert = SQLQueryString(Self.insertSQL)
        for (index, value) in [chain, String(entry.sequence), entry.at, entry.actorID, entry.actorRole, entry.action, entry.table,
                               entry.recordID, entry.changes, entry.reason, entry.requestID, entry.hash].enumerated() {
            if index > 0 { insert.appendLiteral(", ") }
            if index == 1 { insert.appendInterpolation(bind: entry.sequence); continue }
            PrebuiltSQL.append(value.map(SQLCell.text) ?? .null, to: &insert)
        }
        insert.appendLiteral(")")
        try await db.raw(insert).run()
        try await db.raw("""
            UPDATE "audit_chain_heads" SET "last_sequence" = \(bind: sequence), "last_hash" = \(bind: entry.hash) WHERE "chain_id" = \(bind: chain)
            """).run()
    }

    /// Written once: the three statements run for every audited change (SQLKit's builders quoted every
    /// identifier on every call).
    private static let insertSQL = "INSERT INTO \"audit_log\" ("
        + PrebuiltSQL.list(["chain_id", "sequence", "at", "actor_id", "actor_role", "action", "table_name", "record_id",
                            "changes", "reason", "request_id", "hash"]) + ") VALUES ("

    /// The chain's head row, locked; created (empty) on the chain's first entry. Two writers starting the
    /// same chain at once: the second's insert does nothing and it then waits for the first's lock.
    private static func lockHead(_ db: any SQLDatabase, chain: String) async throws -> any SQLRow {
        // FOR UPDATE where the engine has row locks (PostgreSQL); SQLite's write transaction is the lock.
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        func select() async throws -> (any SQLRow)? {
            try await db.raw("""
                SELECT "last_sequence", "last_hash" FROM "audit_chain_heads" WHERE "chain_id" = \(bind: chain)\(unsafeRaw: lock)
                """).first()
        }
        if let head = try await select() { return head }
        try await db.raw("""
            INSERT INTO audit_chain_heads (chain_id, last_sequence, last_hash) VALUES (\(bind: chain), 0, '')
            ON CONFLICT (chain_id) DO NOTHING
            """).run()
        guard let head = try await select() else {
            throw StorageError.migrationFailed(name: "0029_AuditChainPerSite (head of audit chain '\(chain)' missing)")
        }
        return head
    }
}

func bindOrNull(_ text: String?) -> any SQLExpression {
    text.map { SQLBind($0) } ?? SQLLiteral.null
}
