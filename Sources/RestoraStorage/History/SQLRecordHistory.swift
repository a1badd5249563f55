import Foundation
import RestoraDomain
import SQLKit

/// `RecordHistory` over the stored rows and the audit trail (docs/fhir.md "Versions and history").
///
/// A record's versions are rebuilt by walking back from its current row (deleted rows included): every
/// `update` entry of the trail holds the changed columns' old canonical text, so undoing the newest entry
/// gives the cells of the version before it, and so on down to the `create`. The cells are decoded with the
/// table's own row decoder (`TableMapping.value(from:)`). Lists kept in child tables (transitions, custody
/// events, release tests, dispensings) are only ever appended: the parent's count columns at a version say
/// how many rows it had, so `ParentMapping.attach` gives the lists as they stood. An append that changed
/// nothing else (`ChildAwareRecords.bumpListBookkeeping`) has no parent entry: its rows' own `create` entries
/// (same request, right after each other in the chain) make that version.
struct SQLRecordHistory: RecordHistory {
    let store: any SQLStore

    /// The table of each supported domain type.
    static let mappings: [ObjectIdentifier: any TableMapping.Type] = [
        ObjectIdentifier(Participant.self): ParticipantMapping.self,
        ObjectIdentifier(Program.self): ProgramMapping.self,
        ObjectIdentifier(Enrolment.self): EnrolmentMapping.self,
        ObjectIdentifier(Visit.self): VisitMapping.self,
        ObjectIdentifier(Observation.self): ObservationMapping.self,
        ObjectIdentifier(Procedure.self): ProcedureMapping.self,
        ObjectIdentifier(AdverseEvent.self): AdverseEventMapping.self,
        ObjectIdentifier(MedicationCourse.self): MedicationCourseMapping.self,
        ObjectIdentifier(CellProduct.self): CellProductMapping.self,
        ObjectIdentifier(ConsentRecord.self): ConsentRecordMapping.self,
    ]

    /// Each child table's count column on its parent (the rows a parent version has).
    static let countColumns: [String: String] = [
        EnrolmentTransitionRows.table: "transition_count",
        CustodyEventRows.table: "custody_count",
        ReleaseTestRows.table: "release_test_count",
        DispensingRows.table: "dispensing_count",
    ]

    func supports(_ type: Any.Type) -> Bool { Self.mappings[ObjectIdentifier(type)] != nil }

    private func mapping<Value>(_ type: Value.Type) throws -> any TableMapping.Type {
        guard let mapping = Self.mappings[ObjectIdentifier(type)] else {
            throw RepositoryError.notFound(kind: "history of \(type)", id: "")
        }
        return mapping
    }

    // MARK: one record

    func versions<Value: Sendable>(of type: Value.Type, id: String, visibleSites: Set<Identifier<Site>>?) async throws -> [RecordVersion<Value>] {
        let mapping = try mapping(type)
        let store = self.store
        let found: [RecordVersion<Value>] = try await store.readAuditTrail { db in
            try await Self.versions(mapping, Value.self, id: id, db: db)
        }
        guard let first = found.first, Self.visible(first.siteID, visibleSites) else {
            throw RepositoryError.notFound(kind: String(describing: type).lowercased(), id: id)
        }
        return found
    }

    static func visible(_ site: Identifier<Site>?, _ visibleSites: Set<Identifier<Site>>?) -> Bool {
        guard let visibleSites, let site else { return true }
        return visibleSites.contains(site)
    }

    /// Opens the mapping's type and casts the versions to the caller's value type (the same type: `mappings`).
    static func versions<Value: Sendable>(
        _ mapping: any TableMapping.Type, _ type: Value.Type, id: String, db: any SQLDatabase
    ) async throws -> [RecordVersion<Value>] {
        func open<M: TableMapping>(_ m: M.Type) async throws -> [RecordVersion<Value>] {
            let built = try await rebuild(M.self, id: id, db: db)
            guard let typed = built as? [RecordVersion<Value>] else {
                throw StorageError.corruptRecord(table: M.table, column: "id")
            }
            return typed
        }
        return try await open(mapping)
    }

