import Crypto
import Foundation
import SQLKit

/// One table whose rows the audit trail vouches for (issue #19, docs/audit-integrity.md): its hashed
/// columns in their fixed order, and how a live row is told from a deleted one.
struct AuditedTable: Sendable {
    var name: String
    /// The record kind in reports ("observation").
    var kind: String
    /// What the record hash covers, in this order: the mapping's own columns (`id` first), `site_id` where
    /// the table is site-scoped and the mapping does not list it, and `created_at`. Left out: `version` and
    /// `updated_at` (concurrency bookkeeping), derived query columns, credentials (`password_hash`), and a
    /// parent's list bookkeeping (counts, revision in force), which the child rows themselves carry and
    /// `RecordVerifier` checks against them.
    var columns: [Column]
    /// Parent tables soft-delete (`deleted_at`); child tables are insert-only and have no such column.
    var softDeletes: Bool
    /// For a parent: its list bookkeeping checked against its child rows (`RecordVerifier.listChecks`).
    var lists: [ListCheck] = []

    /// A parent column that must equal an aggregate of its child rows.
    struct ListCheck: Sendable {
        var column: String
        var childTable: String
        var parentColumn: String
        /// SQL aggregate over the child rows `c`, e.g. `COUNT(c.id)`.
        var aggregate: String
    }

    static func of<M: TableMapping>(_ mapping: M.Type) -> AuditedTable {
        let lists = (M.self as? any ParentMapping.Type)?.listColumns ?? []
        var columns = M.columns.filter { !lists.contains($0.name) }
        if SiteScope.of(M.table) != .siteless, !columns.contains(where: { $0.name == "site_id" }) { columns.append(Column("site_id")) }
        columns.append(Column("created_at"))
        return AuditedTable(name: M.table, kind: M.kind, columns: columns, softDeletes: true)
    }

    static func child<C: ChildRowMapping>(_ rows: C.Type, kind: String) -> AuditedTable {
        var columns = [Column("id"), Column(C.parentColumn), Column("position", .integer)] + C.columns
        if SiteScope.of(C.table) != .siteless { columns.append(Column("site_id")) }
        columns.append(Column("created_at"))
        return AuditedTable(name: C.table, kind: kind, columns: columns, softDeletes: false)
    }

    /// The hashed columns as one quoted select list.
    var selectList: String { PrebuiltSQL.list(columns.map(\.name)) }
}

