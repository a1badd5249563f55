import Foundation
import RestoraDomain

/// Reads one row's cells for an explicit coder (`TableMapping.value(from:)`): each accessor names the table
/// and column in `StorageError.corruptRecord` when the stored value is missing, of the wrong type or does
/// not parse, so a bad row is reported where it is, never decoded into something else.
struct StoredCells {
    let cells: [String: SQLCell]
    let table: String

    func corrupt(_ column: String) -> StorageError { .corruptRecord(table: table, column: column) }

    /// A column that must be set: NULL is as corrupt as a value of the wrong type.
    private func required<V>(_ column: String, _ read: (String) throws -> V?) throws -> V {
        guard let v = try read(column) else { throw corrupt(column) }
        return v
    }

    func optionalText(_ column: String) throws -> String? {
        switch cells[column] ?? .null {
        case .null: return nil
        case let .text(v): return v
        default: throw corrupt(column)
        }
    }

    func text(_ column: String) throws -> String { try required(column, optionalText) }

    func optionalDouble(_ column: String) throws -> Double? {
        switch cells[column] ?? .null {
        case .null: return nil
        case let .real(v): return v
        case let .integer(v): return Double(v)
        default: throw corrupt(column)
        }
    }

    func double(_ column: String) throws -> Double { try required(column, optionalDouble) }

    func optionalInteger(_ column: String) throws -> Int? {
        switch cells[column] ?? .null {
        case .null: return nil
        case let .integer(v): return v
        default: throw corrupt(column)
        }
    }

    func integer(_ column: String) throws -> Int { try required(column, optionalInteger) }

    func optionalBool(_ column: String) throws -> Bool? {
        switch cells[column] ?? .null {
        case .null: return nil
        case let .boolean(v): return v
        case let .integer(v) where v == 0 || v == 1: return v == 1
        default: throw corrupt(column)
        }
    }

    func bool(_ column: String) throws -> Bool { try required(column, optionalBool) }

    /// A value of a String-backed enumeration (a CHECK keeps other text out; a row written around it is corrupt).
    func optionalEnum<E: RawRepresentable>(_ column: String, as: E.Type = E.self) throws -> E? where E.RawValue == String {
        guard let raw = try optionalText(column) else { return nil }
        guard let v = E(rawValue: raw) else { throw corrupt(column) }
        return v
    }

    func enumValue<E: RawRepresentable>(_ column: String, as: E.Type = E.self) throws -> E where E.RawValue == String {
        try required(column) { try optionalEnum($0, as: E.self) }
    }

    func optionalID<E>(_ column: String, of: E.Type = E.self) throws -> Identifier<E>? {
        try optionalText(column).map { Identifier($0) }
    }

    func id<E>(_ column: String, of: E.Type = E.self) throws -> Identifier<E> {
        Identifier(try text(column))
    }

    /// An instant stored as ISO 8601 text (`StoredJSON.format`).
    func optionalInstant(_ column: String) throws -> Date? {
        guard let text = try optionalText(column) else { return nil }
        guard let date = StoredJSON.parse(text) else { throw corrupt(column) }
        return date
    }

    func instant(_ column: String) throws -> Date { try required(column, optionalInstant) }

    func optionalDate(_ column: String) throws -> CalendarDate? {
        guard let text = try optionalText(column) else { return nil }
        guard let date = CalendarDate(text) else { throw corrupt(column) }
        return date
    }

    func date(_ column: String) throws -> CalendarDate { try required(column, optionalDate) }

    /// Nested detail that stays JSON text (lists, sub-objects that are not clinical values).
    func optionalJSON<V: Decodable>(_ column: String, as: V.Type = V.self) throws -> V? {
        guard let text = try optionalText(column) else { return nil }
        do {
            return try StoredJSON.decoder().decode(V.self, from: Data(text.utf8))
        } catch {
            throw corrupt(column)
        }
    }

    func json<V: Decodable>(_ column: String, as: V.Type = V.self) throws -> V {
        try required(column) { try optionalJSON($0, as: V.self) }
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