    /// The row as stored, deleted or not, with its site.
    struct CurrentRow {
        var row: StoredRow
        var deletedAt: String?
        var siteID: String?
    }

    static func currentRow<M: TableMapping>(_ m: M.Type, id: String, db: any SQLDatabase) async throws -> CurrentRow? {
        let scoped = SiteScope.of(M.table) != .siteless
        let extra = ["deleted_at"] + (scoped && !M.columns.contains { $0.name == "site_id" } ? ["site_id"] : [])
        let sql: SQLQueryString = """
            SELECT \(unsafeRaw: RecordStore<M>.selectList), \(unsafeRaw: PrebuiltSQL.list(extra)) FROM \(unsafeRaw: PrebuiltSQL.quoted(M.table)) WHERE "id" = \(bind: id)
            """
        guard let raw = try await db.raw(sql).first() else { return nil }
        var cells: [String: SQLCell] = [:]
        for column in M.columns { cells[column.name] = try SQLCell.read(raw, column: column.name, kind: column.kind) }
        let row = StoredRow(
            id: try raw.decode(column: "id", as: String.self), cells: cells, version: try raw.decode(column: "version", as: Int.self),
            createdAt: try raw.decode(column: "created_at", as: String.self), updatedAt: try raw.decode(column: "updated_at", as: String.self))
        func optional(_ column: String) throws -> String? {
            try raw.decodeNil(column: column) ? nil : try raw.decode(column: column, as: String.self)
        }
        return CurrentRow(row: row, deletedAt: try optional("deleted_at"), siteID: scoped ? try optional("site_id") : nil)
    }

    /// One event of the record's life = one version.
    struct Event {
        var action: RecordVersion<Int>.Action
        var entries: [AuditChain.StoredEntry]
        /// The parent's own entry (nil: a pure append to its lists).
        var parent: AuditChain.StoredEntry?
        var first: AuditChain.StoredEntry { parent ?? entries[0] }
    }

    static func rebuild<M: TableMapping>(_ m: M.Type, id: String, db: any SQLDatabase) async throws -> [RecordVersion<M.Value>] {
        guard let current = try await currentRow(M.self, id: id, db: db) else { return [] }
        let children = ChildTables.byParent[M.table] ?? []
        let entries = try await trail(table: M.table, children: children, id: id, db: db)
        var events = group(entries, table: M.table)
        let releaseRevisions = Dictionary(
            (try await ChildRows<ReleaseTestRows>.load(db, parents: children.contains(ReleaseTestRows.table) ? [id] : [])[id] ?? [])
                .map { ($0.position, $0.item.revision) }, uniquingKeysWith: { a, _ in a })
        events = reconcile(events, versions: current.row.version, releaseRevisions: releaseRevisions)
        // The trail and the row's version agree unless rows predate the trail (then the oldest versions are
        // the ones missing): number from the newest.
        let newest = current.row.version
        if events.count > newest { events.removeFirst(events.count - newest) }
        guard let createdAt = StoredJSON.parse(current.row.createdAt), let updatedAt = StoredJSON.parse(current.row.updatedAt) else {
            throw StorageError.corruptRecord(table: M.table, column: "created_at")
        }
        let childRows = try await ChildRowCache.load(children, parent: id, db: db)
        // Walk back from the current cells.
        var cells = current.row.cells
        var rebuilt: [RecordVersion<M.Value>] = []
        var latestLive = true
        for (offset, event) in events.enumerated().reversed() {
            let version = newest - (events.count - 1 - offset)
            let at: Date
            switch event.action {
            case .delete: at = current.deletedAt.flatMap(StoredJSON.parse) ?? entryDate(event.first)
            default:
                if latestLive { at = updatedAt; latestLive = false } else { at = version == 1 ? createdAt : entryDate(event.first) }
            }
            let value = try decode(M.self, cells: cells, id: id, version: version, createdAt: createdAt, at: at, lists: childRows, db: db)
            rebuilt.append(RecordVersion(
                id: id, version: version, action: RecordVersion<M.Value>.Action(rawValue: event.action.rawValue) ?? .update,
                at: at, createdAt: createdAt,
                actor: Actor(userID: event.first.actorID, role: event.first.actorRole), reason: event.first.reason,
                requestID: event.first.requestID, value: value, siteID: current.siteID.map { Identifier($0) }))
            cells = undo(event, cells: cells, columns: M.columns, childRows: childRows)
        }
        // No trail at all (rows written before it): the current row is the one version known.
        if rebuilt.isEmpty {
            let value = try decode(M.self, cells: cells, id: id, version: newest, createdAt: createdAt, at: updatedAt, lists: childRows, db: db)
            rebuilt.append(RecordVersion(
                id: id, version: newest, action: newest == 1 ? .create : .update, at: updatedAt, createdAt: createdAt,
                actor: Actor(userID: "system"), reason: nil, requestID: nil, value: value, siteID: current.siteID.map { Identifier($0) }))
        }
        return rebuilt.reversed()
    }