/// Every table `restora audit verify --records` checks, parents before their child tables. A new mapped
/// table joins this list (`AuditedTablesTests` fails on a table with `deleted_at` that is missing here).
enum AuditedTables {
    static let all: [AuditedTable] = {
        var enrolments = AuditedTable.of(EnrolmentMapping.self)
        enrolments.lists = [count("transition_count", of: EnrolmentTransitionRows.self)]
        var lots = AuditedTable.of(CellProductMapping.self)
        lots.lists = [count("custody_count", of: CustodyEventRows.self), count("release_test_count", of: ReleaseTestRows.self),
                      .init(column: "release_tests_revision", childTable: ReleaseTestRows.table, parentColumn: ReleaseTestRows.parentColumn,
                            aggregate: "COALESCE(MAX(c.revision), 0)")]
        var courses = AuditedTable.of(MedicationCourseMapping.self)
        courses.lists = [count("dispensing_count", of: DispensingRows.self)]
        // Export jobs (migration 0041): the counts of their participant and file rows.
        var exports = AuditedTable.of(ExportJobMapping.self)
        exports.lists = [count("file_count", of: ExportJobFileRows.self),
                         .init(column: "participant_count", childTable: ExportJobParticipantRows.table, parentColumn: ExportJobParticipantRows.parentColumn,
                               aggregate: "COALESCE(SUM(CASE WHEN c.role = 'exported' THEN 1 ELSE 0 END), 0)"),
                         .init(column: "requested_count", childTable: ExportJobParticipantRows.table, parentColumn: ExportJobParticipantRows.parentColumn,
                               aggregate: "COALESCE(SUM(CASE WHEN c.role = 'requested' THEN 1 ELSE 0 END), 0)")]
        return [
            .of(SiteMapping.self), .of(UserMapping.self), .of(ProgramMapping.self), .of(ParticipantMapping.self),
            enrolments, .of(VisitMapping.self), .of(ObservationMapping.self), .of(ProcedureMapping.self), lots, courses,
            .of(AdverseEventMapping.self), .of(SafetyAlertMapping.self), .of(DataQueryMapping.self), .of(ScreeningMapping.self),
            .of(ConcomitantMedicationMapping.self), .of(SectionReviewMapping.self), .of(ProtocolDeviationMapping.self),
            .of(PrescreenCandidateMapping.self), exports, .of(ConsentDocumentMapping.self), .of(ConsentRecordMapping.self), .of(ConsentWithdrawalMapping.self), .of(SignatureMapping.self),
            .of(RandomisationAllocationMapping.self), .of(EmergencyUnblindingMapping.self),
            .of(RecordLockMapping.self),
            .of(FHIRBulkJobMapping.self),  // FHIR Bulk Data jobs (0049)
            .child(EnrolmentTransitionRows.self, kind: "enrolment transition"),
            .child(CustodyEventRows.self, kind: "custody event"),
            .child(ReleaseTestRows.self, kind: "release-test result"),
            .child(DispensingRows.self, kind: "dispensing"),
            .child(ExportJobParticipantRows.self, kind: "export job participant"),
            .child(ExportJobFileRows.self, kind: "export job file"),
            .of(SourceVerificationMapping.self), .child(DataQueryMessageRows.self, kind: "data query message"),  // SDV (0046)
        ]
    }()

    static let byName: [String: AuditedTable] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    private static func count<C: ChildRowMapping>(_ column: String, of rows: C.Type) -> AuditedTable.ListCheck {
        .init(column: column, childTable: C.table, parentColumn: C.parentColumn, aggregate: "COUNT(c.id)")
    }

    static func of<M: TableMapping>(_ mapping: M.Type) -> AuditedTable { byName[M.table] ?? .of(M.self) }
    static func of<C: ChildRowMapping>(_ rows: C.Type) -> AuditedTable { byName[C.table] ?? .child(C.self, kind: C.table) }
}

/// The hash of a record's full content, written with every audit entry that creates or changes a row
/// (migration 0037, docs/audit-integrity.md).
///
/// Canonical form: `restora-record-v1`, the table name, then per hashed column (fixed order) whose value is
/// not NULL `<name>=<typed value>;`, where the typed value is `t<utf-8 length>:<text>` for text (JSON
/// columns and instants are their stored text: instants are ISO 8601 UTC text on both engines, written by
/// `StoredJSON.format`), `i<decimal>` for integers, `r<shortest round-trip decimal>` for reals (Swift's
/// locale-free `Double.description`: `5000.0`, `0.1`, `1e-05`), `b1`/`b0` for booleans. A NULL column is
/// left out, so NULL differs from the empty text (`t0:`), and a nullable column added by a later migration
/// leaves the hashes of the rows it does not fill unchanged.
///
/// Stored as `<base64 first 128 bits of the SHA-256>.<base64 tags>` (unpadded): one tag byte per present column
/// (the first byte of the SHA-256 of that column's piece), which lets the verifier name the field that changed
/// (a changed field escapes naming with odds 1 in 256; the row is reported either way).
enum RecordHash {
    static let tombstone = "tombstone"
    static let prefix = Array("restora-record-v1\n".utf8)

    /// Each present column's piece, in column order.
    static func pieces(_ table: AuditedTable, cells: [String: SQLCell]) -> [(column: String, bytes: [UInt8])] {
        pieces(table) { cells[$0] }
    }

