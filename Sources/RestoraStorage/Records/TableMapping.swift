import RestoraDomain

/// How one aggregate is stored: its table, its columns (besides the bookkeeping columns every table has:
/// `version`, `created_at`, `updated_at`, `deleted_at`), and how the rules treat it.
protocol TableMapping: Sendable {
    associatedtype Value: Codable & Sendable
    static var table: String { get }
    /// The record kind in user-facing messages, e.g. "participant".
    static var kind: String { get }
    /// The aggregate's own fields; `id` first.
    static var columns: [Column] { get }
    /// Recorded clinical data: edits and deletions need a reason for change.
    static var isClinical: Bool { get }
    /// The business identifier a unique-constraint violation is about, for the error message.
    static var uniqueField: String { get }
    static func id(of value: Value) -> String
    /// Derived columns kept for queries only (e.g. a lower-cased search name); not audited, not read back.
    static func derivedCells(of value: Value) -> [String: SQLCell]
    /// The aggregate as column cells (keyed by `Column.name`). The default goes through the Codable form
    /// (`RecordCoding`); a table with an explicit coder writes its columns directly, with no JSON step.
    static func cells(of value: Value) throws -> [String: SQLCell]
    /// The aggregate from its column cells; throws `StorageError.corruptRecord` naming the column at fault.
    static func value(from cells: [String: SQLCell]) throws -> Value
}

extension TableMapping {
    static var isClinical: Bool { true }
    static var uniqueField: String { "id" }
    static func derivedCells(of value: Value) -> [String: SQLCell] { [:] }
    static func cells(of value: Value) throws -> [String: SQLCell] {
        try RecordCoding.cells(of: value, columns: columns, table: table)
    }
    static func value(from cells: [String: SQLCell]) throws -> Value {
        try RecordCoding.value(Value.self, from: cells, columns: columns, table: table)
    }
}

/// A stored row read back: the aggregate's cells plus its bookkeeping.
struct StoredRow: Sendable {
    var id: String
    var cells: [String: SQLCell]
    var version: Int
    var createdAt: String
    var updatedAt: String
}
