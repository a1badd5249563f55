import Logging
import NIOPosix
import SQLKit
import SQLiteKit

/// The embedded database. One writer connection whose concurrent transactions are committed in groups
/// (SQLite has one writer; `SQLiteGroupCommit`); for a
/// file database in WAL mode, a pool of reader connections serves reads beside it (`SQLiteReaderPool`), so a
/// read never waits for a write. An in-memory database is one connection for both (a second connection would
/// be a second, empty database).
final class SQLiteStore: SQLStore {
    let engine = SQLEngine.sqlite
    let handle: SQLiteWriterHandle
    private let database: SQLiteWriterDatabase
    private let lock = AsyncSerialLock()
    private let readers: SQLiteReaderPool?
    private let writer: SQLiteGroupCommit

    /// Reader connections of a file database unless configured otherwise.
    static let defaultReaders = 4
    /// How long a connection waits for another process's lock before it fails.
    static let busyTimeoutMilliseconds = 5000

    private init(database: SQLiteWriterDatabase, readers: SQLiteReaderPool?) {
        self.handle = database.handle
        self.database = database
        self.readers = readers
        self.writer = SQLiteGroupCommit(db: database, lock: lock)
    }

    static func open(
        storage: SQLiteConnection.Storage, logger: Logger, readers: Int = defaultReaders, profile: SQLiteReadProfile = .repeated
    ) async throws -> SQLiteStore {
        let path: String?
        switch storage {
        case .memory: path = nil
        case let .file(file): path = file
        }
        // The writer: a handle of our own (`SQLiteWriterHandle`), opened on the pool (opening reads the file).
        let handle = try await NIOThreadPool.singleton.runIfActive {
            try SQLiteWriterHandle(path: path ?? ":memory:", busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
        let database = SQLiteWriterDatabase(handle: handle, logger: logger, eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        // Everything opened so far is closed again if a later step fails.
        var readerConnections: [SQLiteConnection] = []
        var rawReaders: [SQLiteRawReader] = []
        do {
            try await setUpWriter(database, file: path != nil, profile: profile)
            if let path {
                for _ in 0..<max(0, readers) {
                    readerConnections.append(try await connect(storage, logger: logger, profile: profile))
                    rawReaders.append(try SQLiteRawReader(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                                          cacheKiB: profile.cacheKiB, mappedBytes: profile.mappedBytes))
                }
            }
        } catch {
            for raw in rawReaders { raw.close() }
            for connection in readerConnections { try? await connection.close() }
            handle.close()
            throw error
        }
        let pool = readerConnections.isEmpty ? nil : SQLiteReaderPool(connections: readerConnections, raw: rawReaders)
        return SQLiteStore(database: database, readers: pool)
    }

    /// The writer's settings: foreign keys enforced, WAL for a file (so readers never wait for it), its page cache,
    /// statement journals in memory. Its busy timeout is the handle's (`busyTimeoutMilliseconds`).
    private static func setUpWriter(_ db: any SQLDatabase, file: Bool, profile: SQLiteReadProfile) async throws {
        try await db.raw("PRAGMA foreign_keys = ON").run()
        if file {
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA cache_size = -\(unsafeRaw: String(profile.cacheKiB))").run()
        }
        // Every transaction runs in a savepoint (`SQLiteGroupCommit`), so SQLite keeps the original of each page
        // it changes in a statement journal — by default a temporary file: a `pwrite` per page, 8 % of a bulk
        // import's time (BENCHMARKS.md "`restora import fhir` …"). In memory it is a copy. The journal only
        // serves rolling back a savepoint; the WAL and its sync (durability) are unchanged.
        try await db.raw("PRAGMA temp_store = MEMORY").run()
    }

    /// A reader connection of a file database (SQLiteNIO's, for reads through SQLKit).
    private static func connect(
        _ storage: SQLiteConnection.Storage, logger: Logger, profile: SQLiteReadProfile
    ) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: storage, threadPool: .singleton, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        let db = connection.sql(queryLogLevel: nil)
        try await db.raw("PRAGMA foreign_keys = ON").run()
        // Another process (e.g. `restora user add` beside a running server) waits instead of failing at once.
        try await db.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
        // The page cache and the map of the process's read profile (`SQLiteReadProfile`): a server caches more
        // than SQLite's default and maps the file (shared between the readers through the OS page cache); a
        // single pass does neither. The writer is not mapped (SQLite writes through its cache either way).
        try await db.raw("PRAGMA cache_size = -\(unsafeRaw: String(profile.cacheKiB))").run()
        try await db.raw("PRAGMA mmap_size = \(unsafeRaw: String(profile.mappedBytes))").run()
        return connection
    }

    /// Runs `body` on the writer connection outside any transaction, for connection settings that apply to
    /// writes (`PRAGMA synchronous`).
    func onWriter<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = database
        return try await lock.withLock { try await body(db) }
    }

    /// Batches and transactions committed since the store opened.
    var groupCommits: (batches: Int, transactions: Int) { get async { await writer.committed } }

    /// Concurrent transactions share one commit (`SQLiteGroupCommit`); each is isolated in a savepoint.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await writer.transaction(body)
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        if let readers { return try await readers.read(body) }
        return try await onWriter(body)
    }

    /// One statement on a reader, without BEGIN/COMMIT around it (see `SQLStore.readStatement`).
    func readStatement<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        if let readers { return try await readers.read(snapshot: false, body) }
        return try await onWriter(body)
    }

    /// A read outside any transaction: on a reader when there are readers, else on the writer connection.
    func readOutsideTransaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        if let readers { return try await readers.read(snapshot: false, body) }
        return try await onWriter(body)
    }

    /// Runs `body` with the writer's handle outside any transaction, under the writer's lock: an in-memory
    /// database's reads by position (it has no readers; `SQLiteRowsByPosition.read(_:…)`).
    func withWriterOutsideTransaction<R: Sendable>(_ body: @escaping @Sendable (SQLiteWriterHandle) async throws -> R) async throws -> R {
        let handle = self.handle
        return try await lock.withLock { try await body(handle) }
    }

    /// `withRawReader` on the calling task's own thread (`SQLiteReaderPool.withRawReaderHere`).
    func withRawReaderHere<R: Sendable>(_ body: (SQLiteRawReader) throws -> R) async throws -> R? {
        guard let readers else { return nil }
        return try await readers.withRawReaderHere(body)
    }

    /// Runs `body` with a reader's bulk-read handle (`SQLiteRawReader`); nil for an in-memory database, which
    /// has no readers (the caller reads on the writer's handle instead: `withWriterOutsideTransaction`).
    func withRawReader<R: Sendable>(_ body: @escaping @Sendable (SQLiteRawReader) throws -> R) async throws -> R? {
        guard let readers else { return nil }
        return try await readers.withRawReader(body)
    }

    func shutdown() async throws {
        try await readers?.close()
        let handle = self.handle
        try await NIOThreadPool.singleton.runIfActive { handle.close() }
    }
}
