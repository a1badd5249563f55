import Foundation
import Logging
import RestoraDomain
@testable import RestoraStorage
import Testing

@Suite("Migrations and test harness")
struct MigrationAndHarnessTests {
    @Test("migrations are recorded and applied once", arguments: TestDatabase.urls)
    func migrateTwice(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let applied = try await db.migrator.applied()
            let again = try await db.migrator.migrate()
            #expect(applied == allMigrations.map(\.name))
            #expect(again == [])
        }
    }

    @Test("migration names are numbered, in order, without gaps")
    func numbering() {
        var expected = 1
        for migration in allMigrations {
            #expect(migration.name.hasPrefix(String(format: "%04d_", expected)), "\(migration.name) should be number \(expected)")
            expected += 1
        }
    }

    @Test("the harness refuses a database that is not on this machine")
    func refusesRemoteHost() {
        #expect(throws: TestDatabase.NotLoopback.self) {
            try TestDatabase.checkLoopback("postgres://u:p@db.example.org:5432/restora")
        }
        #expect(throws: Never.self) { try TestDatabase.checkLoopback("postgres://u:p@127.0.0.1:5432/restora") }
        #expect(throws: Never.self) { try TestDatabase.checkLoopback("sqlite::memory:") }
    }

    @Test("database URLs parse, and the redacted form carries no password")
    func urls() throws {
        #expect(try DatabaseLocation(url: "sqlite::memory:") == .sqliteMemory)
        #expect(try DatabaseLocation(url: "sqlite:///var/lib/restora/restora.sqlite") == .sqliteFile(path: "/var/lib/restora/restora.sqlite"))
        let pg = try DatabaseLocation(url: "postgres://restora:hunter2@127.0.0.1:5433/restora")
        #expect(!pg.redacted.contains("hunter2"))
        #expect(pg.redacted == "postgres://127.0.0.1:5433/restora")
        #expect(throws: StorageError.self) { try DatabaseLocation(url: "mysql://x") }
    }

    @Test("a file database keeps its data across openings")
    func fileDatabase() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("restora-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger(label: "test")
        let first = try await StorageDatabase.open(url: "sqlite://\(path)", logger: logger)
        try await first.migrator.migrate()
        _ = try await first.repositories.sites.create(Fixture.site(), context: Fixture.coordinator, idempotencyKey: nil)
        try await first.shutdown()
        let second = try await StorageDatabase.open(url: "sqlite://\(path)", logger: logger)
        #expect(try await second.repositories.sites.list().map(\.value.code) == ["A"])
        try await second.shutdown()
    }
}
