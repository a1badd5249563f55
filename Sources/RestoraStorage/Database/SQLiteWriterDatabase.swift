import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// The embedded database's writer as SQLKit sees it, plus the SQLiteNIO connection under it, so the record
/// store's hottest statements (a batch's multi-row INSERT … RETURNING, its audit rows, and the list reads inside a
/// write transaction) can bind values and read the returned rows by position instead of through SQLKit's
/// serializer, encoder and by-name decoder (`RecordStore.insertAll`, `RecordStore.sqliteRows`, `AuditWriter`;
/// BENCHMARKS.md "`restora import fhir`: inserts bound and read by position"). Everything else goes through
/// `base` unchanged, on the same connection, in the same transaction.
struct SQLiteWriterDatabase: SQLDatabase {
    let base: any SQLDatabase
    let connection: SQLiteConnection

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Runs `statement` (`?` placeholders, bound in order) and discards any rows.
    func run(_ statement: PositionalStatement) async throws {
        try await connection.query(statement.sql, statement.binds) { _ in }
    }
}

/// Statement text with a `?` for each bound value, and the values in order, as SQLiteNIO binds them.
struct PositionalStatement: Sendable {
    var sql: String
    var binds: [SQLiteData] = []

    init(_ sql: String) { self.sql = sql }

    mutating func append(_ text: String) { sql += text }

    /// Binds `cell` as SQLiteKit's encoder would (a Boolean as 1 or 0, a real as a float); NULL as a literal.
    mutating func append(_ cell: SQLCell) {
        switch cell {
        case .null: sql += "NULL"
        case let .text(v): bind(.text(v))
        case let .integer(v): bind(.integer(v))
        case let .real(v): bind(.float(v))
        case let .boolean(v): bind(.integer(v ? 1 : 0))
        }
    }

    private mutating func bind(_ data: SQLiteData) {
        sql += "?"
        binds.append(data)
    }
}
