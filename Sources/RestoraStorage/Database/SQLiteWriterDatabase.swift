import Logging
import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

/// The embedded database's writer as SQLKit sees it: every statement runs on the writer's own handle
/// (`SQLiteWriterHandle`: inside a transaction on the calling thread, its prepared statement kept). SQLKit's
/// statements are serialized with SQLite's dialect and their values encoded as SQLiteKit encodes them, and their
/// rows decoded as SQLiteKit decodes them (`SQLiteWriterRow`), so a statement gives the same rows either way. The
/// record store's hottest statements (a batch's multi-row INSERT … RETURNING, its audit rows, the list reads inside
/// a write transaction) bind values and read the returned rows by position instead (`RecordStore.insertAll`,
/// `RecordStore.sqliteRows`, `AuditWriter`; BENCHMARKS.md "`restora import fhir`: inserts bound and read by position").
struct SQLiteWriterDatabase: SQLDatabase {
    let handle: SQLiteWriterHandle
    let logger: Logger
    let eventLoop: any EventLoop
    var version: (any SQLDatabaseReportedVersion)? { SQLiteLibraryVersion() }
    var dialect: any SQLDialect { SQLiteDialect() }
    /// No statement logging at all (it carries bind values); `logger` is clamped too (DriverLogger).
    var queryLogLevel: Logger.Level? { nil }

    private static let encoder = SQLiteDataEncoder()

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, values) = serialize(query)
        let binds = try values.map { try Self.encoder.encode($0) }
        try await handle.run(sql, binds) { row in onRow(try SQLiteWriterRow(row)) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Runs `statement` (`?` placeholders, bound in order) and discards any rows.
    func run(_ statement: PositionalStatement) async throws {
        try await handle.run(statement.sql, statement.binds) { _ in }
    }
}

extension SQLDatabase {
    /// Runs a statement of fixed text with no binds (`SAVEPOINT`, `BEGIN`, `COMMIT` …): on the embedded writer
    /// straight to its handle, without SQLKit serializing the text (savepoints alone are a third of a seed's
    /// statements); on any other database as `raw(…).run()`.
    func runFixed(_ sql: String) async throws {
        if let writer = self as? SQLiteWriterDatabase {
            try await writer.run(PositionalStatement(sql))
        } else {
            try await raw(SQLQueryString(sql)).run()
        }
    }
}

/// A row of the writer as SQLKit reads it: the cells as SQLiteNIO would have made them (`SQLiteRawRow.data(at:)`),
/// looked up by name (the first column of a name wins, as in SQLiteNIO) and decoded by SQLiteKit's decoder.
struct SQLiteWriterRow: SQLRow {
    private static let decoder = SQLiteDataDecoder()
    private let names: ColumnNames.Table
    private let values: [SQLiteData]

    init(_ row: SQLiteRawRow) throws {
        names = row.names.table(for: row)
        values = try (0..<row.count).map { try row.data(at: $0) }
    }

    var allColumns: [String] { names.all }

    func contains(column: String) -> Bool { names.positions[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let position = names.positions[column] else { return true }
        return values[position] == .null
    }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let position = names.positions[column] else { throw MissingWriterColumn(column: column) }
        let data = values[position]
        if let value = try SQLiteScalar.decode(D.self, from: data) { return value }
        return try Self.decoder.decode(D.self, from: data)
    }
}

/// SQLiteKit's decoding of the four scalar types (and their optionals) that records read for nearly every column,
/// without its dynamic cast to `SQLiteDataConvertible` and, for an optional, the decoder object it allocates. The
/// conversions are SQLiteNIO's own `init?(sqliteData:)`, and a value they refuse gets SQLiteKit's error, so the
/// answer is the decoder's; any other type returns nil and goes to the decoder.
enum SQLiteScalar {
    static func decode<D>(_ type: D.Type, from data: SQLiteData) throws -> D? {
        switch ObjectIdentifier(type) {
        case ObjectIdentifier(String.self): return cast(try convert(String.self, data), to: type)
        case ObjectIdentifier(Int.self): return cast(try convert(Int.self, data), to: type)
        case ObjectIdentifier(Double.self): return cast(try convert(Double.self, data), to: type)
        case ObjectIdentifier(Bool.self): return cast(try convert(Bool.self, data), to: type)
        case ObjectIdentifier(String?.self): return cast(data == .null ? nil : try convert(String.self, data), to: type)
        case ObjectIdentifier(Int?.self): return cast(data == .null ? nil : try convert(Int.self, data), to: type)
        case ObjectIdentifier(Double?.self): return cast(data == .null ? nil : try convert(Double.self, data), to: type)
        case ObjectIdentifier(Bool?.self): return cast(data == .null ? nil : try convert(Bool.self, data), to: type)
        default: return nil
        }
    }

    private static func convert<T: SQLiteDataConvertible>(_ type: T.Type, _ data: SQLiteData) throws -> T {
        guard let value = T(sqliteData: data) else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "Could not convert SQLite data to \(T.self): \(data)."))
        }
        return value
    }

    /// `value` as `D`, which the caller has checked is its very type.
    private static func cast<T, D>(_ value: T, to: D.Type) -> D { unsafeBitCast(value, to: D.self) }
}

/// A column asked of a writer row that the statement does not return.
struct MissingWriterColumn: Error, CustomStringConvertible {
    let column: String
    var description: String { "no column \(column) in the row" }
}

/// The SQLite library's version, as SQLiteKit reports it for its own connections.
struct SQLiteLibraryVersion: SQLDatabaseReportedVersion {
    var intValue: Int { Int(sqlite_nio_sqlite3_libversion_number()) }
    var stringValue: String { String(cString: sqlite_nio_sqlite3_libversion()) }

    func isEqual(to otherVersion: any SQLDatabaseReportedVersion) -> Bool {
        (otherVersion as? Self).map { $0.intValue == intValue } ?? false
    }

    func isOlder(than otherVersion: any SQLDatabaseReportedVersion) -> Bool {
        (otherVersion as? Self).map { intValue < $0.intValue } ?? false
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
