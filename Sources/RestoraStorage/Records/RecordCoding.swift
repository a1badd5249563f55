/// Splits an aggregate into column cells and joins cells back into the aggregate, through its Codable
/// form. One generic path for every table keeps the per-aggregate code to a column list.
enum RecordCoding {
    static func cells<V: Encodable>(of value: V, columns: [Column], table: String) throws -> [String: SQLCell] {
        let tree = try StoredJSON.decoder().decode(JSONValue.self, from: StoredJSON.encoder().encode(value))
        var cells: [String: SQLCell] = [:]
        for column in columns {
            cells[column.name] = try cell(tree[column.path[...]], kind: column.kind, table: table, column: column.name)
        }
        return cells
    }

    static func value<V: Decodable>(_ type: V.Type, from cells: [String: SQLCell], columns: [Column], table: String) throws -> V {
        var tree = JSONValue.object([:])
        for column in columns {
            let json = try self.json(cells[column.name] ?? .null, kind: column.kind, table: table, column: column.name)
            tree.set(json, at: column.path[...])
        }
        do {
            return try StoredJSON.decoder().decode(V.self, from: StoredJSON.encoder().encode(tree))
        } catch {
            throw StorageError.corruptRecord(table: table, column: "*")
        }
    }

    private static func cell(_ value: JSONValue, kind: ColumnKind, table: String, column: String) throws -> SQLCell {
        switch (kind, value) {
        case (_, .null): return .null
        case (.json, _): return .text(try StoredJSON.text(value))
        case let (.text, .string(v)): return .text(v)
        case let (.integer, .int(v)): return .integer(v)
        case let (.real, .int(v)): return .real(Double(v))
        case let (.real, .double(v)): return .real(v)
        case let (.boolean, .bool(v)): return .boolean(v)
        default: throw StorageError.corruptRecord(table: table, column: column)
        }
    }

    private static func json(_ cell: SQLCell, kind: ColumnKind, table: String, column: String) throws -> JSONValue {
        switch (kind, cell) {
        case (_, .null): return .null
        case let (.json, .text(v)):
            do { return try StoredJSON.tree(v) } catch { throw StorageError.corruptRecord(table: table, column: column) }
        case let (_, .text(v)): return .string(v)
        case let (_, .integer(v)): return kind == .real ? .double(Double(v)) : .int(v)
        case let (_, .real(v)): return .double(v)
        case let (_, .boolean(v)): return .bool(v)
        }
    }
}
