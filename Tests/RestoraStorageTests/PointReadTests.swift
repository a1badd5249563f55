import Foundation
@testable import RestoraStorage
import SQLiteKit
import Testing

/// Point reads (a record by id, a token): on a file database they run on the caller's thread with their statement
/// kept prepared (`SQLiteRawReader.rows(…, point: true)`), never waiting for a lock there. The reads themselves are
/// covered through the repositories on a file database (`TestDatabase.urlsWithFile`: participants, tokens). In WAL
/// mode an open reader is locked out only in rare moments (another connection recovering the WAL after a crash);
/// the fallback for those is tested here with the lock stood in for, as it cannot be held from outside on demand:
/// every connection of the database keeps a shared lock on the file, so no other one can take it exclusively.
@Suite("Point reads on the bulk-read handles", .serialized)
struct PointReadTests {
    @Test("a point read that finds the file locked runs again on the pool, and returns the rows")
    func busyPointReadFallsBack() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            let calls = Calls()
            let rows = try await SQLiteRowsByPosition.read(
                store, sql: "SELECT 7 AS x", binds: [], columns: [Column("x", .integer)], table: "t", point: true
            ) { cells -> SQLCell? in
                // The first run stands for a lock held by another connection (`SQLiteRawReader.rows` throws `busy`).
                if calls.next() == 1 { throw SQLiteRawError.busy }
                return try cells.cell(0)
            }
            #expect(rows == [.integer(7)])
            #expect(calls.count == 2)
        }
    }

    @Test("a kept statement gives each run its own rows: the binds of one run never leak into the next")
    func keptStatementRebinds() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            for value in ["a", "bb", "", "ccc", "a"] {
                let rows = try await SQLiteRowsByPosition.read(
                    store, sql: "SELECT ? AS v, length(?) AS n", binds: [value, value], columns: [Column("v"), Column("n", .integer)],
                    table: "t", point: true
                ) { cells in [try cells.cell(0), try cells.cell(1)] }
                #expect(rows == [[.text(value), .integer(value.count)]])
            }
        }
    }

    /// Counts the calls of a decode closure.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var calls = 0
        var count: Int { lock.withLock { calls } }
        func next() -> Int { lock.withLock { calls += 1; return calls } }
    }
}
