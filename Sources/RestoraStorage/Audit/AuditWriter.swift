import Foundation
import RestoraDomain
import SQLKit

/// Appends entries to the chain inside the caller's transaction. The chain head row is read with
/// FOR UPDATE on PostgreSQL, so concurrent writers take turns at the end of the chain (a transaction-level
/// lock, released at COMMIT or ROLLBACK); SQLite's write transaction already serialises them.
struct AuditWriter: Sendable {
    let clock: any Clock

    func append(
        _ db: any SQLDatabase, action: AuditEntry.Action, table: String, recordID: String,
        changes: [AuditEntry.Change], context: AuditContext
    ) async throws {
        guard let head = try await db.select().columns("last_sequence", "last_hash").from("audit_chain_head")
            .where("id", .equal, 1).for(.update).first()
        else { throw StorageError.migrationFailed(name: "0013_CreateAuditLog (chain head missing)") }
        let sequence = try head.decode(column: "last_sequence", as: Int.self) + 1
        let storedHash = try head.decode(column: "last_hash", as: String.self)
        let previous = storedHash.isEmpty ? AuditChain.genesis : (Data(base64Encoded: storedHash) ?? AuditChain.genesis)
        var entry = AuditChain.StoredEntry(
            sequence: sequence, at: StoredJSON.format(clock.now()), actorID: context.actor.userID,
            actorRole: context.actor.role, action: action.rawValue, table: table, recordID: recordID,
            changes: try AuditChain.encodeChanges(changes), reason: context.trimmedReason,
            requestID: context.requestID, hash: "")
        entry.hash = AuditChain.hash(previous: previous, entry: entry).base64EncodedString()
        try await db.insert(into: "audit_log")
            .columns("sequence", "at", "actor_id", "actor_role", "action", "table_name", "record_id",
                     "changes", "reason", "request_id", "hash")
            .values(SQLBind(entry.sequence), SQLBind(entry.at), SQLBind(entry.actorID), bindOrNull(entry.actorRole),
                    SQLBind(entry.action), SQLBind(entry.table), SQLBind(entry.recordID), bindOrNull(entry.changes),
                    bindOrNull(entry.reason), SQLBind(entry.requestID), SQLBind(entry.hash))
            .run()
        try await db.update("audit_chain_head")
            .set("last_sequence", to: SQLBind(sequence)).set("last_hash", to: SQLBind(entry.hash))
            .where("id", .equal, 1).run()
    }
}

func bindOrNull(_ text: String?) -> any SQLExpression {
    text.map { SQLBind($0) } ?? SQLLiteral.null
}
