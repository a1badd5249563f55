import Foundation
import RestoraDomain
import SQLKit

/// How one list of an aggregate (transitions, custody events, dispensings, release-test results) is stored:
/// a child table with one row per item, at its position in the list. Rows are only ever inserted: the
/// table has no version, no `updated_at`, no `deleted_at`, and no code path updates or deletes one.
/// Every child table has `id` (`<parent id>:<position>`), the parent's id column, `position` (unique per
/// parent), the item's typed columns and `created_at`.
protocol ChildRowMapping: Sendable {
    associatedtype Item: Hashable & Sendable
    static var table: String { get }
    /// The parent's id column, e.g. `enrolment_id`.
    static var parentColumn: String { get }
    /// The item's own columns (besides id, parent, position, created_at).
    static var columns: [Column] { get }
    static func cells(of item: Item) -> [String: SQLCell]
    /// The item from its cells; throws `StorageError.corruptRecord` naming the column at fault.
    static func item(from cells: [String: SQLCell]) throws -> Item
}

extension ChildRowMapping {
    static func stored(_ cells: [String: SQLCell]) -> StoredCells { StoredCells(cells: cells, table: table) }
}

/// One stored child row: the parent it belongs to, its position, and the item.
struct ChildRow<Item: Sendable>: Sendable {
    var parentID: String
    var position: Int
    var item: Item
}

/// The child tables of each parent table: a record's audit history includes its rows' entries
/// (record ids `<parent id>:<position>`).
enum ChildTables {
    static let byParent: [String: [String]] = [
        EnrolmentMapping.table: [EnrolmentTransitionRows.table],
        CellProductMapping.table: [CustodyEventRows.table, ReleaseTestRows.table],
        MedicationCourseMapping.table: [DispensingRows.table],
        ExportJobMapping.table: [ExportJobParticipantRows.table, ExportJobFileRows.table],
        DataQueryMapping.table: [DataQueryMessageRows.table],  // query threads (0046)
    ]
}

/// Parents per statement when loading children (an `IN` list far below either engine's parameter limit).
let childRowChunkSize = 500

/// Inserting and loading the rows of one child table. Loads take many parents at once: one statement per
/// 500 parents (an `IN` list), never one per parent.
struct ChildRows<C: ChildRowMapping>: Sendable {
    let audit: AuditWriter

    static func rowID(parent: String, position: Int) -> String { "\(parent):\(position)" }

    /// The items `new` adds at the end of `old`; refuses any change to, or removal of, an item already stored.
    static func appended(to old: [C.Item], in new: [C.Item], kind: String, list: String) throws -> ArraySlice<C.Item> {
        guard new.count >= old.count, Array(new.prefix(old.count)) == old else {
            throw DomainError.invalidValue(
                field: list, message: "the \(list) of a \(kind) are only ever appended: an earlier entry cannot be changed or removed")
        }
        return new.dropFirst(old.count)
    }

    /// Inserts `items` at positions `first`, `first + 1`, … of `parentID`, in one statement, with one audited
    /// `create` entry per row (naming the parent). Returns the items as stored (dates at stored precision).
    @discardableResult
    func insert(
        _ db: any SQLDatabase, parentID: String, items: some Collection<C.Item>, from first: Int, context: AuditContext
    ) async throws -> [C.Item] {
        guard !items.isEmpty else { return [] }
        let stamp = StoredJSON.format(audit.clock.now())
        // The parent's site, when the child table is site-scoped: its column and its audit chain.
        let site = try await SiteScope.site(of: C.table, cells: [C.parentColumn: .text(parentID)], kind: C.table, in: db)
        // A locked casebook refuses rows appended to its records (docs/locking.md).
        try await LockGuard.refuseIfLocked(table: C.table, kind: AuditedTables.of(C.self).kind, id: Self.rowID(parent: parentID, position: first),
                                           cells: [C.parentColumn: .text(parentID)], in: db)
        let names = ["id", C.parentColumn, "position"] + C.columns.map(\.name) + ["created_at"] + (site == nil ? [] : ["site_id"])
        var insert = db.insert(into: C.table).columns(names)
        var stored: [C.Item] = []
        for (offset, item) in items.enumerated() {
            let cells = C.cells(of: item)
            let position = first + offset
            let values: [any SQLExpression] = [SQLBind(Self.rowID(parent: parentID, position: position)), SQLBind(parentID), SQLBind(position)]
                + C.columns.map { (cells[$0.name] ?? .null).expression } + [SQLBind(stamp)] + (site.map { [SQLBind($0)] } ?? [])
            insert = insert.values(values)
            stored.append(try C.item(from: cells))
        }
        // RETURNING the hashed columns: each row's audit entry carries the hash of the row as written, from
        // the same statement (no second read).
        let table = AuditedTables.of(C.self)
        var hashes: [String: String] = [:]
        for row in try await insert.returning(SQLRaw(table.selectList)).all() {
            let cells = try RecordHash.cells(table, row: row)
            hashes[cells["id"]?.text ?? ""] = RecordHash.stored(table, cells: cells)
        }
        let change = AuditEntry.Change(field: C.parentColumn, old: nil, new: parentID)
        try await audit.appendAll(db, (0..<items.count).map { offset in
            let id = Self.rowID(parent: parentID, position: first + offset)
            return AuditWriter.Pending(
                action: .create, table: C.table, recordID: id, changes: [change], context: context, siteID: site, recordHash: hashes[id])
        })
        return stored
    }

    /// The rows of every parent in `parentIDs`, in position order per parent.
    static func load(_ db: any SQLDatabase, parents parentIDs: [String]) async throws -> [String: [ChildRow<C.Item>]] {
        let unique = Array(Set(parentIDs)).sorted()
        var found: [String: [ChildRow<C.Item>]] = [:]
        for start in stride(from: 0, to: unique.count, by: childRowChunkSize) {
            let chunk = Array(unique[start..<min(start + childRowChunkSize, unique.count)])
            let rows = try await db.raw(PrebuiltSQL.select(
                [C.parentColumn, "position"] + C.columns.map(\.name), from: C.table, where: C.parentColumn, in: chunk,
                then: "ORDER BY \(PrebuiltSQL.quoted(C.parentColumn)) ASC, \"position\" ASC")).all()
            for row in rows {
                var cells: [String: SQLCell] = [:]
                for column in C.columns {
                    cells[column.name] = try SQLCell.read(row, column: column.name, kind: column.kind)
                }
                let parent = try row.decode(column: C.parentColumn, as: String.self)
                let position = try row.decode(column: "position", as: Int.self)
                found[parent, default: []].append(ChildRow(parentID: parent, position: position, item: try C.item(from: cells)))
            }
        }
        return found
    }

    /// Whether `parent` has any row (one indexed lookup).
    static func exists(_ db: any SQLDatabase, parent: String) async throws -> Bool {
        try await db.select().column("position").from(C.table).where(SQLIdentifier(C.parentColumn), .equal, SQLBind(parent))
            .limit(1).first() != nil
    }

    /// The first `count` items of a parent (the count its row was written with): rows a later transaction
    /// added after the parent row was read are left out, so parent and list are one consistent state; fewer
    /// rows than the count, or a gap in the positions, is a corrupt record.
    static func items(_ rows: [ChildRow<C.Item>]?, count: Int) throws -> [C.Item] {
        let rows = (rows ?? []).prefix(count)
        guard rows.count == count, rows.enumerated().allSatisfy({ $0.offset == $0.element.position }) else {
            throw StorageError.corruptRecord(table: C.table, column: "position")
        }
        return rows.map(\.item)
    }
}
