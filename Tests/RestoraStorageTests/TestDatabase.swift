import Foundation
import Logging
import RestoraDomain
@testable import RestoraStorage
import SQLKit

/// The databases every storage test runs on: SQLite in memory always, PostgreSQL when
/// RESTORA_TEST_DATABASE_URL is set. Each PostgreSQL test gets a fresh schema, dropped afterwards.
enum TestDatabase {
    static let urls: [String] = {
        var urls = ["sqlite::memory:"]
        if let url = ProcessInfo.processInfo.environment["RESTORA_TEST_DATABASE_URL"], !url.isEmpty { urls.append(url) }
        return urls
    }()

    /// `urls` and an SQLite file database (`fileDatabase`): a file in WAL mode has readers and their bulk-read
    /// handles beside the writer, which an in-memory database has not, so reads take other paths on it.
    static let urlsWithFile: [String] = urls + [fileDatabase]

    /// Stands for a fresh SQLite file in a temporary folder (removed afterwards) in `with`.
    static let fileDatabase = "sqlite-file"

    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    struct NotLoopback: Error, CustomStringConvertible {
        let host: String
        var description: String {
            "RESTORA_TEST_DATABASE_URL points at host '\(host)': the tests drop and create schemas, so they only run against a database on this machine (127.0.0.1, localhost or ::1)"
        }
    }

    /// Refuses any PostgreSQL host that is not loopback, before a connection is even attempted.
    static func checkLoopback(_ url: String) throws {
        let location = try DatabaseLocation(url: url)
        if let host = location.host, !loopbackHosts.contains(host.lowercased()) { throw NotLoopback(host: host) }
    }

    static let testClock = FixedClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00:00Z

    /// Opens a migrated, empty database, runs `body`, and removes what it made. With `migrated: false` the
    /// database is left empty, for tests that build it as an earlier release left it.
    static func with<R>(
        _ url: String, clock: any Clock = testClock, logger given: Logger? = nil, migrated: Bool = true,
        _ body: (StorageDatabase) async throws -> R
    ) async throws -> R {
        if url == fileDatabase {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            return try await with("sqlite://\(folder.path)/test.sqlite", clock: clock, logger: given, migrated: migrated, body)
        }
        try checkLoopback(url)
        var logger = Logger(label: "restora.storage.tests")
        logger.logLevel = .warning
        if let given { logger = given }
        var schema: String?
        if case .postgres = try DatabaseLocation(url: url) {
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try await StorageDatabase.open(url: url, logger: logger)
            try await admin.store.transaction { db in try await db.raw("CREATE SCHEMA \(unsafeRaw: name)").run() }
            try await admin.shutdown()
            schema = name
        }
        let db = try await StorageDatabase.open(
            url: url, logger: logger, clock: clock, hasher: CredentialHasher(bcryptCost: 4), postgresSchema: schema)
        do {
            if migrated { try await db.migrator.migrate() }
            let result = try await body(db)
            try await cleanUp(db, schema: schema)
            return result
        } catch {
            try? await cleanUp(db, schema: schema)
            throw error
        }
    }

    private static func cleanUp(_ db: StorageDatabase, schema: String?) async throws {
        if let schema {
            try await db.store.transaction { sql in try await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
        }
        try await db.shutdown()
    }
}

extension StorageDatabase {
    /// Raw SQL for tests that must reach past the repositories (tampering with the audit trail).
    func rawSQL(_ text: String) async throws {
        try await store.transaction { db in try await db.raw(SQLQueryString(text)).run() }
    }

    func count(_ table: String) async throws -> Int {
        try await store.read { db in
            let row = try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
            return try row?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}
