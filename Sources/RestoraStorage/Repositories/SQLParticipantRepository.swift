import Foundation
import RestoraDomain
import SQLKit

struct SQLParticipantRepository: ParticipantRepository {
    let records: RecordStore<ParticipantMapping>
    /// Where `open` queues its audit entry; nil inside a unit of work (the entry joins that transaction).
    var readAudit: ReadAuditQueue? = nil

    func create(_ participant: Participant, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<Participant> {
        try await records.create(participant, context: context, idempotencyKey: idempotencyKey)
    }

    func get(_ id: Identifier<Participant>) async throws -> Versioned<Participant> {
        try await records.get(id: id.rawValue)
    }

    func list(ids: [Identifier<Participant>]) async throws -> [Versioned<Participant>] {
        try await records.list(where: "id", in: ids.map(\.rawValue))
    }

    /// Two columns per participant, one statement per 500 ids (a soft-deleted participant counts as absent,
    /// as `list(ids:)` skips it).
    func sites(of ids: [Identifier<Participant>]) async throws -> [Identifier<Participant>: Identifier<Site>] {
        let unique = Array(Set(ids.map(\.rawValue))).sorted()
        var sites: [Identifier<Participant>: Identifier<Site>] = [:]
        sites.reserveCapacity(unique.count)
        for start in stride(from: 0, to: unique.count, by: 500) {
            let chunk = Array(unique[start..<min(start + 500, unique.count)])
            let rows = try await records.store.read { db in
                try await db.select().columns("id", "site_id").from(ParticipantMapping.table)
                    .where("id", .in, chunk).where("deleted_at", .is, SQLLiteral.null).all()
            }
            for row in rows {
                sites[Identifier(try row.decode(column: "id", as: String.self))] = Identifier(try row.decode(column: "site_id", as: String.self))
            }
        }
        return sites
    }

    /// Reads on a reader and queues the `read` entry for the next group commit (`ReadAuditQueue`); inside a
    /// unit of work, or while the queue cannot commit, reads and logs the read in one transaction: a read
    /// that cannot be logged is not shown.
    func open(_ id: Identifier<Participant>, context: AuditContext) async throws -> Versioned<Participant> {
        if let readAudit {
            let stored = try await records.get(id: id.rawValue)
            if await readAudit.enqueueIfHealthy(readEntry(stored.value, context)) { return stored }
        }
        let records = self.records
        let row = try await records.transaction { db in
            guard let row = try await records.fetch(db, id: id.rawValue) else {
                throw RepositoryError.notFound(kind: ParticipantMapping.kind, id: id.rawValue)
            }
            try await records.audit.append(
                db, action: .read, table: ParticipantMapping.table, recordID: id.rawValue, changes: [], context: context,
                siteID: row.cells["site_id"]?.text)
            return row
        }
        return try records.decode(row)
    }

    /// Queued like `open`'s entry; inside a unit of work, or while the queue cannot commit, appended in a
    /// transaction of its own (which throws when the entry cannot be written).
    func logRead(_ participant: Versioned<Participant>, context: AuditContext) async throws {
        let entry = readEntry(participant.value, context)
        if let readAudit, await readAudit.enqueueIfHealthy(entry) { return }
        let audit = records.audit
        try await records.transaction { db in
            try await audit.append(
                db, action: .read, table: entry.table, recordID: entry.recordID, changes: [], context: context, siteID: entry.siteID)
        }
    }

    private func readEntry(_ participant: Participant, _ context: AuditContext) -> ReadAuditQueue.Entry {
        ReadAuditQueue.Entry(
            table: ParticipantMapping.table, recordID: participant.id.rawValue, context: context, siteID: participant.siteID.rawValue)
    }

    /// Keyset paging on the id: stable under inserts, and each page is one indexed range scan.
    func search(_ query: ParticipantQuery) async throws -> Page<Versioned<Participant>> {
        if let sites = query.siteIDs, sites.isEmpty { return Page(items: [], nextCursor: nil) }
        let limit = min(max(query.limit, 1), 200)
        let after = try query.cursor.map(ParticipantCursor.decode)
        let name = query.name?.lowercased()
        let records = self.records
        let rows = try await records.store.read { db in
            try await records.rows(db, orderBy: "id") { q in
                var q = q
                if let sites = query.siteIDs { q = q.where("site_id", .in, sites.map(\.rawValue).sorted()) }
                if let mrn = query.mrn { q = q.where("mrn", .equal, mrn) }
                if let name, !name.isEmpty { q = q.where(Self.contains("search_name", name)) }
                if let after { q = q.where("id", .greaterThan, after) }
                return q.limit(limit + 1)
            }
        }
        let page = try rows.prefix(limit).map(records.decode)
        let next = rows.count > limit ? page.last.map { ParticipantCursor.encode(lastID: $0.value.id.rawValue) } : nil
        return Page(items: page, nextCursor: next)
    }

    /// `column LIKE '%text%'` with `%`, `_` and the escape character itself taken literally (an explicit
    /// ESCAPE, the same on SQLite and PostgreSQL; `!` rather than a backslash, whose meaning in a string
    /// literal depends on PostgreSQL settings). The pattern is a bound value.
    static func contains(_ column: String, _ text: String) -> SQLQueryString {
        let escaped = text.replacingOccurrences(of: "!", with: "!!")
            .replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
        return "\(ident: column) LIKE \(bind: "%" + escaped + "%") ESCAPE '!'"
    }

    func update(_ participant: Participant, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Participant> {
        try await records.update(participant, expectedVersion: expectedVersion, context: context)
    }

    func delete(_ id: Identifier<Participant>, expectedVersion: Int, context: AuditContext) async throws {
        try await records.delete(id: id.rawValue, expectedVersion: expectedVersion, context: context)
    }
}
