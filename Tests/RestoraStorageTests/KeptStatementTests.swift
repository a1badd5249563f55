import Foundation
@testable import RestoraStorage
import SQLKit
import Testing

/// The writer keeps each statement with its column names (`ColumnNames`) and finds it by a key hashed from a
/// sample of its text (`StatementKey`). These check the two ways that could go wrong: a schema change that gives
/// a kept `SELECT *` other columns, and two texts that share the sampled bytes.
@Suite("Kept statements: their column names and their keys", .serialized)
struct KeptStatementTests {
    @Test("a kept SELECT * reads its column names again after a migration adds or renames a column")
    func namesFollowSchemaChanges() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            try await store.onWriter { db in
                try await db.raw("CREATE TABLE shapes (id TEXT PRIMARY KEY, sides INTEGER NOT NULL)").run()
                try await db.raw("INSERT INTO shapes (id, sides) VALUES ('square', 4)").run()
            }
            let readAll = { @Sendable () async throws -> [any SQLRow] in
                try await store.transaction { db in try await db.raw("SELECT * FROM shapes").all() }
            }
            let before = try #require(try await readAll().first)
            #expect(before.allColumns == ["id", "sides"])
            #expect(try before.decode(column: "sides", as: Int.self) == 4)
            // A row read before the change keeps its own names.
            try await store.onWriter { db in try await db.raw("ALTER TABLE shapes ADD COLUMN colour TEXT").run() }
            try await store.onWriter { db in try await db.raw("UPDATE shapes SET colour = 'red'").run() }
            let added = try #require(try await readAll().first)
            #expect(added.allColumns == ["id", "sides", "colour"])
            #expect(try added.decode(column: "colour", as: String.self) == "red")
            #expect(before.allColumns == ["id", "sides"])
            // Same column count, another name: only the re-prepare tells.
            try await store.onWriter { db in try await db.raw("ALTER TABLE shapes RENAME COLUMN sides TO corners").run() }
            let renamed = try #require(try await readAll().first)
            #expect(renamed.allColumns == ["id", "corners", "colour"])
            #expect(try renamed.decode(column: "corners", as: Int.self) == 4)
            #expect(!renamed.contains(column: "sides"))
        }
    }

    @Test("texts of one length that share the sampled bytes are different keys, and each runs its own statement")
    func keysCompareWholeTexts() async throws {
        // Differ only near the start, outside the sampled middle and end.
        let padding = String(repeating: " ", count: 3 * StatementKey.sampled)
        let first = "SELECT 1 AS n" + padding + "-- same tail, same middle"
        let second = "SELECT 2 AS n" + padding + "-- same tail, same middle"
        #expect(first.utf8.count == second.utf8.count)
        #expect(StatementKey(first).hashValue == StatementKey(second).hashValue)
        #expect(StatementKey(first) != StatementKey(second))
        #expect(StatementKey(first) == StatementKey(String(first.reversed().reversed())))
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            for _ in 0..<3 {
                let (a, b) = try await store.transaction { db in
                    (try await db.raw(SQLQueryString(first)).first()?.decode(column: "n", as: Int.self),
                     try await db.raw(SQLQueryString(second)).first()?.decode(column: "n", as: Int.self))
                }
                #expect(a == 1 && b == 2)
            }
        }
        // Short texts are hashed whole.
        #expect(StatementKey("SELECT 1").hashValue != StatementKey("SELECT 2").hashValue)
    }
}
