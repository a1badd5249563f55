import RestoraDomain
import SQLKit

/// The store seen from inside an open transaction (`UnitOfWork`): every statement runs on the transaction's
/// connection. A nested `transaction` is a savepoint, so a failed inner write (a refused duplicate, say) is
/// undone alone and leaves the outer transaction usable — PostgreSQL would otherwise refuse every later
/// statement of an aborted transaction. `read` runs on the same connection and sees the transaction's writes.
struct TransactionBoundStore: SQLStore {
    let engine: SQLEngine
    let db: any SQLDatabase

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        // One name serves every level: both engines stack savepoints of the same name, and RELEASE / ROLLBACK TO
        // act on the innermost.
        try await db.raw("SAVEPOINT restora_sp").run()
        do {
            let result = try await body(db)
            try await db.raw("RELEASE SAVEPOINT restora_sp").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK TO SAVEPOINT restora_sp").run()
            try? await db.raw("RELEASE SAVEPOINT restora_sp").run()
            throw error
        }
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await body(db)
    }

    /// The transaction's owner closes the connection, never a bound view of it.
    func shutdown() async throws {}
}

/// Opens one transaction on the store and hands the body repositories bound to it.
struct SQLUnitOfWork: UnitOfWork {
    let store: any SQLStore
    let repositories: @Sendable (any SQLStore) -> Repositories

    func run<R: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> R) async throws -> R {
        let engine = store.engine
        let repositories = self.repositories
        return try await store.transaction { db in
            try await body(repositories(TransactionBoundStore(engine: engine, db: db)))
        }
    }
}
