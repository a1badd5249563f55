import Foundation
@testable import RestoraStorage
import SQLKit
import SQLiteKit
import Testing

/// The embedded writer runs its statements on a handle of its own (`SQLiteWriterHandle`), inside a transaction on
/// the caller's thread with the prepared statement kept. Every repository test on SQLite writes through it; these
/// check what is particular to it: SQLKit rows from the writer decode as SQLiteNIO's rows from a reader do, a kept
/// statement carries nothing from one run into the next (binds, a failed step), statements started side by side in
/// one transaction do not share a statement, and a constraint it reports is classified as SQLiteNIO's were.
@Suite("The writer's own handle", .serialized)
struct WriterHandleTests {
    struct Sample: Codable, Equatable {
        var id: String
        var count: Int
        var ratio: Double
        var flag: Bool
        var note: String?
        var at: Date
    }

    static let create: SQLQueryString = """
        CREATE TABLE samples (id TEXT PRIMARY KEY, count INTEGER NOT NULL, ratio REAL NOT NULL, flag BOOLEAN NOT NULL,
        note TEXT, at REAL NOT NULL)
        """

    @Test("a row read through SQLKit on the writer decodes as the same row read on a reader connection")
    func rowsDecodeAlike() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            let samples = [
                Sample(id: "a", count: 3, ratio: 0.1, flag: true, note: "é, ünïcode", at: Date(timeIntervalSince1970: 1_700_000_000.25)),
                Sample(id: "b", count: -7, ratio: 2.5e10, flag: false, note: nil, at: Date(timeIntervalSince1970: 0)),
            ]
            try await store.onWriter { db in try await db.raw(Self.create).run() }
            let onWriter = try await store.transaction { db in
                for sample in samples { try await db.insert(into: "samples").model(sample).run() }
                return try await db.select().columns("*").from("samples").orderBy("id").all()
            }
            let onReader = try await store.read { db in try await db.select().columns("*").from("samples").orderBy("id").all() }
            #expect(onWriter.count == 2 && onReader.count == 2)
            for (written, read) in zip(onWriter, onReader) {
                #expect(written.allColumns == read.allColumns)
                #expect(try written.decode(model: Sample.self) == read.decode(model: Sample.self))
                #expect(try written.decodeNil(column: "note") == read.decodeNil(column: "note"))
                #expect(written.contains(column: "ratio") && !written.contains(column: "nope"))
            }
            #expect(try onWriter.map { try $0.decode(model: Sample.self) } == samples)
        }
    }

    @Test("a kept statement rebinds each run, and a run that failed on a constraint leaves nothing behind", arguments: TestDatabase.urls.filter { $0.hasPrefix("sqlite") })
    func keptStatementAfterFailure(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let store = try #require(db.store as? SQLiteStore)
            try await store.onWriter { db in try await db.raw("CREATE TABLE kept (id TEXT PRIMARY KEY, n INTEGER NOT NULL)").run() }
            let insert = { @Sendable (id: String, n: Int) async throws in
                try await store.transaction { db in try await db.raw("INSERT INTO kept (id, n) VALUES (\(bind: id), \(bind: n))").run() }
            }
            try await insert("x", 1)
            do {
                try await insert("x", 2)
                Issue.record("a second row with the same key was written")
            } catch {
                #expect(ConstraintViolation.classify(error) == .unique)
            }
            try await insert("y", 3)
            let rows = try await store.transaction { db in
                try await db.raw("SELECT id, n FROM kept ORDER BY id").all().map { try ($0.decode(column: "id", as: String.self), $0.decode(column: "n", as: Int.self)) }
            }
            #expect(rows.map(\.0) == ["x", "y"] && rows.map(\.1) == [1, 3])
        }
    }

    @Test("statements of one transaction started side by side each run their own statement")
    func sideBySide() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            let sums = try await store.transaction { db in
                try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                    for n in 0..<64 {
                        group.addTask {
                            let row = try await db.raw("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < \(bind: n)) SELECT coalesce(sum(i), 0) AS s FROM c").first()
                            return (n, try row?.decode(column: "s", as: Int.self) ?? -1)
                        }
                    }
                    var sums: [Int: Int] = [:]
                    for try await (n, sum) in group { sums[n] = sum }
                    return sums
                }
            }
            for n in 0..<64 { #expect(sums[n] == max(1, n) * (max(1, n) + 1) / 2) }
        }
    }

    @Test("where each statement runs: inside a transaction here, COMMIT here only when it syncs nothing, BEGIN here unless busy")
    func whatRunsWhere() async throws {
        typealias P = SQLiteWriterHandle.Placement
        let cases: [(String, Bool, Bool, P)] = [
            ("INSERT INTO t VALUES (1)", true, true, .here), ("SAVEPOINT restora_group", true, true, .here),
            ("COMMIT", true, true, .pool), ("commit", true, true, .pool), ("  END TRANSACTION", true, true, .pool),
            ("RELEASE SAVEPOINT restora_group", true, true, .here), ("COMMIT", true, false, .here), ("END", true, false, .here),
            ("ROLLBACK", true, false, .pool), ("ROLLBACK TO SAVEPOINT restora_group", true, true, .pool),
            ("BEGIN IMMEDIATE", false, true, .hereUnlessBusy), ("begin", false, false, .hereUnlessBusy),
            ("PRAGMA synchronous = OFF", false, true, .pool), ("CREATE TABLE t (a)", false, false, .pool), ("SELECT 1", false, true, .pool),
        ]
        for (sql, inTransaction, commitsSync, placement) in cases {
            #expect(SQLiteWriterHandle.placement(sql, inTransaction: inTransaction, commitsSync: commitsSync) == placement, "\(sql)")
        }
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            let handle = try await store.withWriterOutsideTransaction { $0 }
            #expect(!handle.inTransaction)
            let inside = try await store.transaction { _ in handle.inTransaction }
            #expect(inside)
            #expect(!handle.inTransaction)
            // A throw-away load's COMMIT syncs nothing and runs here; the durability comes back after it.
            try await db.relaxDurabilityForThrowawayLoad()
            try await store.transaction { db in try await db.raw("CREATE TABLE relaxed (a)").run() }
            #expect(!handle.inTransaction)
            try await db.restoreDurability()
            try await store.transaction { db in try await db.raw("INSERT INTO relaxed VALUES (1)").run() }
            #expect(try await db.count("relaxed") == 1)
        }
    }

    @Test("BEGIN while another process holds the write lock waits on the pool, then the transaction commits")
    func beginWaitsWhenBusy() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let store = try #require(db.store as? SQLiteStore)
            try await store.onWriter { db in try await db.raw("CREATE TABLE busy (a INTEGER)").run() }
            guard case let .sqliteFile(path) = db.location else { Issue.record("not a file database"); return }
            // Another connection, as another process would, takes the write lock and keeps it for 300 ms.
            let other = try SQLiteWriterHandle(path: path, busyTimeoutMilliseconds: 5_000)
            try other.query("BEGIN IMMEDIATE", []) { _ in }
            let release = Task {
                try await Task.sleep(for: .milliseconds(300))
                try other.query("INSERT INTO busy VALUES (1)", []) { _ in }
                try other.query("COMMIT", []) { _ in }
            }
            let started = ContinuousClock.now
            try await store.transaction { db in try await db.raw("INSERT INTO busy VALUES (2)").run() }
            #expect(ContinuousClock.now - started >= .milliseconds(250))   // it waited for the lock, it did not fail
            try await release.value
            other.close()
            #expect(try await db.count("busy") == 2)
        }
    }

    @Test("the writer's constraint codes classify as SQLiteNIO's did")
    func constraintCodes() {
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 2067, message: "UNIQUE constraint failed: t.id")) == .unique)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 1555, message: "")) == .unique)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 787, message: "FOREIGN KEY constraint failed")) == .foreignKey)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 275, message: "CHECK constraint failed")) == .check)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 1299, message: "NOT NULL constraint failed")) == .check)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 19, message: "FOREIGN KEY constraint failed")) == .foreignKey)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 5, message: "database is locked")) == nil)
        #expect(ConstraintViolation.classify(SQLiteWriteError(code: 1, message: "no such table: t")) == nil)
    }
}
