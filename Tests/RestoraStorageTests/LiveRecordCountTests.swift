import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Migration 0052: on SQLite each site's live rows of the SDV tables are counted as the rows change (triggers), and
/// the dashboard's SDV progress reads the counts. Every way a row starts or stops being a site's live record keeps
/// its count equal to a COUNT(*) of the table; a database from before 0052 gets its counts filled and checked; and
/// the progress per site is the same as counted from the tables.
@Suite("Live record counts kept on SQLite (0052)", .serialized)
struct LiveRecordCountTests {
    static let sqliteURLs = TestDatabase.urlsWithFile.filter { $0.hasPrefix("sqlite") }

    /// `table`'s kept count per site (sites with no row absent).
    static func kept(_ db: StorageDatabase, _ table: String) async throws -> [String: Int] {
        try await db.store.read { sql in
            var counts: [String: Int] = [:]
            for row in try await sql.raw("SELECT site_id, live FROM live_record_counts WHERE table_name = \(bind: table) AND live <> 0").all() {
                counts[try row.decode(column: "site_id", as: String.self)] = try row.decode(column: "live", as: Int.self)
            }
            return counts
        }
    }

    static func mismatches(_ db: StorageDatabase) async throws -> Int {
        try await db.store.read { sql in
            try await sql.raw(SQLQueryString(LiveRecordCounts.mismatches)).first()?.decode(column: "problems", as: Int.self) ?? -1
        }
    }

    @Test("the counted tables are the SDV tables")
    func tablesAreTheSDVTables() {
        #expect(LiveRecordCounts.tables == SQLSourceVerificationRepository.tables.map(\.table))
    }

    @Test("a row created, soft-deleted, restored, moved to another site and hard-deleted keeps its site's count", arguments: sqliteURLs)
    func everyChangeKeepsTheCount(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            for id in ["o-1", "o-2", "o-3"] {
                _ = try await repos.observations.create(Fixture.observation(id), context: Fixture.coordinator, idempotencyKey: nil)
            }
            #expect(try await Self.kept(db, "observations") == ["site-a": 3])
            #expect(try await Self.kept(db, "participants").isEmpty)   // not an SDV table: not counted

            try await repos.observations.delete("o-1", expectedVersion: 1, context: Fixture.editing())
            #expect(try await Self.kept(db, "observations") == ["site-a": 2])
            // Deleting again what is already deleted, or touching another column, changes nothing.
            try await db.rawSQL("UPDATE observations SET deleted_at = '2026-02-01T00:00:00Z' WHERE id = 'o-1'")
            try await db.rawSQL("UPDATE observations SET code_display = 'checked' WHERE id = 'o-2'")
            #expect(try await Self.kept(db, "observations") == ["site-a": 2])

            try await db.rawSQL("UPDATE observations SET deleted_at = NULL WHERE id = 'o-1'")
            #expect(try await Self.kept(db, "observations") == ["site-a": 3])
            try await db.rawSQL("UPDATE observations SET site_id = 'site-b' WHERE id = 'o-2'")
            #expect(try await Self.kept(db, "observations") == ["site-a": 2, "site-b": 1])
            // A deleted row moved to another site was not counted and is not counted there.
            try await db.rawSQL("UPDATE observations SET deleted_at = '2026-02-01T00:00:00Z' WHERE id = 'o-3'")
            try await db.rawSQL("UPDATE observations SET site_id = 'site-b' WHERE id = 'o-3'")
            #expect(try await Self.kept(db, "observations") == ["site-a": 1, "site-b": 1])
            try await db.rawSQL("DELETE FROM observations WHERE id IN ('o-2', 'o-3')")
            #expect(try await Self.kept(db, "observations") == ["site-a": 1])
            // Copied in SQL (as the scaled demo does), rows count too.
            try await db.rawSQL("CREATE TEMP TABLE copied AS SELECT * FROM observations WHERE id = 'o-1'")
            try await db.rawSQL("UPDATE copied SET id = 'o-9'")
            try await db.rawSQL("INSERT INTO observations SELECT * FROM copied")
            #expect(try await Self.kept(db, "observations") == ["site-a": 2])
            #expect(try await Self.mismatches(db) == 0)

            let progress = try await repos.sourceVerifications.progressBySite(sites: nil)
            #expect(progress.map(\.siteID) == ["site-a"])
            #expect(progress.first?.progress.total == 2)
        }
    }

    @Test("a database from before 0052 gets its counts filled from its rows, and they are checked", arguments: sqliteURLs)
    func migratesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: "0051_AddObservationSiteIndex")
            let repos = try await Fixture.seed(db)
            for id in ["o-1", "o-2"] {
                _ = try await repos.observations.create(Fixture.observation(id), context: Fixture.coordinator, idempotencyKey: nil)
            }
            try await repos.observations.delete("o-2", expectedVersion: 1, context: Fixture.editing())
            _ = try await repos.adverseEvents.create(Fixture.adverseEvent(), context: Fixture.coordinator, idempotencyKey: nil)

            #expect(try await db.migrator.migrate().first == "0052_CountLiveRecords")
            #expect(try await Self.kept(db, "observations") == ["site-a": 1])
            #expect(try await Self.kept(db, "adverse_events") == ["site-a": 1])
            #expect(try await Self.mismatches(db) == 0)
        }
    }

    @Test("a count that disagrees with its table is found by the check")
    func mismatchFound() async throws {
        try await TestDatabase.with("sqlite::memory:") { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.observations.create(Fixture.observation(), context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await Self.mismatches(db) == 0)
            try await db.rawSQL("UPDATE live_record_counts SET live = 5 WHERE table_name = 'observations'")
            #expect(try await Self.mismatches(db) == 1)
            try await db.rawSQL("DELETE FROM live_record_counts")
            #expect(try await Self.mismatches(db) == 1)
            try await db.rawSQL("INSERT INTO live_record_counts VALUES ('site-a', 'observations', 1), ('site-b', 'visits', 2)")
            #expect(try await Self.mismatches(db) == 1)
            await #expect(throws: StorageError.self) {
                try await db.store.transaction { sql in try await m0052_verifyCounts(sql, .sqlite) }
            }
        }
    }
}
