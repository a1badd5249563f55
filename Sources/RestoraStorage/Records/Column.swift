import SQLKit

/// How a column is stored. `json` holds nested detail (lists, sub-objects) as canonical JSON text.
enum ColumnKind: Sendable {
    case text, integer, real, boolean, json
}

/// One column of an aggregate's table and where its value sits in the aggregate's Codable form.
struct Column: Sendable {
    var name: String
    var path: [String]
    var kind: ColumnKind

    init(_ name: String, _ kind: ColumnKind = .text, path: String? = nil) {
        self.name = name
        self.kind = kind
        self.path = (path ?? name).split(separator: ".").map(String.init)
    }
}

/// One stored cell value. Binding NULL as a literal (not a typed bind) keeps PostgreSQL from guessing a
/// parameter type that does not match the column.
enum SQLCell: Hashable, Sendable {
    case null
    case text(String)
    case integer(Int)
    case real(Double)
    case boolean(Bool)

    var expression: any SQLExpression {
        switch self {
        case .null: return SQLLiteral.null
        case let .text(v): return SQLBind(v)
        case let .integer(v): return SQLBind(v)
        case let .real(v): return SQLBind(v)
        case let .boolean(v): return SQLBind(v)
        }
    }

    /// The value as the audit trail writes it (nil for NULL).
    var auditText: String? {
        switch self {
        case .null: return nil
        case let .text(v): return v
        case let .integer(v): return String(v)
        case let .real(v): return String(v)
        case let .boolean(v): return v ? "true" : "false"
        }
    }

    var text: String? { if case let .text(v) = self { return v } else { return nil } }
    var integer: Int? { if case let .integer(v) = self { return v } else { return nil } }

    static func read(_ row: any SQLRow, column: String, kind: ColumnKind) throws -> SQLCell {
        if try row.decodeNil(column: column) { return .null }
        switch kind {
        case .text, .json: return .text(try row.decode(column: column, as: String.self))
        case .integer: return .integer(try row.decode(column: column, as: Int.self))
        case .real: return .real(try row.decode(column: column, as: Double.self))
        case .boolean: return .boolean(try row.decode(column: column, as: Bool.self))
        }
    }
}