    static func entryDate(_ entry: AuditChain.StoredEntry) -> Date {
        StoredJSON.parse(entry.at) ?? Date(timeIntervalSince1970: 0)
    }

    /// The record's entries and those of its child rows, in the order written.
    static func trail(table: String, children: [String], id: String, db: any SQLDatabase) async throws -> [AuditChain.StoredEntry] {
        let actions = [AuditEntry.Action.create, .update, .delete].map(\.rawValue)
        return try await db.select().columns(SQLAuditLog.columns.map { SQLIdentifier($0) }).from("audit_log")
            .where { group in
                let record = group.where("table_name", .equal, table).where("record_id", .equal, id)
                guard !children.isEmpty else { return record }
                return record.orWhere { rows in
                    rows.where("table_name", .in, children)
                        .where("record_id", .greaterThan, id + ":").where("record_id", .lessThan, id + ";")
                }
            }
            .where("action", .in, actions)
            .orderBy("at").orderBy("chain_id").orderBy("sequence").all().map(SQLAuditLog.stored)
    }

    /// Groups the entries into versions: each entry of the record itself is one; rows of its lists join the
    /// entry written just before them in the same request (the same transaction: the chain's head lock keeps
    /// a transaction's entries together), unless that entry's counts do not cover them; otherwise they are a
    /// version of their own (a pure append). A second insert into the same list makes a new append version.
    static func group(_ entries: [AuditChain.StoredEntry], table: String) -> [Event] {
        var events: [Event] = []
        var previous: AuditChain.StoredEntry?
        for entry in entries {
            defer { previous = entry }
            if entry.table == table {
                let action: RecordVersion<Int>.Action = entry.action == "create" ? .create : entry.action == "delete" ? .delete : .update
                events.append(Event(action: action, entries: [entry], parent: entry))
                continue
            }
            let position = Self.position(entry.recordID)
            if var last = events.last, let previous, last.action != .delete, previous.requestID == entry.requestID,
               previous.sequence + 1 == entry.sequence,
               covers(last, entry: entry, position: position)
            {
                last.entries.append(entry)
                events[events.count - 1] = last
                continue
            }
            events.append(Event(action: .update, entries: [entry], parent: nil))
        }
        return events
    }

    /// When the trail gives fewer versions than the row counts (pure appends in the same request as the
    /// write before them, e.g. a create with empty lists, look like part of it), splits list rows off into
    /// versions of their own, newest first: at any list row (release tests: between revisions only), never
    /// one an update's own count change names.
    static func reconcile(_ events: [Event], versions: Int, releaseRevisions: [Int: Int]) -> [Event] {
        var events = events
        var missing = versions - events.count
        var index = events.count - 1
        while missing > 0 && index >= 0 {
            let event = events[index]
            // The last child row that may start a new append: any row of a list (after the parent's entry, a
            // row of another list or one of its own), except a release test of the same revision as the row
            // before it (one revision is written at once). The create's own rows are candidates too: a create
            // with empty lists followed by appends in the same request looks like a create with those rows.
            var cut: Int? = nil
            for k in stride(from: event.entries.count - 1, to: 0, by: -1) {
                let entry = event.entries[k], before = event.entries[k - 1]
                guard let countColumn = countColumns[entry.table] else { continue }
                if entry.table == ReleaseTestRows.table, before.table == ReleaseTestRows.table,
                   let p = position(entry.recordID), let q = position(before.recordID), releaseRevisions[p] == releaseRevisions[q] { continue }
                // Never rows an update's own count change names.
                if let parent = event.parent, parent.action == "update",
                   AuditChain.decodeChanges(parent.changes).contains(where: { $0.field == countColumn }) { continue }
                cut = k
                break
            }
            guard let cut else { index -= 1; continue }
            let tail = Array(event.entries[cut...])
            events[index].entries = Array(event.entries[..<cut])
            events.insert(Event(action: .update, entries: tail, parent: nil), at: index + 1)
            missing -= 1
        }
        return events
    }

