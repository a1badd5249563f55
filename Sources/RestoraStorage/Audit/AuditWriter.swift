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
    /// Inside a unit of work: where its entries wait until it commits (`PendingAudit`); nil appends at once.
    var pending: PendingAudit?

    init(clock: any Clock) {
        self.clock = clock
        self.pending = nil
    }

    /// This writer, collecting into `pending` instead of appending.
    func collecting(into pending: PendingAudit) -> AuditWriter {
        var writer = self
        writer.pending = pending
        return writer
    }

    /// One entry to append (`appendAll`).
    struct Pending: Sendable {
        var action: AuditEntry.Action
        var table: String
        var recordID: String
        var changes: [AuditEntry.Change]
        var context: AuditContext
        var siteID: String?
        /// The record's content as written (`RecordHash`), or `RecordHash.tombstone`; nil when the entry is
        /// not about a stored row's content (reads, security events, tokens).
        var recordHash: String? = nil
        /// When it was recorded; nil: when it is appended.
        var at: Date? = nil
    }

    func append(
        _ db: any SQLDatabase, action: AuditEntry.Action, table: String, recordID: String,
        changes: [AuditEntry.Change], context: AuditContext, siteID: String? = nil, recordHash: String? = nil
    ) async throws {
        try await appendAll(db, [Pending(action: action, table: table, recordID: recordID, changes: changes, context: context,
                                         siteID: siteID, recordHash: recordHash)])
    }

    /// Appends `entries` in order, each to its chain: per chain one head lock, one multi-row INSERT (in
    /// chunks of `rowsPerInsert`) and one head update, instead of three statements per entry. The chain
    /// is the same as appending them one by one.
    /// Inside a unit of work they wait for its commit instead (`PendingAudit`), stamped now.
    func appendAll(_ db: any SQLDatabase, _ entries: [Pending]) async throws {
        if let pending {
            let now = clock.now()
            pending.add(entries.map { entry in
                var stamped = entry
                if stamped.at == nil { stamped.at = now }
                return stamped
            })
            return
        }
        var chains: [String] = []
        var byChain: [String: [Pending]] = [:]
        for entry in entries {
            let chain = entry.siteID ?? AuditChain.siteless
            if byChain[chain] == nil { chains.append(chain) }
            byChain[chain, default: []].append(entry)
        }
        // Chains in a fixed order, so two transactions that append to the same two chains lock their heads
        // in the same order (docs/scaling.md).
        for chain in chains.sorted() {
            try await appendToChain(db, chain: chain, byChain[chain] ?? [])
        }
    }

    static let rowsPerInsert = 200

    private func appendToChain(_ db: any SQLDatabase, chain: String, _ pending: [Pending]) async throws {
        let head = try await Self.lockHead(db, chain: chain)
        var sequence = try head.decode(column: "last_sequence", as: Int.self)
        let storedHash = try head.decode(column: "last_hash", as: String.self)
        var previous = storedHash.isEmpty ? AuditChain.genesis(chain: chain) : (Data(base64Encoded: storedHash) ?? AuditChain.genesis(chain: chain))
        var lastHash = storedHash
        let now = clock.now()
        var stamp = (instant: now, text: StoredJSON.format(now))
        var rows: [AuditChain.StoredEntry] = []
        for item in pending {
            sequence += 1
            if let at = item.at, at != stamp.instant { stamp = (at, StoredJSON.format(at)) }
            var entry = AuditChain.StoredEntry(
                sequence: sequence, at: stamp.text, actorID: item.context.actor.userID,
                actorRole: item.context.actor.role, action: item.action.rawValue, table: item.table, recordID: item.recordID,
                changes: AuditChain.encodeChanges(item.changes), reason: item.context.trimmedReason,
                requestID: item.context.requestID, hash: "", recordHash: item.recordHash)
            let hash = AuditChain.hash(previous: previous, entry: entry)
            entry.hash = hash.base64EncodedString()
            previous = hash
            lastHash = entry.hash
            rows.append(entry)
        }
        for start in stride(from: 0, to: rows.count, by: Self.rowsPerInsert) {
            let chunk = rows[start..<min(start + Self.rowsPerInsert, rows.count)]
            if let writer = db as? SQLiteWriterDatabase {
                try await writer.run(Self.insert(chain: chain, chunk, as: PositionalStatement.self))
            } else {
                try await db.raw(Self.insert(chain: chain, chunk, as: SQLQueryString.self)).run()
            }
        }
        try await db.raw("""
            UPDATE "audit_chain_heads" SET "last_sequence" = \(bind: sequence), "last_hash" = \(bind: lastHash) WHERE "chain_id" = \(bind: chain)
            """).run()
    }

    /// One multi-row INSERT of `rows` into `chain`, as SQLKit's query string or the SQLite writer's positional statement.
    private static func insert<S: StatementText>(chain: String, _ rows: ArraySlice<AuditChain.StoredEntry>, as _: S.Type) -> S {
        var insert = S(insertSQL)
        for (n, entry) in rows.enumerated() {
            insert.append(n == 0 ? "(" : ", (")
            for (index, value) in [chain, nil, entry.at, entry.actorID, entry.actorRole, entry.action, entry.table,
                                   entry.recordID, entry.changes, entry.reason, entry.requestID, entry.hash, entry.recordHash].enumerated() {
                if index > 0 { insert.append(", ") }
                insert.append(index == 1 ? .integer(entry.sequence) : value.map(SQLCell.text) ?? .null)
            }
            insert.append(")")
        }
        return insert
    }

    /// Written once: the three statements run for every audited change (SQLKit's builders quoted every
    /// identifier on every call).
    private static let insertSQL = "INSERT INTO \"audit_log\" ("
        + PrebuiltSQL.list(["chain_id", "sequence", "at", "actor_id", "actor_role", "action", "table_name", "record_id",
                            "changes", "reason", "request_id", "hash", "record_hash"]) + ") VALUES "

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
