import Foundation
import NIOCore
import NIOPosix
import SQLiteNIO
import RestoraSQLiteShim
import VaporCSQLite

/// A second, read-only `sqlite3` handle beside each reader connection of a file database, for the one bulk read
/// whose rows are the bulk of an export or a report: a program's observations (`SQLProgramRecordSource`).
///
/// Why (issue #18, BENCHMARKS.md "Exports"): through SQLiteNIO every row becomes an array of `SQLiteData`, then
/// an array of named `SQLiteColumn`s, and every text cell a new `String` — about a quarter of the CSV export's CPU
/// time at 10⁴ participants, beside the statement's own stepping. Here the statement's cells are read where SQLite
/// holds them, converted exactly as SQLiteNIO converts them (`data(at:)`), and a text equal to one the same column
/// gave in a recent row is that row's `String` again (the participant, enrolment, code, unit and time repeat
/// from row to row), so no row allocates more than its new texts.
///
/// The handle is opened like SQLiteNIO opens one (extended result codes; no mutex, see `init`), with the reader's settings
/// (`busy_timeout`, page cache, memory map) and `query_only`, so nothing written through it is possible. One
/// statement is one implicit read transaction: it sees one snapshot of what was committed when it began, like a
/// statement on the reader connection. Statements run on the NIO thread pool, as SQLiteNIO runs its own, so a
/// blocking `sqlite3_step` never holds a Swift concurrency thread. `VaporCSQLite` is SQLiteNIO's own build of
/// SQLite (its `sqlite_nio_` functions), so both paths run the same library with the same compile options.
final class SQLiteRawReader: @unchecked Sendable {
    /// Only touched on one thread at a time: the reader pool lends a reader to one caller (`SQLiteReaderPool`).
    private var handle: OpaquePointer?
    /// Prepared statements kept for the point reads every request makes (`rows(…, point: true)`), by their text.
    private var statements: [String: OpaquePointer] = [:]
    /// How long a bulk read waits for another connection's lock.
    private let busyTimeoutMilliseconds: Int32
    /// At most this many kept; when full, every kept statement is finalized and the cache starts over.
    static let keptStatements = 32

    init(path: String, busyTimeoutMilliseconds: Int, cacheKiB: Int, mappedBytes: Int) throws {
        var opened: OpaquePointer?
        // No mutex (SQLiteNIO opens FULLMUTEX): the reader pool lends the handle to one caller at a time, and a mutex
        // taken by every column read cost 3 % of the CSV export's time.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            sqlite_nio_sqlite3_close_v2(opened)
            throw SQLiteRawError("could not open the database for bulk reads (SQLite code \(status))")
        }
        handle = opened
        self.busyTimeoutMilliseconds = Int32(clamping: busyTimeoutMilliseconds)
        _ = restora_sqlite_enable_qpsg(opened)   // kept statements keep their plans (as the writer's: SQLiteWriterHandle)
        do {
            for pragma in ["PRAGMA query_only = ON", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)",
                           "PRAGMA cache_size = -\(cacheKiB)", "PRAGMA mmap_size = \(mappedBytes)"] {
                try execute(pragma)
            }
        } catch {
            close()
            throw error
        }
    }

    /// Whether the handle keeps each kept statement's plan whatever is bound (`restora_sqlite_enable_qpsg`).
    var plansAreStable: Bool { handle.map { restora_sqlite_qpsg_enabled($0) == 1 } ?? false }

    deinit { close() }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
        sqlite_nio_sqlite3_close_v2(handle)
        handle = nil
    }

    private func execute(_ sql: String) throws {
        try rows(sql: sql, binds: []) { _ in }
    }

    /// Runs `sql` with `binds` (text) and hands each row to `body` while the statement is on it; the row is only
    /// valid inside `body`. Blocks the calling thread.
    ///
    /// A bulk read (`point` false) is prepared for this run and waits up to the busy timeout for another
    /// connection's lock; callers run it on the NIO thread pool (`run`). A point read (`point` true: one row by its
    /// key, every API request makes two) keeps its prepared statement for the next run of the same text — SQLite
    /// parsing the statement was 8.5 % of an audited GET's CPU (BENCHMARKS.md "Audited GET: point reads on the
    /// caller's thread") — and never waits for a lock: it throws `SQLiteRawError.busy` at once, so the caller can
    /// run it again as a bulk read, on the pool. Either way the statement is reset when the run ends, so it holds no
    /// read transaction open.
    func rows(sql: String, binds: [String], point: Bool = false, _ body: (SQLiteRawRow) throws -> Void) throws {
        guard let handle else { throw SQLiteRawError("the bulk reader is closed") }
        if point { sqlite_nio_sqlite3_busy_timeout(handle, 0) }
        defer { if point { sqlite_nio_sqlite3_busy_timeout(handle, busyTimeoutMilliseconds) } }
        let statement = try prepared(sql, handle: handle, keep: point)
        defer {
            if point {
                sqlite_nio_sqlite3_reset(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
        }
        for (index, value) in binds.enumerated() {
            // As SQLiteNIO binds text (SQLITE_TRANSIENT: SQLite copies it before this call returns).
            let bound = sqlite_nio_sqlite3_bind_text64(statement, Int32(index + 1), value, UInt64(value.utf8.count),
                                                       unsafeBitCast(-1, to: sqlite3_destructor_type.self), UInt8(SQLITE_UTF8))
            guard bound == SQLITE_OK else { throw SQLiteRawError(handle, "could not bind a bulk read's value") }
        }
        let row = SQLiteRawRow(statement: statement, texts: RecentTexts(columns: Int(sqlite_nio_sqlite3_column_count(statement))),
                               names: ColumnNames())
        while true {
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLITE_ROW: try body(row)
            case SQLITE_DONE: return
            case let status where point && status & 0xFF == SQLITE_BUSY: throw SQLiteRawError.busy
            default: throw SQLiteRawError(handle, "a bulk read stopped")
            }
        }
    }

    /// `sql` prepared: the kept statement when `keep` and there is one, else a new one (kept when `keep`).
    private func prepared(_ sql: String, handle: OpaquePointer, keep: Bool) throws -> OpaquePointer {
        if keep, let kept = statements[sql] { return kept }
        var prepared: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &prepared, nil)
        guard status == SQLITE_OK, let statement = prepared else {
            sqlite_nio_sqlite3_finalize(prepared)
            if keep, status & 0xFF == SQLITE_BUSY { throw SQLiteRawError.busy }
            throw SQLiteRawError(handle, "could not prepare a bulk read")
        }
        if keep {
            if statements.count >= Self.keptStatements {
                for kept in statements.values { sqlite_nio_sqlite3_finalize(kept) }
                statements.removeAll()
            }
            statements[sql] = statement
        }
        return statement
    }

    /// Runs `body` with this reader on the NIO thread pool (SQLiteNIO's own threads for blocking SQLite calls).
    func run<R: Sendable>(_ body: @escaping @Sendable (SQLiteRawReader) throws -> R) async throws -> R {
        try await NIOThreadPool.singleton.runIfActive { try body(self) }
    }
}