    /// The same, each column's cell given by `cell` (nil where the row has none).
    private static func pieces(_ table: AuditedTable, cell: (String) -> SQLCell?) -> [(column: String, bytes: [UInt8])] {
        var pieces: [(column: String, bytes: [UInt8])] = []
        pieces.reserveCapacity(table.columns.count)
        for column in table.columns {
            guard let cell = cell(column.name), cell != .null else { continue }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(column.name.utf8.count + 24)
            bytes.append(contentsOf: column.name.utf8)
            bytes.append(UInt8(ascii: "="))
            append(cell, to: &bytes)
            bytes.append(UInt8(ascii: ";"))
            pieces.append((column.name, bytes))
        }
        return pieces
    }

    /// `encode(cell)` appended to `bytes` in place (a non-NULL cell).
    private static func append(_ cell: SQLCell, to bytes: inout [UInt8]) {
        switch cell {
        case .null: return
        case let .text(v):
            bytes.append(UInt8(ascii: "t"))
            bytes.append(contentsOf: String(v.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: v.utf8)
        case let .integer(v):
            bytes.append(UInt8(ascii: "i"))
            bytes.append(contentsOf: String(v).utf8)
        case let .real(v):
            bytes.append(UInt8(ascii: "r"))
            bytes.append(contentsOf: v.description.utf8)
        case let .boolean(v):
            bytes.append(contentsOf: (v ? "b1" : "b0").utf8)
        }
    }

    static func encode(_ cell: SQLCell) -> [UInt8]? {
        guard cell != .null else { return nil }
        var bytes: [UInt8] = []
        append(cell, to: &bytes)
        return bytes
    }

    /// The stored form: the content hash and the per-column tags.
    static func stored(_ table: AuditedTable, cells: [String: SQLCell]) -> String {
        stored(table, pieces(table, cells: cells))
    }

    private static func stored(_ table: AuditedTable, _ pieces: [(column: String, bytes: [UInt8])]) -> String {
        digest(table, pieces) + "." + unpadded(Data(pieces.map { tag($0.bytes) }))
    }

    /// The hash of the canonical form as stored (the part before the dot).
    static func digest(_ table: AuditedTable, _ pieces: [(column: String, bytes: [UInt8])]) -> String {
        var hasher = SHA256()
        hasher.update(data: prefix)
        hasher.update(data: Array("\(table.name)\n".utf8))
        for piece in pieces { hasher.update(data: piece.bytes) }
        return unpadded(Data(Data(hasher.finalize()).prefix(digestBytes)))
    }

    /// The first 128 bits of the SHA-256: forging a row to an entry's hash takes a second preimage (2¹²⁸ work);
    /// the entry itself is fixed by the chain's full SHA-256. Half the bytes of the whole digest in every entry
    /// (the trail's size is watched: AuditSizeTests).
    static let digestBytes = 16

    /// Base64 without the `=` padding (the length says how much there is).
    static func unpadded(_ data: Data) -> String {
        var text = data.base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func tag(_ piece: [UInt8]) -> UInt8 {
        SHA256.hash(data: piece).withUnsafeBytes { $0.first ?? 0 }
    }

    /// The columns whose current value is not the one hashed in `stored`: present columns whose tag the stored
    /// form lacks. Empty when the tags cannot tell (e.g. a column set to NULL).
    static func differingColumns(_ table: AuditedTable, cells: [String: SQLCell], stored: String) -> [String] {
        guard let dot = stored.firstIndex(of: ".") else { return [] }
        var text = String(stored[stored.index(after: dot)...])
        while text.count % 4 != 0 { text += "=" }
        guard let bytes = Data(base64Encoded: text) else { return [] }
        var tags: [UInt8: Int] = [:]
        for byte in bytes { tags[byte, default: 0] += 1 }
        var differing: [String] = []
        for piece in pieces(table, cells: cells) {
            let tag = tag(piece.bytes)
            if let n = tags[tag], n > 0 { tags[tag] = n - 1 } else { differing.append(piece.column) }
        }
        return differing
    }

    /// The stored form for a row written by `RecordStore`: its mapped cells, `created_at` and its site.
    static func stored(_ table: AuditedTable, row: StoredRow, site: String?) -> String {
        // As if `created_at` and (where the row has no `site_id`) the site were among its cells, without
        // copying the row's dictionary to add them.
        stored(table, pieces(table) { name in
            if name == "created_at" { return .text(row.createdAt) }
            if name == "site_id", let site, row.cells["site_id"] == nil { return .text(site) }
            return row.cells[name]
        })
    }

    /// The hashed columns a `SELECT *` row has, for migrations: a column a later migration adds is not there
    /// yet, which is the same as NULL (left out of the canonical form).
    static func presentCells(_ table: AuditedTable, row: any SQLRow) throws -> [String: SQLCell] {
        var cells: [String: SQLCell] = [:]
        for column in table.columns where row.contains(column: column.name) {
            cells[column.name] = try SQLCell.read(row, column: column.name, kind: column.kind)
        }
        return cells
    }

    /// The cells of `table`'s hashed columns in a row that selected or returned them.
    static func cells(_ table: AuditedTable, row: any SQLRow) throws -> [String: SQLCell] {
        var cells: [String: SQLCell] = [:]
        for column in table.columns { cells[column.name] = try SQLCell.read(row, column: column.name, kind: column.kind) }
        return cells
    }
}

/// The verifier's hot path (≈ 10⁵ rows/s): the same canonical bytes and digest as `RecordHash.stored`, from a
/// row's cells as an array in column order, built into one buffer with each column's `name=` prepared once
/// per table, and each cell read with one lookup by name (`RecordIntegrityTests` checks both paths agree).
struct RecordCanonicalizer: Sendable {
    let table: AuditedTable
    private let start: [UInt8]
    private let headers: [[UInt8]]
    private var buffer: [UInt8] = []

    init(_ table: AuditedTable) {
        self.table = table
        start = RecordHash.prefix + Array("\(table.name)\n".utf8)
        headers = table.columns.map { Array("\($0.name)=".utf8) }
        buffer.reserveCapacity(1024)
    }

    /// The hashed columns of `row`, in column order (NULL as `.null`). `decodeNil` then a non-optional decode:
    /// the drivers convert String, Int, Double and Bool directly, an Optional goes through their `Decoder`
    /// (≈ 3× slower per cell in a release profile).
    func read(_ row: any SQLRow) throws -> [SQLCell] {
        try table.columns.map { try SQLCell.read(row, column: $0.name, kind: $0.kind) }
    }

    /// The digest part of the stored form (`RecordHash.digest`).
    mutating func digest(_ cells: [SQLCell]) -> String {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: start)
        for (index, cell) in cells.enumerated() {
            switch cell {
            case .null: continue
            case let .text(v):
                buffer.append(contentsOf: headers[index])
                buffer.append(UInt8(ascii: "t"))
                buffer.append(contentsOf: String(v.utf8.count).utf8)
                buffer.append(UInt8(ascii: ":"))
                buffer.append(contentsOf: v.utf8)
            case let .integer(v):
                buffer.append(contentsOf: headers[index])
                buffer.append(UInt8(ascii: "i"))
                buffer.append(contentsOf: String(v).utf8)
            case let .real(v):
                buffer.append(contentsOf: headers[index])
                buffer.append(UInt8(ascii: "r"))
                buffer.append(contentsOf: v.description.utf8)
            case let .boolean(v):
                buffer.append(contentsOf: headers[index])
                buffer.append(contentsOf: v ? [UInt8(ascii: "b"), UInt8(ascii: "1")] : [UInt8(ascii: "b"), UInt8(ascii: "0")])
            }
            buffer.append(UInt8(ascii: ";"))
        }
        return RecordHash.unpadded(Data(SHA256.hash(data: buffer).prefix(RecordHash.digestBytes)))
    }

    /// The cells keyed by column name (for naming the fields of a row that differs).
    func named(_ cells: [SQLCell]) -> [String: SQLCell] {
        Dictionary(uniqueKeysWithValues: zip(table.columns.map(\.name), cells))
    }
}
