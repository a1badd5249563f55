import SQLKit
import SQLiteKit

/// Reader connections of an SQLite file database in WAL mode (issue #13 item 3): each read takes an idle
/// connection (or waits for one), so reads run beside each other and beside the one writer — WAL gives every
/// read a consistent snapshot of what was committed when it began, and the writer never waits for readers.
actor SQLiteReaderPool {
    private var idle: [any SQLDatabase]
    private var waiters: [CheckedContinuation<any SQLDatabase, Never>] = []
    private let connections: [SQLiteConnection]

    init(connections: [SQLiteConnection]) {
        self.connections = connections
        // No statement logging at all (it carries bind values).
        self.idle = connections.map { $0.sql(queryLogLevel: nil) }
    }

    private func acquire() async -> any SQLDatabase {
        if let db = idle.popLast() { return db }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func release(_ db: any SQLDatabase) {
        if waiters.isEmpty {
            idle.append(db)
        } else {
            waiters.removeFirst().resume(returning: db)
        }
    }

    /// Runs `body` on a reader inside one read transaction, so all its statements see the same snapshot
    /// (a page of the audit trail and the chain head agree even while the writer commits); with `snapshot`
    /// false, outside any transaction (`VACUUM INTO` refuses to run inside one and makes its own).
    func read<R: Sendable>(snapshot: Bool = true, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = await acquire()
        do {
            let result = snapshot ? try await runInTransaction(db, begin: "BEGIN DEFERRED", body) : try await body(db)
            release(db)
            return result
        } catch {
            release(db)
            throw error
        }
    }

    func close() async throws {
        for connection in connections { try await connection.close() }
    }
}
