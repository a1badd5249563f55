import Foundation
import RestoraDomain
import SQLKit

/// Create, read, update and soft-delete for one mapped table, each write in one transaction together with
/// its audit entry. Repositories are thin wrappers over this.
struct RecordStore<M: TableMapping>: Sendable {
    let store: any SQLStore
    let audit: AuditWriter

    static var bookkeeping: [String] { ["version", "created_at", "updated_at"] }

    /// What a read selects and a write returns (`id` first): the mapping's columns and the bookkeeping.
    static var storedColumns: [any SQLExpression] { (M.columns.map(\.name) + bookkeeping).map { SQLIdentifier($0) } }

    /// The same columns as one quoted list (`PrebuiltSQL`), for the statements every record write and read runs:
    /// written once per mapping (writing it at every statement was 2 % of a seed).
    static var selectList: String {
        PrebuiltSQL.perMapping(M.self) { PrebuiltSQL.list(M.columns.map(\.name) + bookkeeping) }
    }

    func cells(of value: M.Value) throws -> [String: SQLCell] {
        try M.cells(of: value)
    }

    func decode(_ row: StoredRow) throws -> Versioned<M.Value> {
        let value = try M.value(from: row.cells)
        guard let created = StoredJSON.parse(row.createdAt), let updated = StoredJSON.parse(row.updatedAt) else {
            throw StorageError.corruptRecord(table: M.table, column: "created_at")
        }
        return Versioned(value: value, version: row.version, createdAt: created, updatedAt: updated)
    }

    // MARK: reads

    /// One row by id: statement text without SQLKit's builder (it runs for every record read or written).
    func fetch(_ db: any SQLDatabase, id: String) async throws -> StoredRow? {
        let sql: SQLQueryString = """
            SELECT \(unsafeRaw: Self.selectList) FROM \(unsafeRaw: PrebuiltSQL.quoted(M.table)) WHERE "deleted_at" IS NULL AND "id" = \(bind: id)
            """
        return try await db.raw(sql).first().map(storedRow)
    }

    /// `fetch`'s statement with a `?` for the id.
    static var getSQL: String {
        "SELECT \(selectList) FROM \(PrebuiltSQL.quoted(M.table)) WHERE \"deleted_at\" IS NULL AND \"id\" = ?"
    }

    func rows(
        _ db: any SQLDatabase, orderBy: String = "created_at",
        _ filter: (SQLSelectBuilder) -> SQLSelectBuilder
    ) async throws -> [StoredRow] {
        let query = db.select().column(SQLRaw(Self.selectList)).from(M.table)
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
        let rows = try await filter(query).orderBy(orderBy).orderBy("id").all()
        return try rows.map(storedRow)
    }

    /// `rows(_:_:)` with its condition as statement text (`"column" = ?`, binds inside; nil: every live row), the
    /// same statement without SQLKit's builder quoting every identifier: the reads each write transaction runs.
    func rows(_ db: any SQLDatabase, where condition: SQLQueryString?) async throws -> [StoredRow] {
        var sql = SQLQueryString("SELECT \(Self.selectList) FROM \(PrebuiltSQL.quoted(M.table)) WHERE \"deleted_at\" IS NULL")
        if let condition {
            sql.appendLiteral(" AND ")
            sql += condition
        }
        sql.appendLiteral(#" ORDER BY "created_at" ASC, "id" ASC"#)
        return try await db.raw(sql).all().map(storedRow)
    }

    /// `"column" = ?` with `value` bound.
    static func equals(_ column: String, _ value: String) -> SQLQueryString {
        "\(unsafeRaw: PrebuiltSQL.quoted(column)) = \(bind: value)"
    }

    /// `"column" IN (?, …)` with `values` bound.
    static func isIn(_ column: String, _ values: [String]) -> SQLQueryString {
        "\(unsafeRaw: PrebuiltSQL.quoted(column)) IN (\(binds: values))"
    }

    func storedRow(_ row: any SQLRow) throws -> StoredRow {
        var cells: [String: SQLCell] = [:]
        for column in M.columns {
            cells[column.name] = try SQLCell.read(row, column: column.name, kind: column.kind)
        }
        return StoredRow(
            id: try row.decode(column: "id", as: String.self), cells: cells,
            version: try row.decode(column: "version", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self))
    }

    func get(id: String) async throws -> Versioned<M.Value> {
        let row: StoredRow?
        if let sqlite = store as? SQLiteStore {
            // Every record page and API read runs this: by position, its statement prepared once per reader.
            let idPosition = PositionalCells.position(of: "id", in: M.columns)
            row = try await SQLiteRowsByPosition.read(
                sqlite, sql: Self.getSQL, binds: [id], columns: Self.positionalColumns, table: M.table, point: true
            ) { cells in try Self.storedRow(cells, idPosition: idPosition) }.first
        } else {
            row = try await store.readStatement { db in try await fetch(db, id: id) }
        }
        guard let row else { throw RepositoryError.notFound(kind: M.kind, id: id) }
        return try decode(row)
    }

    func list(where column: String, equals value: String) async throws -> [Versioned<M.Value>] {
        if let rows = try await sqliteRows(where: "\(PrebuiltSQL.quoted(column)) = ?", binds: [value]) { return try rows.map(decode) }
        return try await store.read { db in try await rows(db, where: Self.equals(column, value)) }
            .map(decode)
    }

    /// Rows matching every `column = value` pair (e.g. one participant's values of one test).
    func list(matching pairs: [(column: String, value: String)]) async throws -> [Versioned<M.Value>] {
        let condition = pairs.map { Self.equals($0.column, $0.value) }.joined(separator: " AND ")
        return try await store.read { db in try await rows(db, where: pairs.isEmpty ? nil : condition) }.map(decode)
    }

    /// Rows whose `column` is any of `values`, in chunks of `IN` lists (SQLite allows 32,766 bound parameters,
    /// PostgreSQL 65,535; 500 per statement stays far below both). One statement per chunk, never one per value.
    func list(where column: String, in values: [String], chunkSize: Int = 500) async throws -> [Versioned<M.Value>] {
        let unique = Array(Set(values)).sorted()
        guard !unique.isEmpty else { return [] }
        let chunks = stride(from: 0, to: unique.count, by: chunkSize).map { Array(unique[$0..<min($0 + chunkSize, unique.count)]) }
        var found: [StoredRow] = []
        for chunk in chunks {
            if let rows = try await sqliteRows(where: Self.inList(column, count: chunk.count), binds: chunk) {
                if found.isEmpty { found = rows } else { found += rows }
                continue
            }
            found += try await store.read { db in
                try await rows(db, where: Self.isIn(column, chunk))
            }
        }
        return try found.map(decode)
    }

    func listAll() async throws -> [Versioned<M.Value>] {
        try await store.read { db in try await rows(db, where: nil) }.map(decode)
    }
}
