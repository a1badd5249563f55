import Foundation
import RestoraDomain
import SQLKit

/// Export jobs (migration 0041, docs/exports.md). Each step is one transaction with its audit entries (site-less
/// chain): the create with one row per requested participant; start; done with the files and one row per
/// participant exported; failed with the reason. A job only moves forward: queued → running → done | failed
/// (queued → failed too); a finished job is never changed.
struct SQLExportJobRepository: ExportJobRepository {
    let records: RecordStore<ExportJobMapping>

    /// Child rows per INSERT statement: 1,000 rows × 6 binds stays far below SQLite's 32,766 parameters.
    static let rowsPerStatement = 1000

    func create(_ job: ExportJob, context: AuditContext) async throws -> Versioned<ExportJob> {
        var queued = job
        queued.status = .queued
        queued.files = []
        queued.participantCount = 0
        let value = queued
        let records = self.records
        return try await records.transaction { db in
            let bound = RecordStore<ExportJobMapping>(store: TransactionBoundStore(engine: records.store.engine, db: db, pendingAudit: records.audit.pending), audit: records.audit)
            _ = try await bound.create(value, context: context, idempotencyKey: nil)
            let rows = (value.requestedParticipants ?? []).map { ExportJobParticipantRow(participantID: $0, role: .requested) }
            try await Self.insert(db, ExportJobParticipantRows.self, parent: value.id.rawValue, rows, from: 0, audit: records.audit, context: context)
            return try await Self.reread(db, records, id: value.id.rawValue)
        }
    }

    func get(_ id: Identifier<ExportJob>) async throws -> Versioned<ExportJob> {
        let records = self.records
        return try await records.store.read { db in try await Self.reread(db, records, id: id.rawValue) }
    }

    func list(requestedBy userID: String?, limit: Int) async throws -> [Versioned<ExportJob>] {
        let records = self.records
        return try await records.store.read { db in
            var query = db.select().column(SQLRaw(RecordStore<ExportJobMapping>.selectList)).from(ExportJobMapping.table)
                .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
            if let userID { query = query.where(SQLIdentifier("requested_by_user"), .equal, SQLBind(userID)) }
            let rows = try await query.orderBy("requested_at", .descending).orderBy("id", .descending).limit(max(0, limit)).all()
                .map(records.storedRow)
            return try await Self.complete(db, records, rows)
        }
    }

    func start(_ id: Identifier<ExportJob>, at: Date, context: AuditContext) async throws -> Versioned<ExportJob> {
        try await move(id, context: context, allowedFrom: [.queued], to: .running) { job in job.startedAt = at }
    }

    func finish(
        _ id: Identifier<ExportJob>, folder: String, files: [ExportJob.File], participants: [Identifier<Participant>],
        version: String, at: Date, context: AuditContext
    ) async throws -> Versioned<ExportJob> {
        try await move(id, context: context, allowedFrom: [.running], to: .done, change: { job in
            job.folder = folder
            job.files = files
            job.participantCount = participants.count
            job.finishedAt = at
            job.restoraVersion = version
        }, then: { db, old in
            let audit = records.audit
            try await Self.insert(db, ExportJobFileRows.self, parent: id.rawValue, files, from: 0, audit: audit, context: context)
            try await Self.insert(db, ExportJobParticipantRows.self, parent: id.rawValue,
                                  participants.map { ExportJobParticipantRow(participantID: $0, role: .exported) },
                                  from: old.requestedParticipants?.count ?? 0, audit: audit, context: context)
        })
    }

    func fail(_ id: Identifier<ExportJob>, message: String, at: Date, context: AuditContext) async throws -> Versioned<ExportJob> {
        let words = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await move(id, context: context, allowedFrom: [.queued, .running], to: .failed) { job in
            job.errorMessage = words.isEmpty ? "the export failed" : words
            job.finishedAt = at
        }
    }

    func exportedParticipants(_ id: Identifier<ExportJob>) async throws -> [Identifier<Participant>] {
        _ = try await get(id)
        return try await records.store.read { db in
            try await Self.participantRows(db, parents: [id.rawValue], role: .exported)[id.rawValue] ?? []
        }
    }

    func failUnfinished(message: String, at: Date, context: AuditContext) async throws -> Int {
        let ids = try await records.store.read { db in
            try await db.select().column("id").from(ExportJobMapping.table)
                .where(SQLIdentifier("status"), .in, [ExportJob.Status.queued.rawValue, ExportJob.Status.running.rawValue])
                .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
                .all().map { try $0.decode(column: "id", as: String.self) }
        }
        for id in ids { _ = try await fail(Identifier(id), message: message, at: at, context: context) }
        return ids.count
    }

