import SQLKit
import SQLiteKit

/// Reader connections of an SQLite file database in WAL mode (issue #13 item 3): each read takes an idle
/// connection (or waits for one), so reads run beside each other and beside the one writer — WAL gives every
/// read a consistent snapshot of what was committed when it began, and the writer never waits for readers.
actor SQLiteReaderPool {
    /// A reader: its SQLKit face and its bulk-read handle (`withRawReader`).
    private struct Reader: Sendable {
        let db: any SQLDatabase
        let raw: SQLiteRawReader?
    }

    private var idle: [Reader]
    private var waiters: [CheckedContinuation<Reader, Never>] = []
    private let connections: [SQLiteConnection]
    private let rawReaders: [SQLiteRawReader]

    /// `raw`, when given, holds one bulk-read handle per connection.
    init(connections: [SQLiteConnection], raw: [SQLiteRawReader] = []) {
        self.connections = connections
        self.rawReaders = raw
        // No statement logging at all (it carries bind values).
        self.idle = connections.indices.map { index in
            Reader(db: connections[index].sql(queryLogLevel: nil), raw: index < raw.count ? raw[index] : nil)
        }
    }

    private func acquire() async -> Reader {
        if let reader = idle.popLast() { return reader }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func release(_ reader: Reader) {
        if waiters.isEmpty {
            idle.append(reader)
        } else {
            waiters.removeFirst().resume(returning: reader)
        }
    }

    /// Runs `body` with a reader's bulk-read handle on the NIO thread pool (`SQLiteRawReader`), outside any
    /// transaction (one statement sees one snapshot); nil when the readers have no such handle.
    func withRawReader<R: Sendable>(_ body: @escaping @Sendable (SQLiteRawReader) throws -> R) async throws -> R? {
        let reader = await acquire()
        defer { release(reader) }
        guard let raw = reader.raw else { return nil }
        return try await raw.run(body)
    }

    /// Runs `body` with a reader's bulk-read handle on the calling task's own thread, without the hop to the NIO
    /// thread pool; nil when the readers have no such handle. For point reads only (`SQLiteRowsByPosition.read(…, point:)`),
    /// which never wait for a lock.
    nonisolated func withRawReaderHere<R: Sendable>(_ body: (SQLiteRawReader) throws -> R) async throws -> R? {
        let reader = await acquire()
        guard let raw = reader.raw else {
            await release(reader)
            return nil
        }
        do {
            let result = try body(raw)
            await release(reader)
            return result
        } catch {
            await release(reader)
            throw error
        }
    }

    /// Runs `body` on a reader inside one read transaction, so all its statements see the same snapshot
    /// (a page of the audit trail and the chain head agree even while the writer commits); with `snapshot`
    /// false, outside any transaction (`VACUUM INTO` refuses to run inside one and makes its own).
    func read<R: Sendable>(snapshot: Bool = true, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let reader = await acquire()
        let db = reader.db
        // runInTransaction ends a failed or cancelled snapshot before it returns, so the reader is clean for reuse.
        defer { release(reader) }
        return snapshot ? try await runInTransaction(db, begin: "BEGIN DEFERRED", body) : try await body(db)
    }

    func close() async throws {
        for raw in rawReaders { raw.close() }
        for connection in connections { try await connection.close() }
    }
}
