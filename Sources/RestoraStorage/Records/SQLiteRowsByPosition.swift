import SQLiteKit

/// One SELECT (or INSERT … RETURNING) run on an `sqlite3` handle of our own — a reader's bulk-read handle or the
/// writer's — each row decoded as SQLite steps to it from its values by position: no SQLKit row, no lookup of a column by name, no Codable decoder and no
/// intermediate array of rows (issue #18: the exports' bulk reads spent a quarter of their time putting each
/// row's cells into a dictionary keyed by column name and looking them up again). The values are converted to
/// `SQLCell` by the column's kind exactly as SQLiteKit's decoder converts them (`SQLiteData.string`,
/// `.integer`, `.double`, `.bool`), so a row decodes to the same value either way.
enum SQLiteRowsByPosition {
    /// Rows of `sql` (which selects `columns`, in order, then nothing else, or returns them) with `binds`, run
    /// on the writer's handle (`SQLiteWriterHandle`: inside a transaction on the calling thread), each handed to
    /// `decode` by position; the non-nil results in statement order.
    static func read<T: Sendable>(
        _ writer: SQLiteWriterHandle, sql: String, binds: [SQLiteData], columns: [Column], table: String,
        decode: @escaping @Sendable (PositionalCells) throws -> T?
    ) async throws -> [T] {
        let collected = Collected<T>()
        try await writer.run(sql, binds) { row in
            guard row.count == columns.count else {
                throw StorageError.corruptRecord(table: table, column: "(\(row.count) columns read for \(columns.count))")
            }
            if let value = try decode(PositionalCells(raw: row, columns: columns, table: table)) {
                collected.values.append(value)
            }
        }
        return collected.values
    }

    /// The same read on a bulk-read handle (`SQLiteRawReader`), on the thread it runs on; `point`: see
    /// `SQLiteRawReader.rows`.
    static func read<T>(
        _ reader: SQLiteRawReader, sql: String, binds: [String], columns: [Column], table: String, point: Bool = false,
        decode: (PositionalCells) throws -> T?
    ) throws -> [T] {
        var values: [T] = []
        try reader.rows(sql: sql, binds: binds, point: point) { row in
            guard row.count == columns.count else {
                throw StorageError.corruptRecord(table: table, column: "(\(row.count) columns read for \(columns.count))")
            }
            if let value = try decode(PositionalCells(raw: row, columns: columns, table: table)) { values.append(value) }
        }
        return values
    }

    /// Rows of `sql` on `store`'s bulk-read handle (`SQLiteRawReader`, a file database's) or, for an in-memory
    /// database that has none, on its only connection (the writer's): the same rows, decoded the same way, either way.
    ///
    /// A `point` read (one row by its key: a record by id, a token) runs on the calling task's own thread, with its
    /// statement kept prepared: the hop to SQLiteNIO's thread pool and back, two task switches per read, cost more
    /// than the read itself (without it, about 1.5× the audited GETs per second: BENCHMARKS.md "Audited GET: point
    /// reads on the caller's thread"). It never waits for a lock there: when another connection holds one, it runs
    /// again as a bulk read, on the pool.
    static func read<T: Sendable>(
        _ store: SQLiteStore, sql: String, binds: [String], columns: [Column], table: String, point: Bool = false,
        decode: @escaping @Sendable (PositionalCells) throws -> T?
    ) async throws -> [T] {
        if point {
            do {
                if let rows = try await store.withRawReaderHere({ reader in
                    try read(reader, sql: sql, binds: binds, columns: columns, table: table, point: true, decode: decode)
                }) {
                    return rows
                }
            } catch let error as SQLiteRawError where error == .busy {
                // Locked by another connection: wait for it as any read does, off this thread.
            }
        }
        if let rows = try await store.withRawReader({ reader in
            try read(reader, sql: sql, binds: binds, columns: columns, table: table, decode: decode)
        }) {
            return rows
        }
        return try await store.withWriterOutsideTransaction { writer in
            try await read(writer, sql: sql, binds: binds.map(SQLiteData.text), columns: columns, table: table, decode: decode)
        }
    }

    /// The stored value as the column's kind; a value that does not convert is a corrupt record.
    static func cell(_ data: SQLiteData, kind: ColumnKind, column: String, table: String) throws -> SQLCell {
        if case .null = data { return .null }
        let cell: SQLCell?
        switch kind {
        case .text, .json: cell = data.string.map(SQLCell.text)
        case .integer: cell = data.integer.map { .integer(Int($0)) }
        case .real: cell = data.double.map(SQLCell.real)
        case .boolean: cell = data.bool.map(SQLCell.boolean)
        }
        guard let cell else { throw StorageError.corruptRecord(table: table, column: column) }
        return cell
    }

    /// What the row callback gathers. The writer calls it on one thread, one row after the other, and the
    /// statement has finished before `read` looks at it.
    private final class Collected<T>: @unchecked Sendable {
        var values: [T] = []
        var error: (any Error)?
    }
}
