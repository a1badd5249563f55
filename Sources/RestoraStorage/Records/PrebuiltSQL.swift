import SQLKit
import Synchronization

/// Statement text for the record store's hot statements, written as plain text with binds instead of
/// through SQLKit's builders: the builders quote every identifier on every statement (`SQLIdentifier`
/// escapes through `String.replacing`, ≈ 9 % of the seeding CPU in a release profile). Our table and column
/// names are fixed lower-case identifiers from the mappings, so quoting them once with `"` is what both
/// SQLite and PostgreSQL expect. Values are always binds (NULL as the literal, as `SQLCell.expression` does).
enum PrebuiltSQL {
    static func quoted(_ name: String) -> String { "\"\(name)\"" }

    /// `"a", "b", …`, written into one string (no string per name).
    static func list(_ names: [String]) -> String {
        var text = ""
        text.reserveCapacity(names.reduce(0) { $0 + $1.utf8.count + 4 })
        for (index, name) in names.enumerated() {
            if index > 0 { text += ", " }
            text += "\""
            text += name
            text += "\""
        }
        return text
    }

    /// Text that depends only on a mapping type, written by `make` the first time that type asks.
    static func perMapping(_ type: Any.Type, _ make: () -> String) -> String {
        let key = ObjectIdentifier(type)
        if let known = byMapping.withLock({ $0[key] }) { return known }
        let text = make()
        byMapping.withLock { $0[key] = text }
        return text
    }

    private static let byMapping = Mutex<[ObjectIdentifier: String]>([:])

    /// `(?, ?, …)`: one placeholder per bound value, for an `IN` list read on SQLiteNIO (binds by position).
    static func placeholders(_ count: Int) -> String { "(" + Array(repeating: "?", count: count).joined(separator: ", ") + ")" }

    static func append(_ cell: SQLCell, to sql: inout SQLQueryString) {
        switch cell {
        case .null: sql.appendLiteral("NULL")
        case let .text(v): sql.appendInterpolation(bind: v)
        case let .integer(v): sql.appendInterpolation(bind: v)
        case let .real(v): sql.appendInterpolation(bind: v)
        case let .boolean(v): sql.appendInterpolation(bind: v)
        }
    }

    /// `SELECT columns FROM table WHERE column IN (values…) then`, the values bound: what
    /// `db.select().columns(…).from(table).where(column, .in, values)` writes, without quoting on every call.
    /// `then` continues the statement (more conditions, `ORDER BY`…), as plain text.
    static func select(_ columns: [String], from table: String, where column: String, in values: [String], then: String = "") -> SQLQueryString {
        var sql = SQLQueryString("SELECT \(list(columns)) FROM \(quoted(table)) WHERE \(quoted(column)) IN (")
        sql.appendInterpolation(binds: values)
        sql.appendLiteral(then.isEmpty ? ")" : ") " + then)
        return sql
    }

    /// `INSERT INTO table (names…) VALUES (…) RETURNING returning` (one row).
    static func insert(into table: String, cells: [String: SQLCell], returning: String) -> SQLQueryString {
        inserts(into: table, rows: [cells], returning: returning)[0]
    }

    /// Values bound per statement at most: SQLite allows 32,766 bound parameters, PostgreSQL 65,535.
    static let maxBinds = 30_000

    /// `INSERT INTO table (names…) VALUES (…), (…) … RETURNING returning`: rows with the same columns share a
    /// statement (as many as `maxBinds` allows), in the order given.
    static func inserts(into table: String, rows: [[String: SQLCell]], returning: String) -> [SQLQueryString] {
        inserts(into: table, rows: rows, returning: returning, as: SQLQueryString.self)
    }

    /// The same statements as `inserts(into:rows:returning:)`, written as `S` (SQLKit's query string, or the
    /// SQLite writer's positional statement).
    static func inserts<S: StatementText>(into table: String, rows: [[String: SQLCell]], returning: String, as _: S.Type) -> [S] {
        var groups: [(names: [String], rows: [[String: SQLCell]])] = []
        for row in rows {
            // A batch's rows nearly always share their columns: a row joins the group whose names are exactly
            // its keys (same count, each present), so only a new set of columns is sorted.
            if let index = groups.firstIndex(where: { $0.names.count == row.count && $0.names.allSatisfy { row[$0] != nil } }) {
                groups[index].rows.append(row)
            } else {
                groups.append((row.keys.sorted(), [row]))
            }
        }
        var statements: [S] = []
        for group in groups {
            let perStatement = max(1, maxBinds / max(1, group.names.count))
            for start in stride(from: 0, to: group.rows.count, by: perStatement) {
                var sql = S("INSERT INTO \(quoted(table)) (\(list(group.names))) VALUES ")
                for (n, row) in group.rows[start..<min(start + perStatement, group.rows.count)].enumerated() {
                    sql.append(n == 0 ? "(" : ", (")
                    for (index, name) in group.names.enumerated() {
                        if index > 0 { sql.append(", ") }
                        sql.append(row[name] ?? .null)
                    }
                    sql.append(")")
                }
                sql.append(" RETURNING \(returning)")
                statements.append(sql)
            }
        }
        return statements
    }

    /// `UPDATE table SET … WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING returning…, then`.
    static func update(
        _ table: String, set cells: [String: SQLCell], id: String, version: Int, returning: [any SQLExpression], then: String
    ) -> SQLQueryString {
        var sql = SQLQueryString("UPDATE \(quoted(table)) SET ")
        for (index, name) in cells.keys.sorted().enumerated() {
            sql.appendLiteral(index > 0 ? ", \(quoted(name)) = " : "\(quoted(name)) = ")
            append(cells[name] ?? .null, to: &sql)
        }
        sql.appendLiteral(" WHERE \"id\" = ")
        sql.appendInterpolation(bind: id)
        sql.appendLiteral(" AND \"version\" = ")
        sql.appendInterpolation(bind: version)
        sql.appendLiteral(" AND \"deleted_at\" IS NULL RETURNING ")
        for expression in returning {
            sql.appendInterpolation(expression)
            sql.appendLiteral(", ")
        }
        sql.appendLiteral(then)
        return sql
    }
}

/// Statement text being written with its bound values: SQLKit's `SQLQueryString` (any engine) or the SQLite
/// writer's `PositionalStatement`.
protocol StatementText {
    init(_ sql: String)
    mutating func append(_ text: String)
    mutating func append(_ cell: SQLCell)
}

extension SQLQueryString: StatementText {
    mutating func append(_ text: String) { appendLiteral(text) }
    mutating func append(_ cell: SQLCell) { PrebuiltSQL.append(cell, to: &self) }
}

extension PositionalStatement: StatementText {}
