import Foundation
import RestoraDomain
import SQLiteKit

/// Typed reads of one row's cells for an explicit coder (`TableMapping.value(from:)`): each accessor names the
/// table and column in `StorageError.corruptRecord` when the stored value is missing, of the wrong type or does
/// not parse, so a bad row is reported where it is, never decoded into something else. The cells are found by
/// column name (`StoredCells`) or by position in the mapping's column order (`PositionalCells`, for the bulk
/// reads that skip the name lookups); the rules below are the same for both.
protocol CellAccess {
    associatedtype Key
    var table: String { get }
    /// The cell at `key` (NULL when the row has no such column); throws when the stored value cannot be one.
    func cell(_ key: Key) throws -> SQLCell
    /// The column's name, for the error message.
    func columnName(_ key: Key) -> String
}

extension CellAccess {
    func corrupt(_ key: Key) -> StorageError { .corruptRecord(table: table, column: columnName(key)) }

    /// A column that must be set: NULL is as corrupt as a value of the wrong type.
    private func required<V>(_ key: Key, _ read: (Key) throws -> V?) throws -> V {
        guard let v = try read(key) else { throw corrupt(key) }
        return v
    }

    func optionalText(_ key: Key) throws -> String? {
        switch try cell(key) {
        case .null: return nil
        case let .text(v): return v
        default: throw corrupt(key)
        }
    }

    func text(_ key: Key) throws -> String { try required(key, optionalText) }

    func optionalDouble(_ key: Key) throws -> Double? {
        switch try cell(key) {
        case .null: return nil
        case let .real(v): return v
        case let .integer(v): return Double(v)
        default: throw corrupt(key)
        }
    }

    func double(_ key: Key) throws -> Double { try required(key, optionalDouble) }

    func optionalInteger(_ key: Key) throws -> Int? {
        switch try cell(key) {
        case .null: return nil
        case let .integer(v): return v
        default: throw corrupt(key)
        }
    }

    func integer(_ key: Key) throws -> Int { try required(key, optionalInteger) }

    func optionalBool(_ key: Key) throws -> Bool? {
        switch try cell(key) {
        case .null: return nil
        case let .boolean(v): return v
        case let .integer(v) where v == 0 || v == 1: return v == 1
        default: throw corrupt(key)
        }
    }

    func bool(_ key: Key) throws -> Bool { try required(key, optionalBool) }

    /// A value of a String-backed enumeration (a CHECK keeps other text out; a row written around it is corrupt).
    func optionalEnum<E: RawRepresentable>(_ key: Key, as: E.Type = E.self) throws -> E? where E.RawValue == String {
        guard let raw = try optionalText(key) else { return nil }
        guard let v = E(rawValue: raw) else { throw corrupt(key) }
        return v
    }

    func enumValue<E: RawRepresentable>(_ key: Key, as: E.Type = E.self) throws -> E where E.RawValue == String {
        try required(key) { try optionalEnum($0, as: E.self) }
    }

    func optionalID<E>(_ key: Key, of: E.Type = E.self) throws -> Identifier<E>? {
        try optionalText(key).map { Identifier($0) }
    }

    func id<E>(_ key: Key, of: E.Type = E.self) throws -> Identifier<E> {
        Identifier(try text(key))
    }

    /// An instant stored as ISO 8601 text (`StoredJSON.format`).
    func optionalInstant(_ key: Key) throws -> Date? {
        guard let text = try optionalText(key) else { return nil }
        guard let date = StoredJSON.parse(text) else { throw corrupt(key) }
        return date
    }

    func instant(_ key: Key) throws -> Date { try required(key, optionalInstant) }

    func optionalDate(_ key: Key) throws -> CalendarDate? {
        guard let text = try optionalText(key) else { return nil }
        guard let date = CalendarDate(text) else { throw corrupt(key) }
        return date
    }

    func date(_ key: Key) throws -> CalendarDate { try required(key, optionalDate) }

