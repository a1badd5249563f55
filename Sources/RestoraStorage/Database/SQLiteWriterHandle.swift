import NIOConcurrencyHelpers
import NIOPosix
import RestoraSQLiteShim
import SQLiteNIO
import VaporCSQLite

/// The embedded database's one writer connection: a `sqlite3` handle of our own, opened as SQLiteNIO opens one
/// (read-write, serialized, extended result codes) and set up as the writer was (`SQLiteStore.open`).
///
/// Why (issue #13, BENCHMARKS.md "POST: the writer's statements on the caller's thread"): through SQLiteNIO every
/// statement went to its thread pool and back — two task switches — and was parsed anew. A POST of one observation
/// runs about fifteen statements inside its write transaction, one transaction after the other on the one writer,
/// so those hops and parses were most of the time a write held the writer: 16 clients got 0.13× the disk's commit
/// limit, with one core idle.
///
/// Here a statement inside a write transaction runs on the calling task's own thread, and its prepared statement
/// is kept for the next run of the same text (reset after every run, bindings cleared). Inside a transaction the
/// writer already holds SQLite's write lock (`BEGIN IMMEDIATE`), so such a statement never waits for another
/// connection; it only computes and reads or writes pages of its cache. A statement that can wait or sync the
/// disk — anything outside a transaction (PRAGMA, a migration's DDL in autocommit), COMMIT, ROLLBACK — runs on the
/// NIO thread pool as before, so it never holds a Swift concurrency thread for a lock or a `fsync`. BEGIN runs here
/// without waiting and goes to the pool only when another process holds the write lock; COMMIT runs here when it
/// syncs nothing (`synchronous = OFF`, a throw-away load). Each pool run is two task switches (`placement`).
///
/// Callers serialize their use (`SQLiteStore`'s lock: one transaction batch or one `onWriter` body at a time).
/// The handle is opened with SQLite's own mutex all the same, and a kept statement is taken out of the cache
/// while it runs, so two statements of one transaction started side by side each get their own.
final class SQLiteWriterHandle: @unchecked Sendable {
    private let handle: OpaquePointer
    private let busyTimeoutMilliseconds: Int32
    /// Kept statements by their text, each with the recent texts of its columns (`RecentTexts`).
    private let kept = NIOLockedValueBox<[StatementKey: Kept]>([:])
    private let closed = NIOLockedValueBox(false)

    /// At most this many kept; when full, every kept statement is finalized and the cache starts over (a multi-row
    /// INSERT's text differs with its row count, so a bulk load may fill it).
    static let keptStatements = 256

    private struct Kept: @unchecked Sendable {
        let statement: OpaquePointer
        let texts: RecentTexts
        /// The statement's column names, read once and kept with it (`ColumnNames`).
        let names: ColumnNames
    }

    private static let initialized = NIOLockedValueBox(false)

