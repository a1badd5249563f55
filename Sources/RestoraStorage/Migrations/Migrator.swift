import Foundation
import SQLKit

/// Applies pending migrations, each in its own transaction together with its row in `restora_migrations`.
/// On PostgreSQL a transaction-level advisory lock keeps two starting servers from migrating at once.
public struct Migrator: Sendable {
    let store: any SQLStore

    /// Applies what is missing; returns the names applied now (empty when up to date).
    @discardableResult
    public func migrate() async throws -> [String] {
        try await migrate(through: nil)
    }

    /// Applies what is missing up to and including the migration named `last` (all when nil): tests build a
    /// database as an earlier release left it, then migrate it forward.
    @discardableResult
    func migrate(through last: String?) async throws -> [String] {
        var migrations = allMigrations
        if let last {
            guard let index = allMigrations.firstIndex(where: { $0.name == last }) else {
                throw StorageError.migrationFailed(name: "\(last) (no such migration)")
            }
            migrations = Array(allMigrations[...index])
        }
        try await store.transaction { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS restora_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)").run()
        }
        var applied: [String] = []
        for migration in migrations {
            let engine = store.engine
            let ran = try await store.transaction { db -> Bool in
                if engine == .postgres {
                    try await db.raw("SELECT pg_advisory_xact_lock(7465636)").run()
                }
                let done = try await db.select().column("name").from("restora_migrations")
                    .where("name", .equal, migration.name).first()
                guard done == nil else { return false }
                for step in migration.steps {
                    guard let statement = step.statement(for: engine) else { continue }
                    if case let .verify(what, _) = step {
                        let problems = try await db.raw(SQLQueryString(statement)).first()?.decode(column: "problems", as: Int.self) ?? 0
                        guard problems == 0 else {
                            throw StorageError.migrationVerificationFailed(name: migration.name, what: what, count: problems)
                        }
                        continue
                    }
                    do {
                        try await db.raw(SQLQueryString(statement)).run()
                    } catch where ConstraintViolation.classify(error) != nil {
                        // Stored data breaks a constraint this migration adds: nothing of it is applied.
                        throw StorageError.migrationBlockedByData(
                            name: migration.name, advice: migration.ifDataConflicts ?? "correct the conflicting rows with the previous release")
                    }
                }
                // A data step written in Swift (e.g. 0037's baseline entries), after the migration's statements.
                if let code = migrationCode[migration.name] { try await code(db, engine) }
                try await db.insert(into: "restora_migrations").columns("name", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(StoredJSON.format(Date()))).run()
                return true
            }
            if ran { applied.append(migration.name) }
        }
        return applied
    }

    /// Names of the migrations recorded as applied.
    public func applied() async throws -> [String] {
        try await store.read { db in
            try await db.select().column("name").from("restora_migrations").orderBy("name").all()
                .map { try $0.decode(column: "name", as: String.self) }
        }
    }
}
