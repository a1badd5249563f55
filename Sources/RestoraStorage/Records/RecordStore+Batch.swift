import Foundation
import RestoraDomain
import SQLKit

/// Many new records of one table in one transaction (a bulk import, `ObservationRepository.createAll`): each row
/// is the row `create` would store — the same cells, site, idempotency claim, lock check, record hash and audit
/// entry — but the statements are per batch, not per row: one read of the parents' sites (`SiteScope.sites`), one
/// lock check (`LockGuard.refuseIfLocked(rows:)`), one INSERT … RETURNING per chunk of rows and one audit
/// `appendAll`. Only a keyed item costs a statement of its own (its idempotency claim).
extension RecordStore {
    /// Stores `items` in order and returns them as stored (a repeated idempotency key returns the record that
    /// key created, as `create` does). A refused item throws `BatchItemError` with its index; nothing is written.
    func createAll(_ items: [(value: M.Value, idempotencyKey: String?)], context: AuditContext) async throws -> [Versioned<M.Value>] {
        guard !items.isEmpty else { return [] }
        var prepared: [[String: SQLCell]] = []
        prepared.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do { prepared.append(try newCells(of: item.value)) } catch { throw BatchItemError(index: index, error: error) }
        }
        let cells = prepared
        let stamps = items.map { _ in audit.clock.now() }
        let keys = items.map(\.idempotencyKey)
        let rows: [StoredRow] = try await transaction { db in
            var result: [StoredRow?] = Array(repeating: nil, count: cells.count)
            var fresh: [Int] = []
            var sameAs: [(index: Int, first: Int)] = []
            var keyedInBatch: [String: Int] = [:]
            for index in cells.indices {
                guard let key = keys[index] else { fresh.append(index); continue }
                do {
                    let fingerprint = IdempotencyKeys.fingerprint(cells[index].filter { $0.key != "id" })
                    if let first = keyedInBatch[key] {
                        // The key's first use is in this batch, not written yet: the same answer the claim gives.
                        guard IdempotencyKeys.fingerprint(cells[first].filter { $0.key != "id" }) == fingerprint else {
                            throw RepositoryError.idempotencyKeyReused(key: key)
                        }
                        sameAs.append((index, first))
                        continue
                    }
                    if let row = try await earlierRow(db, key: key, id: M.id(of: items[index].value), fingerprint: fingerprint, at: stamps[index]) {
                        result[index] = row
                        continue
                    }
                } catch let error as BatchItemError {
                    throw error
                } catch {
                    throw BatchItemError(index: index, error: error)
                }
                keyedInBatch[key] = index
                fresh.append(index)
            }
            let inserted: [StoredRow]
            do {
                inserted = try await insertAll(db, fresh.map { (cells[$0], M.id(of: items[$0].value), stamps[$0]) }, context: context)
            } catch let failure as BatchItemError {
                throw BatchItemError(index: fresh[failure.index], error: failure.error)
            }
            for (position, index) in fresh.enumerated() { result[index] = inserted[position] }
            for alias in sameAs { result[alias.index] = result[alias.first] }
            return result.map { $0! }
        }
        return try rows.map(decode)
    }

    /// The rows' sites, lock check, INSERTs and audit entries (the part of `create` after the idempotency
    /// claim), for `rows` in order; a refused row throws `BatchItemError` with its position in `rows`.
    func insertAll(
        _ db: any SQLDatabase, _ rows: [(cells: [String: SQLCell], id: String, at: Date)], context: AuditContext
    ) async throws -> [StoredRow] {
        guard !rows.isEmpty else { return [] }
        // The row's site (its own, or its parent's) fills site_id and names the audit chain (SiteScope).
        let sites = try await SiteScope.sites(of: M.table, cells: rows.map(\.cells), kind: M.kind, in: db)
        // A locked casebook or visit refuses the new row (docs/locking.md; REFERENCE.md H2).
        try await LockGuard.refuseIfLocked(table: M.table, kind: M.kind, rows: rows.map { ($0.id, $0.cells) }, in: db)
        var full: [[String: SQLCell]] = []
        full.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            let stamp = StoredJSON.format(row.at)
            var all = row.cells
            if let site = sites[index] { all["site_id"] = .text(site) }
            all["version"] = .integer(1)
            all["created_at"] = .text(stamp)
            all["updated_at"] = .text(stamp)
            full.append(all)
        }
        var stored: [String: StoredRow] = [:]
        for decoded in try await insertReturning(db, full) { stored[decoded.id] = decoded }
        let audited = AuditedTables.of(M.self)
        var entries: [AuditWriter.Pending] = []
        var result: [StoredRow] = []
        entries.reserveCapacity(rows.count)
        result.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            guard let written = stored[row.id] else { throw RepositoryError.notFound(kind: M.kind, id: row.id) }
            entries.append(AuditWriter.Pending(
                action: .create, table: M.table, recordID: row.id, changes: [], context: context, siteID: sites[index],
                recordHash: RecordHash.stored(audited, row: written, site: sites[index])))
            result.append(written)
        }
        try await audit.appendAll(db, entries)
        return result
    }

    /// Inserts `rows` (every cell of each) and returns them as stored. On the SQLite writer the statement is
    /// bound and its rows read by position (`SQLiteWriterDatabase`), as `sqliteRows` reads; elsewhere through
    /// SQLKit. Either way the same `StoredRow`s (tested per mapping).
    private func insertReturning(_ db: any SQLDatabase, _ rows: [[String: SQLCell]]) async throws -> [StoredRow] {
        guard let writer = db as? SQLiteWriterDatabase else {
            var stored: [StoredRow] = []
            for statement in PrebuiltSQL.inserts(into: M.table, rows: rows, returning: Self.selectList) {
                for row in try await db.raw(statement).all() { stored.append(try storedRow(row)) }
            }
            return stored
        }
        let idPosition = PositionalCells.position(of: "id", in: M.columns)
        var stored: [StoredRow] = []
        for statement in PrebuiltSQL.inserts(into: M.table, rows: rows, returning: Self.selectList, as: PositionalStatement.self) {
            stored += try await SQLiteRowsByPosition.read(
                writer.handle, sql: statement.sql, binds: statement.binds, columns: Self.positionalColumns, table: M.table
            ) { cells in try Self.storedRow(cells, idPosition: idPosition) }
        }
        return stored
    }
}
