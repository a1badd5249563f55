import RestoraDomain
import SQLKit

/// The store seen from inside an open transaction (`UnitOfWork`): every statement runs on the transaction's
/// connection. A nested `transaction` is a savepoint, so a failed inner write (a refused duplicate, say) is
/// undone alone and leaves the outer transaction usable — PostgreSQL would otherwise refuse every later
/// statement of an aborted transaction. `read` runs on the same connection and sees the transaction's writes.
struct TransactionBoundStore: SQLStore {
    let engine: SQLEngine
    let db: any SQLDatabase
    /// The unit of work's audit entries waiting for its commit (`PendingAudit`); nil when its writes append at once.
    let pendingAudit: PendingAudit?

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        // One name serves every level: both engines stack savepoints of the same name, and RELEASE / ROLLBACK TO
        // act on the innermost.
        try await db.runFixed("SAVEPOINT restora_sp")
        let mark = pendingAudit?.count
        do {
            let result = try await body(db)
            try await db.runFixed("RELEASE SAVEPOINT restora_sp")
            return result
        } catch {
            try? await db.runFixed("ROLLBACK TO SAVEPOINT restora_sp")
            try? await db.runFixed("RELEASE SAVEPOINT restora_sp")
            if let mark { pendingAudit?.truncate(to: mark) }   // the rolled-back writes' entries go with them
            throw error
        }
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await body(db)
    }

    /// The transaction's owner closes the connection, never a bound view of it.
    func shutdown() async throws {}
}

/// Opens one transaction on the store and hands the body repositories bound to it. Their audit entries wait
/// for the end of the body and are appended together before the commit (`PendingAudit`); a unit of work inside
/// another is a savepoint of it and shares its entries.
struct SQLUnitOfWork: UnitOfWork {
    let store: any SQLStore
    let audit: AuditWriter
    let repositories: @Sendable (any SQLStore, AuditWriter) -> Repositories

    func run<R: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> R) async throws -> R {
        let engine = store.engine
        let repositories = self.repositories
        let outer = (store as? TransactionBoundStore)?.pendingAudit
        let audit = self.audit
        return try await store.transaction { db in
            let pending = outer ?? PendingAudit(writer: audit)
            let result = try await body(repositories(TransactionBoundStore(engine: engine, db: db, pendingAudit: pending),
                                                     audit.collecting(into: pending)))
            if outer == nil { try await pending.flush(db) }
            return result
        }
    }
}
