import Foundation
import RestoraDomain
import SQLKit

extension RecordStore {
    /// Inserts a new record (version 1) with its audit entry; with an idempotency key, a repeat returns the
    /// record the first request created instead of a second one. `serverStamped` names columns the server
    /// fills at request time (e.g. a submission instant): they are left out of the request's fingerprint, so
    /// a repeat that arrives a second later is still the same request.
    func create(
        _ value: M.Value, context: AuditContext, idempotencyKey: String?, extra: [String: SQLCell] = [:],
        serverStamped: Set<String> = []
    ) async throws -> Versioned<M.Value> {
        let cells = try newCells(of: value, extra: extra)
        let id = M.id(of: value)
        let now = audit.clock.now()
        let row: StoredRow = try await transaction { db in
            if let key = idempotencyKey {
                let fingerprint = IdempotencyKeys.fingerprint(cells.filter { $0.key != "id" && !serverStamped.contains($0.key) })
                if let row = try await earlierRow(db, key: key, id: id, fingerprint: fingerprint, at: now) { return row }
            }
            // The site, the lock check, the INSERT … RETURNING and the audit entry: the batch path with one row.
            do {
                return try await insertAll(db, [(cells, id, now)], context: context)[0]
            } catch let failure as BatchItemError {
                throw failure.error
            }
        }
        return try decode(row)
    }

    /// Claims the idempotency key for the new record `id`: nil when the key is new, else the record an earlier
    /// request with the key created (a key reused with a different body is refused).
    func earlierRow(_ db: any SQLDatabase, key: String, id: String, fingerprint: String, at now: Date) async throws -> StoredRow? {
        guard let existing = try await IdempotencyKeys.claim(db, scope: M.table, key: key, recordID: id, fingerprint: fingerprint, at: now)
        else { return nil }
        guard let row = try await fetch(db, id: existing) else { throw RepositoryError.notFound(kind: M.kind, id: existing) }
        return row
    }

    /// A new record's cells: the mapping's, its derived query columns and `extra`.
    func newCells(of value: M.Value, extra: [String: SQLCell] = [:]) throws -> [String: SQLCell] {
        try self.cells(of: value).merging(M.derivedCells(of: value)) { _, new in new }.merging(extra) { _, new in new }
    }

    /// A write transaction whose constraint violations reach the caller as domain answers (duplicate: 409;
    /// unknown reference or refused value: 422), never as driver errors. Every write of a record goes here.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        do {
            return try await store.transaction(body)
        } catch {
            throw ConstraintViolation.domainError(for: error, kind: M.kind, uniqueField: M.uniqueField) ?? error
        }
    }

    /// Replaces the record if it is still at `expectedVersion`; writes the changed fields to the audit trail.
    func update(
        _ value: M.Value, expectedVersion: Int, context: AuditContext, requireReason: Bool = M.isClinical
    ) async throws -> Versioned<M.Value> {
        if requireReason && context.trimmedReason == nil { throw RepositoryError.reasonRequired(kind: M.kind) }
        let id = M.id(of: value)
        let newCells = try cells(of: value)
        let derived = M.derivedCells(of: value)
        let row: StoredRow = try await transaction { db in
            try await write(db, id: id, expectedVersion: expectedVersion, context: context) { _ in (newCells, derived) }
        }
        return try decode(row)
    }

    /// Read-check-write inside an open transaction: `change` maps the stored value to new cells.
    /// Used by update and by the domain operations (transitions, custody, dispensing) that start from the
    /// stored record.
    func write(
        _ db: any SQLDatabase, id: String, expectedVersion: Int, context: AuditContext,
        change: (StoredRow) throws -> (cells: [String: SQLCell], derived: [String: SQLCell])
    ) async throws -> StoredRow {
        guard let old = try await fetch(db, id: id) else { throw RepositoryError.notFound(kind: M.kind, id: id) }
        guard old.version == expectedVersion else {
            throw RepositoryError.staleVersion(kind: M.kind, id: id, expected: expectedVersion)
        }
        let (newCells, derived) = try change(old)
        // A locked casebook or visit refuses the change, as stored and as it would be (docs/locking.md).
        try await LockGuard.refuseIfLocked(table: M.table, kind: M.kind, id: id, old: old.cells, new: newCells, in: db)
        let changes = AuditDiff.changes(old: old.cells, new: newCells, columns: M.columns)
        guard !changes.isEmpty else { return old }
        let stamp = StoredJSON.format(audit.clock.now())
        var set = newCells.merging(derived, uniquingKeysWith: { _, n in n })
        set["id"] = nil
        set["version"] = .integer(expectedVersion + 1)
        set["updated_at"] = .text(stamp)
        let updated = try await db.raw(PrebuiltSQL.update(
            M.table, set: set, id: id, version: expectedVersion,
            returning: SiteScope.returning(M.table), then: PrebuiltSQL.list(Array((M.columns.map(\.name) + Self.bookkeeping).dropFirst()))
        )).first()
        // Another writer got there between our read and our write (PostgreSQL re-checks the WHERE).
        guard let updated else { throw RepositoryError.staleVersion(kind: M.kind, id: id, expected: expectedVersion) }
        // UPDATE … RETURNING gave the row as stored: no second statement to read it back, and its hash is of
        // the row as written.
        let row = try storedRow(updated)
        let site = try SiteScope.site(in: updated, of: M.table)
        try await audit.append(db, action: .update, table: M.table, recordID: id, changes: changes, context: context,
                               siteID: site, recordHash: RecordHash.stored(AuditedTables.of(M.self), row: row, site: site))
        return row
    }

    /// Soft delete: the row stays (the audit trail points at it) but no read returns it.
    func delete(id: String, expectedVersion: Int, context: AuditContext) async throws {
        if M.isClinical && context.trimmedReason == nil { throw RepositoryError.reasonRequired(kind: M.kind) }
        let stamp = StoredJSON.format(audit.clock.now())
        try await transaction { db in
            if let row = try await fetch(db, id: id) {
                try await LockGuard.refuseIfLocked(table: M.table, kind: M.kind, id: id, cells: row.cells, in: db)
            }
            let deleted = try await db.update(M.table)
                .set(SQLIdentifier("deleted_at"), to: SQLBind(stamp))
                .set(SQLIdentifier("version"), to: SQLBind(expectedVersion + 1))
                .where("id", .equal, id).where("version", .equal, expectedVersion)
                .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
                .returning(SiteScope.returning(M.table)).first()
            guard let deleted else {
                if try await fetch(db, id: id) == nil { throw RepositoryError.notFound(kind: M.kind, id: id) }
                throw RepositoryError.staleVersion(kind: M.kind, id: id, expected: expectedVersion)
            }
            let change = AuditEntry.Change(field: "deleted_at", old: nil, new: stamp)
            try await audit.append(db, action: .delete, table: M.table, recordID: id, changes: [change], context: context,
                                   siteID: try SiteScope.site(in: deleted, of: M.table), recordHash: RecordHash.tombstone)
        }
    }
}