    /// Nested detail that stays JSON text (lists, sub-objects that are not clinical values).
    func optionalJSON<V: Decodable>(_ key: Key, as: V.Type = V.self) throws -> V? {
        guard let text = try optionalText(key) else { return nil }
        do {
            return try StoredJSON.decoder().decode(V.self, from: Data(text.utf8))
        } catch {
            throw corrupt(key)
        }
    }

    func json<V: Decodable>(_ key: Key, as: V.Type = V.self) throws -> V {
        try required(key) { try optionalJSON($0, as: V.self) }
    }
}

/// One row's cells by column name.
struct StoredCells: CellAccess {
    let cells: [String: SQLCell]
    let table: String

    func cell(_ column: String) throws -> SQLCell { cells[column] ?? .null }
    func columnName(_ column: String) -> String { column }
}

/// One row's cells by position: the value at `i` is that of `columns[i]` (a mapping's `columns`, in order),
/// given as cells or as the row of an SQLite statement, converted cell by cell as the decoder reads it
/// (`SQLiteRowsByPosition`; no array of cells is built per row).
struct PositionalCells: CellAccess {
    private enum Values {
        case cells([SQLCell])
        case raw(SQLiteRawRow)
    }

    private let values: Values
    let columns: [Column]
    let table: String

    func cell(_ position: Int) throws -> SQLCell {
        guard position < columns.count else { return .null }
        switch values {
        case .cells(let cells):
            return position < cells.count ? cells[position] : .null
        case .raw(let row):
            guard position < row.count else { return .null }
            return try SQLiteRowsByPosition.cell(try row.data(at: position), kind: columns[position].kind,
                                                 column: columns[position].name, table: table)
        }
    }

    func columnName(_ position: Int) -> String { position < columns.count ? columns[position].name : "#\(position)" }

    /// The same row read by name (the cells of every column of `columns`, NULL where absent).
    init(_ named: [String: SQLCell], columns: [Column], table: String) {
        self.init(cells: columns.map { named[$0.name] ?? .null }, columns: columns, table: table)
    }

    init(cells: [SQLCell], columns: [Column], table: String) {
        values = .cells(cells)
        self.columns = columns
        self.table = table
    }

    /// The row a statement of a reader's or the writer's handle is on (`SQLiteRawReader`, `SQLiteWriterHandle`), whose columns are `columns`, in order; only
    /// valid while the statement is on it.
    init(raw row: SQLiteRawRow, columns: [Column], table: String) {
        values = .raw(row)
        self.columns = columns
        self.table = table
    }

    /// The position of `name` in `columns` (looked up once per mapping, never per row).
    static func position(of name: String, in columns: [Column]) -> Int {
        guard let index = columns.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("no column \(name) in the mapping")
        }
        return index
    }
}

/// Builds one row's cells for an explicit coder (`TableMapping.cells(of:)`).
enum Cell {
    static func text(_ v: String?) -> SQLCell { v.map(SQLCell.text) ?? .null }
    static func real(_ v: Double?) -> SQLCell { v.map(SQLCell.real) ?? .null }
    static func integer(_ v: Int?) -> SQLCell { v.map(SQLCell.integer) ?? .null }
    static func boolean(_ v: Bool?) -> SQLCell { v.map(SQLCell.boolean) ?? .null }
    static func id<E>(_ v: Identifier<E>?) -> SQLCell { text(v?.rawValue) }
    static func instant(_ v: Date?) -> SQLCell { text(v.map(StoredJSON.format)) }
    static func date(_ v: CalendarDate?) -> SQLCell { text(v?.description) }
    static func enumValue<E: RawRepresentable>(_ v: E?) -> SQLCell where E.RawValue == String { text(v?.rawValue) }

    /// Nested detail kept as canonical JSON text (sorted keys), the same text the JSON coder wrote.
    static func json<V: Encodable>(_ v: V?) throws -> SQLCell {
        guard let v else { return .null }
        return .text(String(decoding: try StoredJSON.encoder().encode(v), as: UTF8.self))
    }
}