    // MARK: steps

    /// Moves the job from one of `allowedFrom` to `status`: one audited update of its row, then `then` (the
    /// child rows of a done job) in the same transaction. Any other move is refused (409), nothing written.
    private func move(
        _ id: Identifier<ExportJob>, context: AuditContext, allowedFrom: Set<ExportJob.Status>, to status: ExportJob.Status,
        change: @escaping @Sendable (inout ExportJob) -> Void,
        then: (@Sendable (any SQLDatabase, ExportJob) async throws -> Void)? = nil
    ) async throws -> Versioned<ExportJob> {
        let records = self.records
        return try await records.transaction { db in
            let old = try await Self.reread(db, records, id: id.rawValue)
            guard allowedFrom.contains(old.value.status) else {
                throw DomainError.illegalTransition(
                    from: old.value.status.rawValue, to: status.rawValue,
                    message: "export job \(id.rawValue) is \(old.value.status.rawValue) and cannot become \(status.rawValue)")
            }
            var job = old.value
            change(&job)
            job.status = status
            let cells = try ExportJobMapping.cells(of: job)
            _ = try await records.write(db, id: id.rawValue, expectedVersion: old.version, context: context) { _ in (cells, [:]) }
            try await then?(db, old.value)
            return try await Self.reread(db, records, id: id.rawValue)
        }
    }

    /// Inserts child rows in statements of `rowsPerStatement`, each row with its audited `create` entry.
    private static func insert<C: ChildRowMapping>(
        _ db: any SQLDatabase, _ rows: C.Type, parent: String, _ items: [C.Item], from first: Int, audit: AuditWriter, context: AuditContext
    ) async throws {
        for start in stride(from: 0, to: items.count, by: rowsPerStatement) {
            let chunk = items[start..<min(start + rowsPerStatement, items.count)]
            try await ChildRows<C>(audit: audit).insert(db, parentID: parent, items: chunk, from: first + start, context: context)
        }
    }

    private static func reread(_ db: any SQLDatabase, _ records: RecordStore<ExportJobMapping>, id: String) async throws -> Versioned<ExportJob> {
        guard let row = try await records.fetch(db, id: id), let job = try await complete(db, records, [row]).first else {
            throw RepositoryError.notFound(kind: ExportJobMapping.kind, id: id)
        }
        return job
    }

    /// The jobs of `rows` with their files and requested participants (one query per list; the exported
    /// participants, possibly many, are read only by `exportedParticipants`).
    private static func complete(
        _ db: any SQLDatabase, _ records: RecordStore<ExportJobMapping>, _ rows: [StoredRow]
    ) async throws -> [Versioned<ExportJob>] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        let files = try await ChildRows<ExportJobFileRows>.load(db, parents: ids)
        let requested = try await participantRows(db, parents: ids, role: .requested)
        return try rows.map { row in
            let stored = try records.decode(row)
            var job = stored.value
            job.files = try ChildRows<ExportJobFileRows>.items(
                files[row.id], count: try StoredCells(cells: row.cells, table: ExportJobMapping.table).integer("file_count"))
            if job.requestedParticipants != nil { job.requestedParticipants = requested[row.id] ?? [] }
            return Versioned(value: job, version: stored.version, createdAt: stored.createdAt, updatedAt: stored.updatedAt)
        }
    }

    private static func participantRows(
        _ db: any SQLDatabase, parents: [String], role: ExportJobParticipantRow.Role
    ) async throws -> [String: [Identifier<Participant>]] {
        var found: [String: [Identifier<Participant>]] = [:]
        for start in stride(from: 0, to: parents.count, by: childRowChunkSize) {
            let chunk = Array(parents[start..<min(start + childRowChunkSize, parents.count)])
            let rows = try await db.select().columns(SQLIdentifier(ExportJobParticipantRows.parentColumn), SQLIdentifier("participant_id"))
                .from(ExportJobParticipantRows.table)
                .where(SQLIdentifier(ExportJobParticipantRows.parentColumn), .in, chunk)
                .where(SQLIdentifier("role"), .equal, SQLBind(role.rawValue))
                .orderBy(ExportJobParticipantRows.parentColumn).orderBy("position")
                .all()
            for row in rows {
                found[try row.decode(column: ExportJobParticipantRows.parentColumn, as: String.self), default: []]
                    .append(Identifier(try row.decode(column: "participant_id", as: String.self)))
            }
        }
        return found
    }
}
