import SQLiteKit

/// The list reads on SQLite, run on a file database's bulk-read handle (an in-memory one's writer handle)
/// and read by position as SQLite steps to each row (`SQLiteRowsByPosition`): the same statement `rows(_:_:)` builds (the mapping's columns and the
/// bookkeeping, live rows, created then id), without SQLKit's row, whose every cell went through a Codable
/// decoder looked up by column name (issue #18: the adverse events' and visits' rows of each export chunk;
/// every list of one participant's records is the same read). Each value converts exactly as SQLiteKit's
/// decoder converts it, so a row decodes to the same `StoredRow` either way (tested per mapping). Inside a write
/// transaction (`TransactionBoundStore`) on SQLite the statement runs on the writer's own connection, so it sees
/// the transaction's writes; on PostgreSQL reads go through SQLKit.
extension RecordStore {
    /// `M.columns` then the bookkeeping, in `selectList` order, with the kinds the by-name read uses.
    static var positionalColumns: [Column] {
        M.columns + [Column("version", .integer), Column("created_at"), Column("updated_at")]
    }

    /// The rows `where` (SQL over the table's own columns, with `?` for each of `binds`) selects, when the store
    /// is SQLite's; nil on any other store (the caller reads through SQLKit).
    func sqliteRows(where condition: String, binds: [String]) async throws -> [StoredRow]? {
        let columns = Self.positionalColumns
        let idPosition = PositionalCells.position(of: "id", in: M.columns)
        let sql = "SELECT \(Self.selectList) FROM \(PrebuiltSQL.quoted(M.table)) WHERE \"deleted_at\" IS NULL AND \(condition)"
            + " ORDER BY \"created_at\" ASC, \"id\" ASC"
        let decode: @Sendable (PositionalCells) throws -> StoredRow? = { cells in try Self.storedRow(cells, idPosition: idPosition) }
        if let sqlite = store as? SQLiteStore {
            return try await SQLiteRowsByPosition.read(sqlite, sql: sql, binds: binds, columns: columns, table: M.table, decode: decode)
        }
        // Inside a write transaction on the SQLite writer: the same statement on the transaction's own
        // connection, so it sees the transaction's writes (`SQLiteWriterDatabase`).
        if let bound = store as? TransactionBoundStore, let writer = bound.db as? SQLiteWriterDatabase {
            return try await SQLiteRowsByPosition.read(writer.handle, sql: sql, binds: binds.map(SQLiteData.text), columns: columns,
                                                       table: M.table, decode: decode)
        }
        return nil
    }

    /// The row's cells by name for the mapping's coder, and its bookkeeping, from a row in `positionalColumns` order.
    static func storedRow(_ row: PositionalCells, idPosition: Int) throws -> StoredRow {
        let count = M.columns.count
        return StoredRow(
            id: try row.text(idPosition), cells: try namedCells(row),
            version: try row.integer(count), createdAt: try row.text(count + 1), updatedAt: try row.text(count + 2))
    }

    /// The mapping's cells by name (what `M.value(from:)` reads) from a row whose first columns are `M.columns`.
    static func namedCells(_ row: PositionalCells) throws -> [String: SQLCell] {
        var cells: [String: SQLCell] = Dictionary(minimumCapacity: M.columns.count)
        for (position, column) in M.columns.enumerated() {
            cells[column.name] = try row.cell(position)
        }
        return cells
    }

    /// `"column" IN (?, ?, …)` with one `?` per value.
    static func inList(_ column: String, count: Int) -> String {
        "\(PrebuiltSQL.quoted(column)) IN \(PrebuiltSQL.placeholders(count))"
    }
}
