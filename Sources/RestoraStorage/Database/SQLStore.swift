import SQLKit

/// Which SQL engine a store talks to, for the few statements whose syntax differs.
public enum SQLEngine: String, Sendable {
    case sqlite, postgres
}

/// A database the repositories run their statements on. Every write goes through `transaction`, which
/// commits when the body returns and rolls back when it throws: the audit entry and the change it
/// describes are always committed together or not at all.
public protocol SQLStore: Sendable {
    var engine: SQLEngine { get }
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    /// A read of exactly one statement: one statement already sees one snapshot, so the store may skip the
    /// read transaction around it (two statements fewer on an SQLite reader). Several statements: `read`.
    func readStatement<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    func shutdown() async throws
}

extension SQLStore {
    func readStatement<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await read(body)
    }
}

/// Runs `body` between BEGIN and COMMIT on one connection, rolling back on any error.
///
/// The ROLLBACK runs in a task of its own, outside the caller's cancellation: a cancelled caller's ROLLBACK
/// would be cancelled too and leave the connection inside its transaction, and pooled connections (the SQLite
/// readers, PostgreSQL's pool) are reused ("cannot start a transaction within a transaction" in the next read).
/// BEGIN is inside the same guard, so a BEGIN that ran and then reported cancellation is ended as well.
func runInTransaction<R: Sendable>(
    _ db: any SQLDatabase, begin: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
) async throws -> R {
    do {
        try await db.raw(SQLQueryString(begin)).run()
        let result = try await body(db)
        try await db.raw("COMMIT").run()
        return result
    } catch {
        // The original error matters more than a failed rollback (outside a transaction it only warns).
        await Task.detached { try? await db.raw("ROLLBACK").run() }.value
        throw error
    }
}