    /// Whether a row of a list belongs to `event`: an update that changed the list's count must cover the
    /// row's position; a create or a pure append takes one insert per list (all its rows are written at one
    /// instant), so a second instant of the same list is a later write.
    static func covers(_ event: Event, entry: AuditChain.StoredEntry, position: Int?) -> Bool {
        // One write inserts each list once, at one instant: a row of a list the event already has at another
        // instant is a later write.
        let laterWrite = event.entries.contains { $0.table == entry.table && $0.at != entry.at }
        if let parent = event.parent {
            guard parent.action == "update", let count = countColumns[entry.table] else { return !laterWrite }
            guard let change = AuditChain.decodeChanges(parent.changes).first(where: { $0.field == count }),
                  let old = change.old.flatMap({ Int($0) }), let new = change.new.flatMap({ Int($0) }), let position
            else { return false }
            return position >= old && position < new
        }
        return !laterWrite
    }

    static func position(_ childRecordID: String) -> Int? {
        childRecordID.split(separator: ":").last.flatMap { Int($0) }
    }

    /// The cells before `event`: its changed columns' old values; a list it appended to is as long as the
    /// first row it added.
    static func undo(_ event: Event, cells: [String: SQLCell], columns: [Column], childRows: ChildRowCache) -> [String: SQLCell] {
        var cells = cells
        var undone: Set<String> = []
        if let parent = event.parent, parent.action == "update" {
            for change in AuditChain.decodeChanges(parent.changes) {
                if change.field.hasSuffix("+") {
                    let name = String(change.field.dropLast())
                    guard let count = change.old.flatMap({ Int($0) }), let text = cells[name]?.text,
                          case let .array(items)? = try? StoredJSON.tree(text),
                          let shorter = try? StoredJSON.text(.array(Array(items.prefix(count))))
                    else { continue }
                    cells[name] = .text(shorter)
                    undone.insert(name)
                    continue
                }
                guard let column = columns.first(where: { $0.name == change.field }) else { continue }
                cells[column.name] = cell(change.old, kind: column.kind)
                undone.insert(column.name)
            }
        }
        // A pure append (or an update whose diff left a count out): the count before is the first row added.
        for entry in event.entries where countColumns[entry.table] != nil {
            guard let countColumn = countColumns[entry.table], !undone.contains(countColumn), let position = position(entry.recordID) else { continue }
            if let stored = cells[countColumn]?.integer, stored <= position { continue }
            cells[countColumn] = .integer(position)
            if entry.table == ReleaseTestRows.table && !undone.contains("release_tests_revision") {
                let before = childRows.releaseTests.prefix(position).map(\.revision).max() ?? 0
                cells["release_tests_revision"] = .integer(before)
            }
        }
        return cells
    }

    /// The audit trail's text of a cell back as the cell (`SQLCell.auditText`).
    static func cell(_ text: String?, kind: ColumnKind) -> SQLCell {
        guard let text else { return .null }
        switch kind {
        case .text, .json: return .text(text)
        case .integer: return Int(text).map(SQLCell.integer) ?? .text(text)
        case .real: return Double(text).map(SQLCell.real) ?? .text(text)
        case .boolean: return .boolean(text == "true" || text == "1")
        }
    }

