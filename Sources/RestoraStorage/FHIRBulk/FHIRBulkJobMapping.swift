import Foundation
import RestoraDomain

/// `fhir_bulk_jobs` (migration 0049): one FHIR Bulk Data job. Not clinical (no reason for change); written only
/// through `SQLFHIRBulkJobRepository`, which moves the status forward and never edits a finished job.
enum FHIRBulkJobMapping: TableMapping {
    typealias Value = FHIRBulkJob
    static let table = "fhir_bulk_jobs"
    static let kind = "bulk data job"
    static let isClinical = false
    static let columns = [
        Column("id"), Column("kind"), Column("level"), Column("group_id"), Column("status"), Column("resource_types"),
        Column("since"), Column("site_scope", .json), Column("request"), Column("requested_by_user"), Column("requested_by_role"),
        Column("requested_by_name"), Column("requested_at"), Column("transaction_time"), Column("started_at"), Column("finished_at"),
        Column("folder"), Column("error_message"), Column("outputs", .json), Column("output_count", .integer),
        Column("refused_count", .integer),
    ]
    static func id(of value: FHIRBulkJob) -> String { value.id.rawValue }

    static func cells(of job: FHIRBulkJob) throws -> [String: SQLCell] {
        ["id": .text(job.id.rawValue), "kind": .text(job.kind.rawValue), "level": .text(job.level.rawValue),
         "group_id": Cell.id(job.groupID), "status": .text(job.status.rawValue),
         "resource_types": Cell.text(job.types?.joined(separator: ",")), "since": Cell.instant(job.since),
         "site_scope": try Cell.json(job.sites.map { $0.map(\.rawValue).sorted() }), "request": .text(job.request),
         "requested_by_user": .text(job.requestedBy.userID), "requested_by_role": Cell.text(job.requestedBy.role),
         "requested_by_name": .text(job.requestedByName), "requested_at": Cell.instant(job.requestedAt),
         "transaction_time": Cell.instant(job.transactionTime), "started_at": Cell.instant(job.startedAt),
         "finished_at": Cell.instant(job.finishedAt), "folder": Cell.text(job.folder), "error_message": Cell.text(job.errorMessage),
         "outputs": try Cell.json(job.outputs), "output_count": .integer(job.outputs.count), "refused_count": .integer(job.refusedCount)]
    }

    static func value(from cells: [String: SQLCell]) throws -> FHIRBulkJob {
        let c = StoredCells(cells: cells, table: table)
        let types = try c.optionalText("resource_types").map { $0.split(separator: ",").map(String.init) }
        return FHIRBulkJob(
            id: try c.id("id"), kind: try c.enumValue("kind"), level: try c.enumValue("level"), groupID: try c.optionalID("group_id"),
            status: try c.enumValue("status"), types: types, since: try c.optionalInstant("since"),
            sites: try c.optionalJSON("site_scope", as: [String].self).map { $0.map { Identifier($0) } },
            request: try c.text("request"),
            requestedBy: Actor(userID: try c.text("requested_by_user"), role: try c.optionalText("requested_by_role")),
            requestedByName: try c.text("requested_by_name"), requestedAt: try c.instant("requested_at"),
            transactionTime: try c.instant("transaction_time"), startedAt: try c.optionalInstant("started_at"),
            finishedAt: try c.optionalInstant("finished_at"), folder: try c.optionalText("folder"),
            errorMessage: try c.optionalText("error_message"), outputs: try c.json("outputs", as: [FHIRBulkJob.Output].self),
            refusedCount: try c.integer("refused_count"))
    }
}
