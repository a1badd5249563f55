import Foundation
import RestoraDomain
import SQLKit

/// An aggregate whose lists live in child tables (`ChildRows`): the parent row holds the aggregate's own
/// fields and, per list, how many rows it was written with.
protocol ParentMapping: TableMapping {
    associatedtype Lists: Sendable
    /// The child rows of all `parents`, one query per child table (per 500 parents).
    static func loadLists(_ db: any SQLDatabase, parents: [String]) async throws -> Lists
    /// The value decoded from `row` with its lists filled from `lists`, as many items as the row's counts say.
    static func attach(_ lists: Lists, to value: Value, row: StoredRow) throws -> Value
    /// What writing `new` over the stored `old` (nil: a new record) adds: bookkeeping cells of the parent that
    /// only the stored state can say (e.g. the next revision of release tests) and the child rows to insert.
    /// Refuses a change to an item already stored.
    static func pendingLists(old: (value: Value, cells: [String: SQLCell])?, new: Value) throws -> PendingLists
    /// The parent's list bookkeeping columns (counts, the revision in force): when a write changes nothing
    /// else, the appended rows' own audit entries record it and the parent gets no entry of its own.
    static var listColumns: Set<String> { get }
    /// Whether the record already has child rows (an idempotent create that is a repeat).
    static func hasStoredLists(_ db: any SQLDatabase, id: String) async throws -> Bool
}

/// The parent cells and the child inserts one write of a `ParentMapping` value adds.
struct PendingLists: Sendable {
    typealias Insert = @Sendable (_ db: any SQLDatabase, _ parentID: String, _ audit: AuditWriter, _ context: AuditContext) async throws -> Void
    var cells: [String: SQLCell] = [:]
    var inserts: [Insert] = []

    /// Adds the items of `new` beyond `old` (a list that may only grow) as rows of `C`.
    mutating func append<C: ChildRowMapping>(
        _ rows: C.Type, old: [C.Item], new: [C.Item], from position: Int, kind: String, list: String
    ) throws {
        let added = Array(try ChildRows<C>.appended(to: old, in: new, kind: kind, list: list))
        guard !added.isEmpty else { return }
        inserts.append { db, parentID, audit, context in
            try await ChildRows<C>(audit: audit).insert(db, parentID: parentID, items: added, from: position, context: context)
        }
    }
}

/// Reads and writes of a `ParentMapping` aggregate, parent row and child rows in one transaction. Reads of
/// many parents load each child table once per chunk of 500 parents, never once per parent.
struct ChildAwareRecords<M: ParentMapping>: Sendable {
    let records: RecordStore<M>

    // MARK: reads

    func get(id: String) async throws -> Versioned<M.Value> {
        let records = self.records
        let found = try await records.store.read { db in
            try await complete(db, try await records.rows(db, where: RecordStore<M>.equals("id", id)))
        }
        guard let first = found.first else { throw RepositoryError.notFound(kind: M.kind, id: id) }
        return first
    }

    func list(where column: String, equals value: String) async throws -> [Versioned<M.Value>] {
        let records = self.records
        return try await records.store.read { db in
            try await complete(db, try await records.rows(db, where: RecordStore<M>.equals(column, value)))
        }
    }

    /// Rows whose `column` is any of `values`: per chunk of 500 values one parent query and one query per
    /// child table, on one connection.
    func list(where column: String, in values: [String]) async throws -> [Versioned<M.Value>] {
        let records = self.records
        let unique = Array(Set(values)).sorted()
        var found: [Versioned<M.Value>] = []
        for start in stride(from: 0, to: unique.count, by: childRowChunkSize) {
            let chunk = Array(unique[start..<min(start + childRowChunkSize, unique.count)])
            found += try await records.store.read { db in
                try await complete(db, try await records.rows(db, where: RecordStore<M>.isIn(column, chunk)))
            }
        }
        return found
    }

    func complete(_ db: any SQLDatabase, _ rows: [StoredRow]) async throws -> [Versioned<M.Value>] {
        guard !rows.isEmpty else { return [] }
        let lists = try await M.loadLists(db, parents: rows.map(\.id))
        return try rows.map { row in
            let parent = try records.decode(row)
            return Versioned(value: try M.attach(lists, to: parent.value, row: row), version: parent.version,
                             createdAt: parent.createdAt, updatedAt: parent.updatedAt)
        }
    }

    // MARK: writes

