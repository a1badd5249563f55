import Foundation
import RestoraDomain
import SQLKit

/// FHIR Bulk Data jobs (migration 0049). Each step is one transaction: the job row's audited write (site-less
/// chain). A job only moves forward: queued → running → done | failed | cancelled; a finished job is never changed
/// (a second cancel, or a cancel of a done job, is refused with 409).
struct SQLFHIRBulkJobRepository: FHIRBulkJobRepository {
    let records: RecordStore<FHIRBulkJobMapping>

    func create(_ job: FHIRBulkJob, context: AuditContext) async throws -> Versioned<FHIRBulkJob> {
        var queued = job
        queued.status = .queued
        queued.outputs = []
        queued.refusedCount = 0
        return try await records.create(queued, context: context, idempotencyKey: nil)
    }

    func get(_ id: Identifier<FHIRBulkJob>) async throws -> Versioned<FHIRBulkJob> {
        try await records.get(id: id.rawValue)
    }

    func start(_ id: Identifier<FHIRBulkJob>, folder: String?, at: Date, context: AuditContext) async throws -> Versioned<FHIRBulkJob> {
        try await move(id, context: context, allowedFrom: [.queued], to: .running) { job in
            job.startedAt = at
            job.folder = folder
        }
    }

    func finish(_ id: Identifier<FHIRBulkJob>, outputs: [FHIRBulkJob.Output], refused: Int, at: Date,
                context: AuditContext) async throws -> Versioned<FHIRBulkJob> {
        try await move(id, context: context, allowedFrom: [.running], to: .done) { job in
            job.outputs = outputs
            job.refusedCount = refused
            job.finishedAt = at
        }
    }

    func fail(_ id: Identifier<FHIRBulkJob>, message: String, at: Date, context: AuditContext) async throws -> Versioned<FHIRBulkJob> {
        let words = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await move(id, context: context, allowedFrom: [.queued, .running], to: .failed) { job in
            job.errorMessage = words.isEmpty ? "the bulk data job failed" : words
            job.finishedAt = at
        }
    }

    func cancel(_ id: Identifier<FHIRBulkJob>, at: Date, context: AuditContext) async throws -> Versioned<FHIRBulkJob> {
        try await move(id, context: context, allowedFrom: [.queued, .running, .done], to: .cancelled) { job in job.finishedAt = at }
    }

    func failUnfinished(message: String, at: Date, context: AuditContext) async throws -> Int {
        let ids = try await records.store.read { db in
            try await db.select().column("id").from(FHIRBulkJobMapping.table)
                .where(SQLIdentifier("status"), .in, [FHIRBulkJob.Status.queued.rawValue, FHIRBulkJob.Status.running.rawValue])
                .where(SQLIdentifier("kind"), .equal, SQLBind(FHIRBulkJob.Kind.export.rawValue))
                .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
                .all().map { try $0.decode(column: "id", as: String.self) }
        }
        for id in ids { _ = try await fail(Identifier(id), message: message, at: at, context: context) }
        return ids.count
    }

    /// One audited update of the job's row from one of `allowedFrom` to `status`; any other move is refused
    /// (409), nothing written. A move is not the client's edit of a version it read: when the row moved on between
    /// this read and write (PostgreSQL READ COMMITTED: the runner marking the job running while a DELETE cancels
    /// it), the move is tried again on the new row, whose status decides afresh.
    private func move(
        _ id: Identifier<FHIRBulkJob>, context: AuditContext, allowedFrom: Set<FHIRBulkJob.Status>, to status: FHIRBulkJob.Status,
        change: @escaping @Sendable (inout FHIRBulkJob) -> Void
    ) async throws -> Versioned<FHIRBulkJob> {
        for _ in 1..<5 {
            do {
                return try await moveOnce(id, context: context, allowedFrom: allowedFrom, to: status, change: change)
            } catch RepositoryError.staleVersion {
                continue
            }
        }
        return try await moveOnce(id, context: context, allowedFrom: allowedFrom, to: status, change: change)
    }

    private func moveOnce(
        _ id: Identifier<FHIRBulkJob>, context: AuditContext, allowedFrom: Set<FHIRBulkJob.Status>, to status: FHIRBulkJob.Status,
        change: @escaping @Sendable (inout FHIRBulkJob) -> Void
    ) async throws -> Versioned<FHIRBulkJob> {
        let records = self.records
        return try await records.transaction { db in
            guard let row = try await records.fetch(db, id: id.rawValue) else {
                throw RepositoryError.notFound(kind: FHIRBulkJobMapping.kind, id: id.rawValue)
            }
            let old = try records.decode(row)
            guard allowedFrom.contains(old.value.status) else {
                throw DomainError.illegalTransition(
                    from: old.value.status.rawValue, to: status.rawValue,
                    message: "bulk data job \(id.rawValue) is \(old.value.status.rawValue) and cannot become \(status.rawValue)")
            }
            var job = old.value
            change(&job)
            job.status = status
            let cells = try FHIRBulkJobMapping.cells(of: job)
            _ = try await records.write(db, id: id.rawValue, expectedVersion: old.version, context: context) { _ in (cells, [:]) }
            guard let reread = try await records.fetch(db, id: id.rawValue) else {
                throw RepositoryError.notFound(kind: FHIRBulkJobMapping.kind, id: id.rawValue)
            }
            return try records.decode(reread)
        }
    }
}
