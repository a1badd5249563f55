import VaporCSQLite

/// A prepared statement's column names, by position and by name (the first column of a name wins, as in
/// SQLiteNIO), read at the statement's first row and kept with it. The writer keeps its statements
/// (`SQLiteWriterHandle`), so a kept statement's names are read once, not at every run: building the name table
/// at each run cost 4 % of a seed. SQLite prepares a statement again when the schema changes (a migration), and a
/// `SELECT *` may then return other columns, so the table is read again whenever SQLite says it prepared the
/// statement again (`SQLITE_STMTSTATUS_REPREPARE`) or the column count changed. A row keeps the table it was
/// read with (`Table` never changes once made).
final class ColumnNames: @unchecked Sendable {
    final class Table: Sendable {
        let all: [String]
        let positions: [String: Int]

        init(_ all: [String]) {
            self.all = all
            var positions: [String: Int] = [:]
            positions.reserveCapacity(all.count)
            for (position, name) in all.enumerated() where positions[name] == nil { positions[name] = position }
            self.positions = positions
        }
    }

    private var table: Table?
    private var preparedAgain: Int32 = 0

    /// The table of `row`'s statement: the kept one, or read now when there is none or the statement changed.
    /// Called only by the statement's one current user (a kept statement is checked out while it runs).
    func table(for row: SQLiteRawRow) -> Table {
        let reprepares = sqlite_nio_sqlite3_stmt_status(row.statement, SQLITE_STMTSTATUS_REPREPARE, 0)
        if let table, reprepares == preparedAgain, table.all.count == row.count { return table }
        let fresh = Table((0..<row.count).map { row.name(at: $0) })
        table = fresh
        preparedAgain = reprepares
        return fresh
    }
}
