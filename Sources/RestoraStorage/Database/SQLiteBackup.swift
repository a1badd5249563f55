import Foundation
import SQLKit

/// Backup of the embedded SQLite database (`restora backup`, README "Deploying"). `VACUUM INTO` writes a
/// complete, consistent copy from one read transaction: safe while a server is serving and writing (WAL mode
/// lets writers go on; the copy is the database as of the moment the read began). PostgreSQL is backed up
/// with its own tools (pg_dump), not here.
extension StorageDatabase {
    public enum BackupRefusal: Error, Equatable, CustomStringConvertible {
        case notSQLiteFile(engine: String)

        public var description: String {
            switch self {
            case let .notSQLiteFile(engine): return "backup copies an SQLite database file; this database is \(engine)"
            }
        }
    }

    /// Writes a copy of this SQLite file database to `path`, which must not exist yet.
    public func backupSQLite(to path: String) async throws {
        switch location {
        case .sqliteFile: break
        case .sqliteMemory: throw BackupRefusal.notSQLiteFile(engine: "in memory (nothing on disk to back up)")
        case .postgres: throw BackupRefusal.notSQLiteFile(engine: "PostgreSQL")
        }
        guard let sqlite = store as? SQLiteStore else { throw BackupRefusal.notSQLiteFile(engine: store.engine.rawValue) }
        // On a reader connection: the copy is one consistent snapshot and writes go on meanwhile.
        try await sqlite.readOutsideTransaction { db in try await db.raw("VACUUM INTO \(bind: path)").run() }
    }

    /// Rows per table (every table of the schema, the migrations' bookkeeping included), to compare a copy
    /// with its original.
    public func tableCounts() async throws -> [(table: String, rows: Int)] {
        let listing: SQLQueryString = engine == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        return try await store.read { db in
            let names = try await db.raw(listing).all().map { try $0.decode(column: "name", as: String.self) }
            var counts: [(table: String, rows: Int)] = []
            for name in names {
                // The names come from the catalog itself, quoted as identifiers.
                let row = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first()
                counts.append((name, try row?.decode(column: "n", as: Int.self) ?? 0))
            }
            return counts
        }
    }
}