/// The row a statement is on: each cell as SQLiteNIO's `SQLiteData`, made the way `SQLiteStatement.data(at:)`
/// makes it (so every conversion after it, `SQLiteRowsByPosition.cell`, is the one the SQLiteNIO path makes).
struct SQLiteRawRow {
    let statement: OpaquePointer
    let texts: RecentTexts
    /// The statement's column names by position and by name, read at its first row (`ColumnNames`).
    let names: ColumnNames

    var count: Int { Int(sqlite_nio_sqlite3_data_count(statement)) }

    /// The name of the column at `position`, as SQLiteNIO reads it.
    func name(at position: Int) -> String {
        sqlite_nio_sqlite3_column_name(statement, Int32(position)).map { String(cString: $0) } ?? ""
    }

    func data(at position: Int) throws -> SQLiteData {
        let column = Int32(position)
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else {
                throw SQLiteRawError("unexpected nil column text")
            }
            let bytes = UnsafeBufferPointer(start: text, count: Int(sqlite_nio_sqlite3_column_bytes(statement, column)))
            return .text(texts.string(bytes, column: position))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let blob = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: length))
            }
            return .blob(buffer)
        case SQLITE_NULL:
            return .null
        default:
            throw SQLiteRawError("unexpected column type")
        }
    }
}

/// Per column, the last few texts it gave as `String`s: a text whose bytes equal one of them is that `String`
/// again (no allocation, no UTF-8 check); any other text becomes a `String` as SQLiteNIO makes it
/// (`String(cString:)`) and takes the oldest slot. A text with a NUL inside never equals its `String` (which
/// stops at the NUL), so it is made anew each time, as before.
final class RecentTexts {
    /// Texts kept per column: enough for the codes, units and displays of a panel, few enough to scan.
    static let perColumn = 8

    private let columns: Int
    /// `perColumn` slots per column, column after column, each a text or "" (unused, and equal to an empty text
    /// anyway); `oldest` holds per column the slot the next new text takes. Plain memory, not arrays in the class:
    /// this runs for every text cell of a bulk read, and each access to an array property costs an exclusivity check.
    private let slots: UnsafeMutablePointer<String>
    private let oldest: UnsafeMutablePointer<Int>

    init(columns: Int) {
        self.columns = max(0, columns)
        slots = .allocate(capacity: self.columns * Self.perColumn)
        slots.initialize(repeating: "", count: self.columns * Self.perColumn)
        oldest = .allocate(capacity: self.columns)
        oldest.initialize(repeating: 0, count: self.columns)
    }

    deinit {
        slots.deinitialize(count: columns * Self.perColumn)
        slots.deallocate()
        oldest.deallocate()
    }

    /// `bytes` are the cell's text without its terminating NUL (which SQLite guarantees follows them).
    func string(_ bytes: UnsafeBufferPointer<UInt8>, column: Int) -> String {
        guard let base = bytes.baseAddress else { return "" }
        guard column < columns else { return String(cString: base) }
        let first = column * Self.perColumn
        for slot in first..<(first + Self.perColumn) {
            let kept = slots[slot].utf8
            guard kept.count == bytes.count else { continue }
            let equal = kept.withContiguousStorageIfAvailable { stored in
                stored.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? bytes.isEmpty
            }
            if equal ?? kept.elementsEqual(bytes) { return slots[slot] }
        }
        let string = String(cString: base)
        slots[first + oldest[column]] = string
        oldest[column] = (oldest[column] + 1) % Self.perColumn
        return string
    }
}

struct SQLiteRawError: Error, CustomStringConvertible, Equatable {
    let description: String

    /// A point read found the database locked by another connection (it does not wait: `SQLiteRawReader.rows`).
    static let busy = SQLiteRawError("the database is locked")

    init(_ message: String) { description = message }

    init(_ handle: OpaquePointer, _ message: String) {
        let detail = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error"
        description = "\(message): \(detail)"
    }
}