    /// Opens `path` (`":memory:"` for an in-memory database) read-write, creating it when missing.
    init(path: String, busyTimeoutMilliseconds: Int) throws {
        // As SQLiteNIO does before its first open: `sqlite3_initialize` once, under a lock.
        Self.initialized.withLockedValue { done in
            if !done {
                sqlite_nio_sqlite3_initialize()
                done = true
            }
        }
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            sqlite_nio_sqlite3_close_v2(opened)
            throw SQLiteWriteError(code: status, message: "could not open the database for writing")
        }
        handle = opened
        self.busyTimeoutMilliseconds = Int32(clamping: busyTimeoutMilliseconds)
        sqlite_nio_sqlite3_busy_timeout(handle, self.busyTimeoutMilliseconds)
        // Kept statements keep their plans (`RestoraSQLiteShim`): without this SQLite parsed and planned a third of
        // them again at every run, whenever the planner had looked at a bound value (partial indexes, LIKE).
        _ = restora_sqlite_enable_qpsg(handle)
    }

    deinit { close() }

    func close() {
        let wasClosed = closed.withLockedValue { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        kept.withLockedValue { kept in
            for entry in kept.values { sqlite_nio_sqlite3_finalize(entry.statement) }
            kept.removeAll()
        }
        sqlite_nio_sqlite3_close_v2(handle)
    }

    /// Whether the handle keeps each kept statement's plan whatever is bound (`restora_sqlite_enable_qpsg`).
    var plansAreStable: Bool { restora_sqlite_qpsg_enabled(handle) == 1 }

    /// Whether a transaction is open on the handle (SQLite is not in autocommit mode).
    var inTransaction: Bool { sqlite_nio_sqlite3_get_autocommit(handle) == 0 }

    /// Where a statement runs: on the calling thread, on it unless another connection holds the lock it needs, or on
    /// the NIO thread pool (where waiting for a lock or syncing the disk holds no Swift concurrency thread).
    enum Placement: Equatable { case here, hereUnlessBusy, pool }

    /// Inside a transaction every statement runs here but ROLLBACK, and COMMIT/END when they sync the disk. Outside
    /// one, BEGIN runs here unless another process holds the write lock (it then waits on the pool); anything else
    /// (PRAGMA, DDL in autocommit) on the pool.
    static func placement(_ sql: String, inTransaction: Bool, commitsSync: Bool) -> Placement {
        if inTransaction {
            if firstWord(of: sql, isOneOf: ["ROLLBACK"]) { return .pool }
            if firstWord(of: sql, isOneOf: ["COMMIT", "END"]) { return commitsSync ? .pool : .here }
            return .here
        }
        return firstWord(of: sql, isOneOf: ["BEGIN"]) ? .hereUnlessBusy : .pool
    }

    /// Runs `sql` with `binds` and hands each row to `body` while the statement is on it (valid only inside
    /// `body`), where `placement` says (see the type's comment).
    func run(_ sql: String, _ binds: [SQLiteData], _ body: @escaping @Sendable (SQLiteRawRow) throws -> Void) async throws {
        switch Self.placement(sql, inTransaction: inTransaction, commitsSync: commitsSync.withLockedValue { $0 }) {
        case .here:
            try query(sql, binds, body)
        case .hereUnlessBusy:
            if try queryWithoutWaiting(sql, binds, body) { return }
            try await NIOThreadPool.singleton.runIfActive { try self.query(sql, binds, body) }
        case .pool:
            try await NIOThreadPool.singleton.runIfActive { try self.query(sql, binds, body) }
        }
    }

    /// `query` with no busy wait: false when another connection holds the lock (nothing ran), else as `query`.
    private func queryWithoutWaiting(_ sql: String, _ binds: [SQLiteData], _ body: (SQLiteRawRow) throws -> Void) throws -> Bool {
        sqlite_nio_sqlite3_busy_timeout(handle, 0)
        defer { sqlite_nio_sqlite3_busy_timeout(handle, busyTimeoutMilliseconds) }
        do {
            try query(sql, binds, body)
            return true
        } catch let error as SQLiteWriteError where error.code & 0xFF == SQLITE_BUSY {
            return false
        }
    }

    /// Whether COMMIT syncs the disk: false after `PRAGMA synchronous = OFF` (a throw-away bulk load, see
    /// `StorageDatabase.relaxDurabilityForThrowawayLoad`), when COMMIT only appends to the WAL and runs here.
    private let commitsSync = NIOLockedValueBox(true)

    func setCommitsSync(_ syncs: Bool) { commitsSync.withLockedValue { $0 = syncs } }

    /// Whether `sql`'s first word is one of `words` (upper case), compared byte by byte, case-insensitively, without
    /// a copy (called for every statement).
    static func firstWord(of sql: String, isOneOf words: [StaticString]) -> Bool {
        let head = sql.utf8.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }).prefix(8)
        return words.contains { word in
            let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            return head.count >= letters.count && zip(head, letters).allSatisfy { $0 | 0x20 == $1 | 0x20 }
        }
    }

    /// Runs `sql` on the calling thread (blocking it while SQLite works).
    func query(_ sql: String, _ binds: [SQLiteData], _ body: (SQLiteRawRow) throws -> Void) throws {
        let entry = try checkOut(sql)
        defer { checkIn(sql, entry) }
        for (index, value) in binds.enumerated() {
            let status = Self.bind(value, at: Int32(index + 1), to: entry.statement)
            guard status == SQLITE_OK else { throw SQLiteWriteError(handle, code: status) }
        }
        let row = SQLiteRawRow(statement: entry.statement, texts: entry.texts, names: entry.names)
        while true {
            let status = sqlite_nio_sqlite3_step(entry.statement)
            switch status {
            case SQLITE_ROW: try body(row)
            case SQLITE_DONE: return
            default: throw SQLiteWriteError(handle, code: status)
            }
        }
    }

    /// The kept statement for `sql`, taken out of the cache while it runs; a new one when there is none.
    private func checkOut(_ sql: String) throws -> Kept {
        if let entry = kept.withLockedValue({ $0.removeValue(forKey: StatementKey(sql)) }) { return entry }
        var prepared: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard status == SQLITE_OK, let statement = prepared else {
            sqlite_nio_sqlite3_finalize(prepared)
            throw SQLiteWriteError(handle, code: status)
        }
        return Kept(statement: statement, texts: RecentTexts(columns: Int(sqlite_nio_sqlite3_column_count(statement))), names: ColumnNames())
    }

    /// Resets `entry` (no read or write stays open through it) and keeps it, unless another run of the same text
    /// was kept meanwhile or the handle closed.
    private func checkIn(_ sql: String, _ entry: Kept) {
        sqlite_nio_sqlite3_reset(entry.statement)
        sqlite_nio_sqlite3_clear_bindings(entry.statement)
        let key = StatementKey(sql)
        let keep = !closed.withLockedValue { $0 } && kept.withLockedValue { kept in
            guard kept[key] == nil else { return false }
            if kept.count >= Self.keptStatements {
                for old in kept.values { sqlite_nio_sqlite3_finalize(old.statement) }
                kept.removeAll()
            }
            kept[key] = entry
            return true
        }
        if !keep { sqlite_nio_sqlite3_finalize(entry.statement) }
    }

    /// Binds `value` as SQLiteNIO binds it (texts and blobs copied by SQLite before the call returns).
    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        switch value {
        case let .blob(buffer):
            return buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        case let .float(number): return sqlite_nio_sqlite3_bind_double(statement, index, number)
        case let .integer(number): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case let .text(text):
            return sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
        }
    }
}

/// An error of the writer handle: SQLite's (extended) result code and its message. `ConstraintViolation` reads
/// the code as it reads SQLiteNIO's `SQLiteError`.
struct SQLiteWriteError: Error, CustomStringConvertible {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, …); `code & 0xFF` is the primary one.
    let code: Int32
    let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(_ handle: OpaquePointer, code: Int32) {
        self.code = code
        message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error"
    }

    var description: String { "SQLite error \(code): \(message)" }
}

