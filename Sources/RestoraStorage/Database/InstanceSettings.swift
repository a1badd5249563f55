import Foundation
import Logging
import NIOPosix
import RestoraDomain
import SQLKit
import SQLiteKit

/// `restora_instance` (migration 0018): key/value facts about the database itself. Each write is audited
/// (table `restora_instance`, record id = the key) in the same transaction.
struct SQLInstanceSettings: InstanceSettingsRepository {
    let store: any SQLStore
    let audit: AuditWriter

    func value(_ key: String) async throws -> String? {
        try await store.read { db in
            try await db.select().column("value").from("restora_instance").where("key", .equal, key).first()
                .map { try $0.decode(column: "value", as: String.self) }
        }
    }

    func set(_ key: String, to value: String, context: AuditContext) async throws {
        let audit = self.audit
        let now = StoredJSON.format(audit.clock.now())
        try await store.transaction { db in
            let old = try await db.select().column("value").from("restora_instance").where("key", .equal, key).first()
                .map { try $0.decode(column: "value", as: String.self) }
            if old == nil {
                try await db.insert(into: "restora_instance").columns("key", "value", "updated_at")
                    .values(SQLBind(key), SQLBind(value), SQLBind(now)).run()
            } else {
                try await db.update("restora_instance").set("value", to: SQLBind(value)).set("updated_at", to: SQLBind(now))
                    .where("key", .equal, key).run()
            }
            try await audit.append(
                db, action: old == nil ? .create : .update, table: "restora_instance", recordID: key,
                changes: [AuditEntry.Change(field: "value", old: old, new: value)], context: context)
        }
    }
}

extension StorageDatabase {
    /// Facts about this database (is it the synthetic demo?).
    public var instance: any InstanceSettingsRepository { SQLInstanceSettings(store: store, audit: audit) }

    /// True when this database is marked as the synthetic demo (`kind = demo`).
    public func isDemo() async throws -> Bool {
        try await instance.value(InstanceSetting.kind) == InstanceSetting.demoKind
    }

    /// The demo clinic's fixed "today" (the data cut-off of its reports), when this is a demo database.
    public func demoToday() async throws -> CalendarDate? {
        guard try await isDemo(), let text = try await instance.value(InstanceSetting.demoToday) else { return nil }
        return CalendarDate(text)
    }
}

/// What is in an SQLite file, found without changing a byte of it: opened read-only and immutable (no
/// journal, no locks, no `-wal`/`-shm` files created), so a file that is not ours stays exactly as it was.
public enum SQLiteFileKind: Equatable, Sendable {
    /// A Restora database marked `kind = demo`.
    case restoraDemo
    /// A Restora database (it has `restora_migrations`) that is not marked as a demo.
    case restora
    /// An SQLite database that is not Restora's.
    case otherDatabase
    /// Not an SQLite database (or unreadable).
    case notDatabase

    /// Inspects the file at `path` (which must exist).
    public static func inspect(path: String, logger: Logger) async -> SQLiteFileKind {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .notDatabase }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\u{0}".utf8) else { return .notDatabase }
        // After an unclean stop the marker may still sit in the write-ahead log, which `immutable` ignores;
        // read-only without `immutable` reads the log (and never writes the database file itself).
        let walExists = FileManager.default.fileExists(atPath: path + "-wal")
        let first = await read(uri: uri(path, immutable: true), logger: logger)
        if first == .restoraDemo || !walExists { return first ?? .notDatabase }
        return await read(uri: uri(path, immutable: false), logger: logger) ?? first ?? .notDatabase
    }

    static func uri(_ path: String, immutable: Bool) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:\(escaped)?mode=ro" + (immutable ? "&immutable=1" : "")
    }

    private static func read(uri: String, logger: Logger) async -> SQLiteFileKind? {
        guard let connection = try? await SQLiteConnection.open(
            storage: .file(path: uri), threadPool: .singleton, logger: DriverLogger.clamped(logger),
            on: MultiThreadedEventLoopGroup.singleton.any())
        else { return nil }
        let kind = await classify(connection.sql(queryLogLevel: nil))
        try? await connection.close()
        return kind
    }

    private static func classify(_ db: any SQLDatabase) async -> SQLiteFileKind {
        do {
            let tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
                .map { try $0.decode(column: "name", as: String.self) }
            guard tables.contains("restora_migrations") else { return .otherDatabase }
            guard tables.contains("restora_instance") else { return .restora }
            let kind = try await db.select().column("value").from("restora_instance")
                .where("key", .equal, InstanceSetting.kind).first()
                .map { try $0.decode(column: "value", as: String.self) }
            return kind == InstanceSetting.demoKind ? .restoraDemo : .restora
        } catch {
            return .notDatabase
        }
    }
}

extension StorageDatabase {
    /// For a throw-away database being bulk-loaded (the demo seed): an embedded SQLite file stops syncing the
    /// disk at every commit (`PRAGMA synchronous = OFF`, this connection only). A crash mid-load may lose
    /// or corrupt the load, which the demo simply redoes; real databases never call this. No effect on PostgreSQL.
    public func relaxDurabilityForThrowawayLoad() async throws {
        guard case .sqliteFile = location else { return }
        guard let sqlite = store as? SQLiteStore else { return }
        try await sqlite.onWriter { db in try await db.raw("PRAGMA synchronous = OFF").run() }
        sqlite.handle.setCommitsSync(false)   // COMMIT now only appends to the WAL: it runs on the caller's thread
    }

    /// Back to the default durability (every commit synced) once the load is done.
    public func restoreDurability() async throws {
        guard case .sqliteFile = location else { return }
        guard let sqlite = store as? SQLiteStore else { return }
        try await sqlite.onWriter { db in try await db.raw("PRAGMA synchronous = FULL").run() }
        sqlite.handle.setCommitsSync(true)
    }

    /// WAL pages after which the writer copies the WAL into the database file during a bulk load (SQLite's
    /// default, kept for everything else, is 1,000).
    public static let bulkLoadCheckpointPages = 10_000

    /// For a bulk load into an embedded SQLite file (`restora import fhir`): the writer
    /// checkpoints every `bulkLoadCheckpointPages` pages of WAL (about 40 MB) instead of every 1,000. A load
    /// rewrites the same index and table pages over and over; each checkpoint copies every page changed since
    /// the last one once, so checkpointing a tenth as often copies those pages a tenth as often — the automatic
    /// checkpoint was 16 % of an import's time (BENCHMARKS.md "`restora import fhir`: a checkpoint every 10,000 pages"). Durability
    /// is unchanged: every commit is still synced to the WAL, and what a checkpoint copies was committed already.
    /// The cost is a WAL file of up to about 40 MB and, once per 10,000 pages, one longer commit; a server keeps
    /// the default, whose checkpoints stall a request for less. This connection only; no effect on PostgreSQL.
    public func checkpointLessOftenForBulkLoad() async throws {
        guard case .sqliteFile = location else { return }
        try await (store as? SQLiteStore)?.onWriter { db in
            try await db.raw("PRAGMA wal_autocheckpoint = \(unsafeRaw: String(Self.bulkLoadCheckpointPages))").run()
        }
    }

    /// Back to SQLite's default checkpoint interval once the bulk load is done.
    public func restoreCheckpointInterval() async throws {
        guard case .sqliteFile = location else { return }
        try await (store as? SQLiteStore)?.onWriter { db in try await db.raw("PRAGMA wal_autocheckpoint = 1000").run() }
    }
}
