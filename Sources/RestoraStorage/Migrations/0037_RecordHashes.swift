import Foundation
import RestoraDomain
import SQLKit

/// Record-level tamper evidence (issue #19, docs/audit-integrity.md): every audit entry that creates, changes
/// or deletes a row carries `record_hash`, the hash of the row's full content as written (`RecordHash`), or
/// `tombstone` for a delete. The column joins the entry's chain hash (`AuditChain.canonical`) when set.
///
/// Moving forward: rows written before this migration have no hashed entry, so each live row of every
/// audited table (`AuditedTables.all`) gets one `baseline` entry by the actor `system`, in its site's chain,
/// hashing the row as it stands now; an upgraded database then verifies clean with
/// `restora audit verify --records`. What the rows held before the upgrade is vouched for by the trail up
/// to here only as far as its `changes` say; from here on every row is.
let m0037_RecordHashes = Migration(name: "0037_RecordHashes", statements: [
    "ALTER TABLE audit_log ADD COLUMN record_hash TEXT",
])

/// 0037's data step (`migrationCode` in Migration.swift): the baseline entries.
@Sendable func m0037_writeBaseline(_ db: any SQLDatabase, _ engine: SQLEngine) async throws {
    try await RecordBaseline.write(db, engine: engine, tables: AuditedTables.all, clock: SystemClock())
}

/// Baseline entries for live rows that have no hashed entry yet. Reads `SELECT *`, so it hashes exactly the
/// columns the table has at this point of the migrations (a column a later migration adds is NULL here,
/// and NULL columns are not part of the canonical form).
enum RecordBaseline {
    static let context = AuditContext(
        actor: Actor(userID: "system", role: nil), requestID: "migration-0037",
        reason: "record hashes begin: the row as it stood at the upgrade")
    static let pageSize = 1000

    @discardableResult
    static func write(_ db: any SQLDatabase, engine: SQLEngine, tables: [AuditedTable], clock: any Clock) async throws -> Int {
        let writer = AuditWriter(clock: clock)
        var written = 0
        for table in tables where try await exists(db, engine: engine, table: table.name) {
            var after = ""
            while true {
                let live = table.softDeletes ? "t.\"deleted_at\" IS NULL AND " : ""
                let rows = try await db.raw("""
                    SELECT t.* FROM \(unsafeRaw: PrebuiltSQL.quoted(table.name)) t
                    WHERE \(unsafeRaw: live)t."id" > \(bind: after) AND NOT EXISTS (
                        SELECT 1 FROM "audit_log" a WHERE a."table_name" = \(bind: table.name) AND a."record_id" = t."id"
                        AND a."record_hash" IS NOT NULL)
                    ORDER BY t."id" LIMIT \(unsafeRaw: String(pageSize))
                    """).all()
                guard let last = rows.last else { break }
                var pending: [AuditWriter.Pending] = []
                for row in rows {
                    let cells = try RecordHash.presentCells(table, row: row)
                    let id = cells["id"]?.text ?? ""
                    pending.append(AuditWriter.Pending(
                        action: .baseline, table: table.name, recordID: id, changes: [], context: context,
                        siteID: SiteScope.of(table.name) == .siteless ? nil : cells["site_id"]?.text,
                        recordHash: RecordHash.stored(table, cells: cells)))
                }
                try await writer.appendAll(db, pending)
                written += pending.count
                after = try last.decode(column: "id", as: String.self)
                if rows.count < pageSize { break }
            }
        }
        return written
    }

    /// `update` entries for the rows a later migration's statements filled in `column` (every row where it
    /// is now set: the column is new in that migration), each with the row's new record hash.
    static func writeChanged(_ db: any SQLDatabase, table: AuditedTable, column: String, context: AuditContext) async throws {
        let writer = AuditWriter(clock: SystemClock())
        var after = ""
        while true {
            let rows = try await db.raw("""
                SELECT t.* FROM \(unsafeRaw: PrebuiltSQL.quoted(table.name)) t
                WHERE t.\(unsafeRaw: PrebuiltSQL.quoted(column)) IS NOT NULL AND t."id" > \(bind: after)
                ORDER BY t."id" LIMIT \(unsafeRaw: String(pageSize))
                """).all()
            guard let last = rows.last else { break }
            var pending: [AuditWriter.Pending] = []
            for row in rows {
                let cells = try RecordHash.presentCells(table, row: row)
                pending.append(AuditWriter.Pending(
                    action: .update, table: table.name, recordID: cells["id"]?.text ?? "",
                    changes: [AuditEntry.Change(field: column, old: nil, new: cells[column]?.text)], context: context,
                    siteID: SiteScope.of(table.name) == .siteless ? nil : cells["site_id"]?.text,
                    recordHash: RecordHash.stored(table, cells: cells)))
            }
            try await writer.appendAll(db, pending)
            after = try last.decode(column: "id", as: String.self)
            if rows.count < pageSize { break }
        }
    }

    static func exists(_ db: any SQLDatabase, engine: SQLEngine, table: String) async throws -> Bool {
        let query: SQLQueryString = engine == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: table)"
            : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(bind: table)"
        return try await db.raw(query).first() != nil
    }
}