    /// Creates the record and its child rows in one transaction; a repeat of an idempotent create returns
    /// the record (with its rows) stored the first time.
    func create(_ value: M.Value, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<M.Value> {
        let records = self.records
        let pending = try M.pendingLists(old: nil, new: value)
        return try await records.transaction { db in
            let bound = RecordStore<M>(store: TransactionBoundStore(engine: records.store.engine, db: db, pendingAudit: records.audit.pending), audit: records.audit)
            let id = M.id(of: value)
            var repeated = false
            if idempotencyKey != nil, !pending.inserts.isEmpty { repeated = try await M.hasStoredLists(db, id: id) }
            let stored = try await bound.create(value, context: context, idempotencyKey: idempotencyKey, extra: pending.cells)
            // A repeat with the same key answers the record the first request made (its id, not the new one).
            let storedID = M.id(of: stored.value)
            if !repeated && storedID == id {
                for insert in pending.inserts { try await insert(db, id, records.audit, context) }
            }
            return try await reread(db, id: storedID)
        }
    }

    /// Applies a domain operation to the stored value under the version check: the parent's changed fields
    /// (one audited update) and the appended items (one audited row each) commit together or not at all.
    func modify(
        _ id: String, expectedVersion: Int, context: AuditContext, requireReason: Bool = false,
        _ operation: @escaping @Sendable (inout M.Value) throws -> Void
    ) async throws -> Versioned<M.Value> {
        if requireReason && context.trimmedReason == nil { throw RepositoryError.reasonRequired(kind: M.kind) }
        let records = self.records
        return try await records.transaction { db in
            guard let oldRow = try await records.fetch(db, id: id) else { throw RepositoryError.notFound(kind: M.kind, id: id) }
            guard oldRow.version == expectedVersion else {
                throw RepositoryError.staleVersion(kind: M.kind, id: id, expected: expectedVersion)
            }
            // A locked casebook refuses appends too (they may not pass through `write`; docs/locking.md).
            try await LockGuard.refuseIfLocked(table: M.table, kind: M.kind, id: id, cells: oldRow.cells, in: db)
            guard let old = try await complete(db, [oldRow]).first?.value else { throw RepositoryError.notFound(kind: M.kind, id: id) }
            var changed = old
            try operation(&changed)
            let new = changed
            let pending = try M.pendingLists(old: (old, oldRow.cells), new: new)
            let cells = try M.cells(of: new).merging(pending.cells) { _, n in n }
            let fields = M.columns.filter { !M.listColumns.contains($0.name) }
            if !pending.inserts.isEmpty && AuditDiff.changes(old: oldRow.cells, new: cells, columns: fields).isEmpty {
                try await bumpListBookkeeping(db, id: id, expectedVersion: expectedVersion, cells: cells)
            } else {
                _ = try await records.write(db, id: id, expectedVersion: expectedVersion, context: context) { _ in
                    (cells, M.derivedCells(of: new))
                }
            }
            for insert in pending.inserts { try await insert(db, id, records.audit, context) }
            return try await reread(db, id: id)
        }
    }

    /// Replaces the record's fields (an edit: needs a reason for clinical records); its lists may only grow.
    func update(_ value: M.Value, expectedVersion: Int, context: AuditContext) async throws -> Versioned<M.Value> {
        try await modify(M.id(of: value), expectedVersion: expectedVersion, context: context, requireReason: M.isClinical) { $0 = value }
    }

    /// A pure append: the parent's new counts and version, under the version check, without an audit entry
    /// of its own (each appended row has one, naming the parent, the actor, the request and the reason).
    private func bumpListBookkeeping(_ db: any SQLDatabase, id: String, expectedVersion: Int, cells: [String: SQLCell]) async throws {
        var update = db.update(M.table)
        for name in M.listColumns.sorted() { update = update.set(SQLIdentifier(name), to: (cells[name] ?? .null).expression) }
        let updated = try await update
            .set(SQLIdentifier("version"), to: SQLBind(expectedVersion + 1))
            .set(SQLIdentifier("updated_at"), to: SQLBind(StoredJSON.format(records.audit.clock.now())))
            .where("id", .equal, id).where("version", .equal, expectedVersion)
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
            .returning("id").first()
        // Another writer got there between our read and our write (PostgreSQL re-checks the WHERE).
        guard updated != nil else { throw RepositoryError.staleVersion(kind: M.kind, id: id, expected: expectedVersion) }
    }

    private func reread(_ db: any SQLDatabase, id: String) async throws -> Versioned<M.Value> {
        guard let row = try await records.fetch(db, id: id), let value = try await complete(db, [row]).first else {
            throw RepositoryError.notFound(kind: M.kind, id: id)
        }
        return value
    }
}
