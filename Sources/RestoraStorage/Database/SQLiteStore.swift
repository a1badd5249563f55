import Logging
import NIOPosix
import SQLKit
import SQLiteKit

/// The embedded database: one SQLite connection (file or memory) with writes and reads serialised.
/// One connection keeps an in-memory database a single database, and SQLite has one writer anyway.
final class SQLiteStore: SQLStore {
    let engine = SQLEngine.sqlite
    private let connection: SQLiteConnection
    private let database: any SQLDatabase
    private let lock = AsyncSerialLock()

    private init(connection: SQLiteConnection) {
        self.connection = connection
        // No statement logging at all (it carries bind values); `logger` is clamped too (DriverLogger).
        self.database = connection.sql(queryLogLevel: nil)
    }

    static func open(storage: SQLiteConnection.Storage, logger: Logger) async throws -> SQLiteStore {
        let connection = try await SQLiteConnection.open(
            storage: storage, threadPool: .singleton, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        let store = SQLiteStore(connection: connection)
        let db = store.database
        try await db.raw("PRAGMA foreign_keys = ON").run()
        // Another process (e.g. `restora user add` beside a running server) waits instead of failing at once.
        try await db.raw("PRAGMA busy_timeout = 5000").run()
        if case .file = storage {
            try await db.raw("PRAGMA journal_mode = WAL").run()
        }
        return store
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = database
        return try await lock.withLock {
            // IMMEDIATE takes the write lock at BEGIN, so a second process cannot interleave a write.
            try await runInTransaction(db, begin: "BEGIN IMMEDIATE", body)
        }
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = database
        return try await lock.withLock { try await body(db) }
    }

    func shutdown() async throws {
        try await connection.close()
    }
}
