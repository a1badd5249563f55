import Foundation
@testable import RestoraStorage
import RestoraSQLiteShim
import SQLKit
import Testing
import VaporCSQLite

/// The connections that keep their prepared statements (the writer's handle and the readers' bulk handles) keep
/// each statement's plan too (`restora_sqlite_enable_qpsg`): SQLite otherwise parses and plans a statement again
/// at its next step whenever a value is bound to a parameter its planner looked at (a LIKE pattern; in the seed,
/// the lock checks, a participant's visits and observations…), which undid the statement cache for a third of the
/// seed's statements.
@Suite("Kept statements keep their plans", .serialized)
struct PlanStabilityTests {
    /// Runs `sql` three times with different values bound on a fresh in-memory connection (with or without the
    /// guarantee) and returns how often SQLite prepared it again.
    static func reprepares(stable: Bool) throws -> Int32 {
        var opened: OpaquePointer?
        #expect(sqlite_nio_sqlite3_open_v2(":memory:", &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK)
        let db = try #require(opened)
        defer { sqlite_nio_sqlite3_close_v2(db) }
        if stable { #expect(restora_sqlite_enable_qpsg(db) == 0) }
        #expect(restora_sqlite_qpsg_enabled(db) == (stable ? 1 : 0))
        for ddl in ["CREATE TABLE people (name TEXT)", "CREATE INDEX people_name ON people (name)",
                    "INSERT INTO people VALUES ('Ab'), ('Ac')"] {
            #expect(sqlite_nio_sqlite3_exec(db, ddl, nil, nil, nil) == SQLITE_OK)
        }
        var prepared: OpaquePointer?
        // A LIKE with its pattern bound (as the FHIR name search has): the planner looks at the pattern.
        let sql = "SELECT name FROM people WHERE name LIKE ?1 AND name <> ?2"
        #expect(sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) == SQLITE_OK)
        let statement = try #require(prepared)
        defer { sqlite_nio_sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for run in 1...3 {
            sqlite_nio_sqlite3_bind_text(statement, 1, "A\(run)%", -1, transient)
            sqlite_nio_sqlite3_bind_text(statement, 2, "v-\(run)", -1, transient)
            while sqlite_nio_sqlite3_step(statement) == SQLITE_ROW {}
            sqlite_nio_sqlite3_reset(statement)
        }
        return sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
    }

    @Test("with the guarantee a kept statement is not prepared again when new values are bound; without it, it is")
    func guaranteeStopsReprepares() throws {
        #expect(try Self.reprepares(stable: false) > 0)   // the control: the statement shape does trigger it
        #expect(try Self.reprepares(stable: true) == 0)
    }

    @Test("the writer's handle and the readers' bulk handles have the guarantee on")
    func handlesHaveIt() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            let writer = try await store.transaction { db in (db as? SQLiteWriterDatabase)?.handle.plansAreStable }
            #expect(writer == true)
            let reader = try await store.withRawReader { $0.plansAreStable }
            #expect(reader == true)
        }
    }
}