    /// The value at a version: the row decoder, and the lists as long as the version's counts say.
    static func decode<M: TableMapping>(
        _ m: M.Type, cells: [String: SQLCell], id: String, version: Int, createdAt: Date, at: Date, lists: ChildRowCache,
        db: any SQLDatabase
    ) throws -> M.Value {
        let value = try M.value(from: cells)
        func attach<P: ParentMapping>(_ p: P.Type) throws -> M.Value {
            let row = StoredRow(id: id, cells: cells, version: version, createdAt: StoredJSON.format(createdAt), updatedAt: StoredJSON.format(at))
            guard let parentValue = value as? P.Value, let lists = lists.lists(for: P.self),
                  let attached = try P.attach(lists, to: parentValue, row: row) as? M.Value
            else { return value }
            return attached
        }
        if let parent = M.self as? any ParentMapping.Type { return try attach(parent) }
        return value
    }

    // MARK: a type

    func history<Value: Sendable>(
        of type: Value.Type, since: Date?, cursor: String?, count: Int, visibleSites: Set<Identifier<Site>>?
    ) async throws -> RecordHistoryPage<Value> {
        let mapping = try mapping(type)
        let count = min(max(count, 1), 1000)
        let after = try cursor.map(HistoryCursor.init(text:))
        let store = self.store
        return try await store.readAuditTrail { db in
            try await Self.history(mapping, Value.self, since: since, after: after, count: count, visibleSites: visibleSites, db: db)
        }
    }

    static func history<Value: Sendable>(
        _ mapping: any TableMapping.Type, _ type: Value.Type, since: Date?, after: HistoryCursor?, count: Int,
        visibleSites: Set<Identifier<Site>>?, db: any SQLDatabase
    ) async throws -> RecordHistoryPage<Value> {
        let table = mapping.table
        let tables = [table] + (ChildTables.byParent[table] ?? [])
        let scoped = SiteScope.of(table) != .siteless
        // A version's time is at most a moment before its entries' (the row's stamp is taken first).
        let margin: TimeInterval = 5
        var limit = count * 3 + 20
        while true {
            var query = db.select().columns("record_id", "table_name", "at").from("audit_log")
                .where("table_name", .in, tables)
                .where("action", .in, [AuditEntry.Action.create, .update, .delete].map(\.rawValue))
            if let after {
                query = query.where("at", .lessThanOrEqual, StoredJSON.format(after.at.addingTimeInterval(margin)))
            }
            if let since { query = query.where("at", .greaterThanOrEqual, StoredJSON.format(since)) }
            if scoped, let visibleSites { query = query.where("chain_id", .in, visibleSites.map(\.rawValue).sorted()) }
            let rows = try await query.orderBy("at", .descending).orderBy("sequence", .descending).limit(limit).all()
            var ids: [String] = []
            var seen: Set<String> = []
            var horizon: Date? = nil
            for row in rows {
                let recordID = try row.decode(column: "record_id", as: String.self)
                let name = try row.decode(column: "table_name", as: String.self)
                let id = name == table ? recordID : String(recordID.split(separator: ":").first ?? "")
                if seen.insert(id).inserted { ids.append(id) }
                horizon = StoredJSON.parse(try row.decode(column: "at", as: String.self))
            }
            let exhausted = rows.count < limit
            var found: [RecordVersion<Value>] = []
            for id in ids {
                for version in try await versions(mapping, Value.self, id: id, db: db) {
                    guard visible(version.siteID, visibleSites) else { continue }
                    if let since, version.at < since { continue }
                    if let after, !after.isBefore(version) { continue }
                    if !exhausted, let horizon, version.at <= horizon.addingTimeInterval(margin) { continue }
                    found.append(version)
                }
            }
            found.sort { HistoryCursor.newerFirst($0, $1) }
            if found.count >= count || exhausted || limit >= 100_000 {
                let page = Array(found.prefix(count))
                let more = found.count > count || !exhausted
                let cursors = page.map { HistoryCursor(at: $0.at, id: $0.id, version: $0.version).text }
                return RecordHistoryPage(versions: page, nextCursor: more ? cursors.last : nil, cursors: cursors)
            }
            limit *= 4
        }
    }
}
