import Foundation
import RestoraDomain
import SQLKit

/// The chunked reads of a FHIR bulk export (docs/fhir.md "Bulk Data"): one statement per chunk, keyset-paged so
/// memory stays one chunk whatever the table's size. On SQLite the key is the rowid (the table's own b-tree order:
/// a chunk is a sequential read) and the rows are decoded by position as SQLite steps to them
/// (`SQLiteRowsByPosition`); on PostgreSQL the key is the id (its primary-key index) through SQLKit's rows.
/// Site scope, the Group's program, `_since` and the job's transaction time are conditions of the statement;
/// participants left out (consent to data use withdrawn) are dropped after the read.
struct SQLFHIRBulkSource: FHIRBulkSource {
    let store: any SQLStore
    let audit: AuditWriter

    func participants(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Participant> {
        let chunk = try await read(ParticipantMapping.self, scope, participantColumn: "id", after: after, limit: limit) { cells in
            try ParticipantMapping.value(from: cells)
        }
        guard !scope.excludedParticipants.isEmpty else { return chunk }
        return FHIRBulkChunk(rows: chunk.rows.filter { !scope.excludedParticipants.contains($0.value.id) }, next: chunk.next)
    }

    func observations(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Observation> {
        let chunk = try await read(ObservationMapping.self, scope, participantColumn: "participant_id", after: after, limit: limit,
                                   positional: { try ObservationMapping.value(at: $0) }) { cells in
            try ObservationMapping.value(from: cells)
        }
        guard !scope.excludedParticipants.isEmpty else { return chunk }
        return FHIRBulkChunk(rows: chunk.rows.filter { !scope.excludedParticipants.contains($0.value.participantID) }, next: chunk.next)
    }

    /// The conditions beyond the key, as SQL text with `?` placeholders and their text binds (SQLite) — the same
    /// conditions are built with SQLKit for PostgreSQL below.
    private static func conditions(_ scope: FHIRBulkScope, participantColumn: String) -> (sql: String, binds: [String]) {
        var sql = ""
        var binds: [String] = []
        if let sites = scope.sites {
            let list = sites.map(\.rawValue).sorted()
            if list.isEmpty { return (" AND 1 = 0", []) }
            sql += " AND \"site_id\" IN (" + Array(repeating: "?", count: list.count).joined(separator: ", ") + ")"
            binds += list
        }
        if let program = scope.program {
            sql += " AND \"\(participantColumn)\" IN (SELECT \"participant_id\" FROM \"enrolments\" WHERE \"deleted_at\" IS NULL AND \"program_id\" = ?)"
            binds.append(program.rawValue)
        }
        if let since = scope.since {
            sql += " AND \"updated_at\" > ?"
            binds.append(StoredJSON.format(since))
        }
        if let until = scope.until {
            sql += " AND \"updated_at\" <= ?"
            binds.append(StoredJSON.format(until))
        }
        return (sql, binds)
    }

    private func read<M: TableMapping>(
        _ mapping: M.Type, _ scope: FHIRBulkScope, participantColumn: String, after: String?, limit: Int,
        positional: (@Sendable (PositionalCells) throws -> M.Value)? = nil,
        named: @escaping @Sendable ([String: SQLCell]) throws -> M.Value
    ) async throws -> FHIRBulkChunk<M.Value> {
        let limit = max(1, limit)
        if let sqlite = store as? SQLiteStore {
            let after = after.flatMap(Int.init) ?? 0
            let columns = M.columns + [Column("version", .integer), Column("created_at"), Column("updated_at"), Column("rowid", .integer)]
            let (conditions, binds) = Self.conditions(scope, participantColumn: participantColumn)
            let sql = "SELECT \(PrebuiltSQL.list(M.columns.map(\.name) + ["version", "created_at", "updated_at"])), \"rowid\" FROM "
                + "\(PrebuiltSQL.quoted(M.table)) WHERE \"rowid\" > \(after) AND \"deleted_at\" IS NULL\(conditions) ORDER BY \"rowid\" LIMIT \(limit)"
            let count = M.columns.count
            let table = M.table
            let rows = try await sqlite.withReadConnection { connection in
                try await SQLiteRowsByPosition.read(connection, sql: sql, binds: binds, columns: columns, table: table) { cells in
                    let value: M.Value
                    if let positional {
                        value = try positional(cells)
                    } else {
                        var byName: [String: SQLCell] = [:]
                        for (index, column) in M.columns.enumerated() { byName[column.name] = try cells.cell(index) }
                        value = try named(byName)
                    }
                    guard let created = StoredJSON.parse(try cells.text(count + 1)), let updated = StoredJSON.parse(try cells.text(count + 2)) else {
                        throw StorageError.corruptRecord(table: table, column: "updated_at")
                    }
                    return (Versioned(value: value, version: try cells.integer(count), createdAt: created, updatedAt: updated),
                            try cells.integer(count + 3))
                }
            }
            return FHIRBulkChunk(rows: rows.map(\.0), next: rows.count == limit ? rows.last.map { String($0.1) } : nil)
        }
        let records = RecordStore<M>(store: store, audit: audit)
        let rows = try await store.readStatement { db in
            var query = db.select().column(SQLRaw(RecordStore<M>.selectList)).from(M.table)
                .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
            if let after { query = query.where(SQLIdentifier("id"), .greaterThan, SQLBind(after)) }
            if let sites = scope.sites { query = query.where(SQLIdentifier("site_id"), .in, sites.map(\.rawValue).sorted()) }
            if let program = scope.program {
                query = query.where(SQLIdentifier(participantColumn), .in, SQLRaw(
                    "(SELECT \"participant_id\" FROM \"enrolments\" WHERE \"deleted_at\" IS NULL AND \"program_id\" = "
                        + "'\(program.rawValue.replacingOccurrences(of: "'", with: "''"))')"))
            }
            if let since = scope.since { query = query.where(SQLIdentifier("updated_at"), .greaterThan, SQLBind(StoredJSON.format(since))) }
            if let until = scope.until { query = query.where(SQLIdentifier("updated_at"), .lessThanOrEqual, SQLBind(StoredJSON.format(until))) }
            return try await query.orderBy("id").limit(limit).all().map(records.storedRow)
        }
        let values = try rows.map { row -> Versioned<M.Value> in
            let value = try named(row.cells)
            guard let created = StoredJSON.parse(row.createdAt), let updated = StoredJSON.parse(row.updatedAt) else {
                throw StorageError.corruptRecord(table: M.table, column: "updated_at")
            }
            return Versioned(value: value, version: row.version, createdAt: created, updatedAt: updated)
        }
        return FHIRBulkChunk(rows: values, next: rows.count == limit ? rows.last?.id : nil)
    }
}
