import Foundation
import RestoraDomain

/// `export_jobs` (migration 0041): one research data export. Not clinical (no reason for change); written only
/// through `SQLExportJobRepository`, which moves the status forward and never edits a finished job. The counts
/// of its child rows are columns of its own (checked by `restora audit verify --records`).
enum ExportJobMapping: TableMapping {
    typealias Value = ExportJob
    static let table = "export_jobs"
    static let kind = "export job"
    static let isClinical = false
    static let columns = [
        Column("id"), Column("kind"), Column("program_id"), Column("deidentified", .boolean), Column("date_precision"),
        Column("site_scope", .json), Column("requested_count", .integer), Column("status"), Column("requested_by_user"),
        Column("requested_by_role"), Column("requested_by_name"), Column("requested_at"), Column("started_at"), Column("finished_at"),
        Column("error_message"), Column("folder"), Column("participant_count", .integer), Column("file_count", .integer),
        Column("synthetic", .boolean), Column("restora_version"),
    ]
    static func id(of value: ExportJob) -> String { value.id.rawValue }

    static func cells(of job: ExportJob) throws -> [String: SQLCell] {
        ["id": .text(job.id.rawValue), "kind": .text(job.kind), "program_id": .text(job.programID.rawValue),
         "deidentified": .boolean(job.deidentified), "date_precision": .text(job.datePrecision),
         "site_scope": try Cell.json(job.sites.map { $0.map(\.rawValue).sorted() }),
         "requested_count": Cell.integer(job.requestedParticipants?.count), "status": .text(job.status.rawValue),
         "requested_by_user": .text(job.requestedBy.userID), "requested_by_role": Cell.text(job.requestedBy.role),
         "requested_by_name": .text(job.requestedByName), "requested_at": Cell.instant(job.requestedAt),
         "started_at": Cell.instant(job.startedAt), "finished_at": Cell.instant(job.finishedAt),
         "error_message": Cell.text(job.errorMessage), "folder": Cell.text(job.folder),
         "participant_count": .integer(job.participantCount), "file_count": .integer(job.files.count),
         "synthetic": .boolean(job.synthetic), "restora_version": Cell.text(job.restoraVersion)]
    }

    /// The job without its lists: `files` empty, `requestedParticipants` empty when some were asked for
    /// (`SQLExportJobRepository` fills both from the child rows).
    static func value(from cells: [String: SQLCell]) throws -> ExportJob {
        let c = StoredCells(cells: cells, table: table)
        return ExportJob(
            id: try c.id("id"), kind: try c.text("kind"), programID: try c.id("program_id"), deidentified: try c.bool("deidentified"),
            datePrecision: try c.text("date_precision"),
            sites: try c.optionalJSON("site_scope", as: [String].self).map { $0.map { Identifier($0) } },
            requestedParticipants: try c.optionalInteger("requested_count").map { _ in [] },
            status: try c.enumValue("status"),
            requestedBy: Actor(userID: try c.text("requested_by_user"), role: try c.optionalText("requested_by_role")),
            requestedByName: try c.text("requested_by_name"), requestedAt: try c.instant("requested_at"),
            startedAt: try c.optionalInstant("started_at"), finishedAt: try c.optionalInstant("finished_at"),
            errorMessage: try c.optionalText("error_message"), folder: try c.optionalText("folder"),
            participantCount: try c.integer("participant_count"), files: [], synthetic: try c.bool("synthetic"),
            restoraVersion: try c.optionalText("restora_version"))
    }
}

/// One participant row of an export job: asked for, or exported.
struct ExportJobParticipantRow: Hashable, Sendable {
    enum Role: String, Hashable, Sendable { case requested, exported }
    var participantID: Identifier<Participant>
    var role: Role
}

/// `export_job_participants` (migration 0041): the participants an export was asked for and those it exported.
enum ExportJobParticipantRows: ChildRowMapping {
    static let table = "export_job_participants"
    static let parentColumn = "export_job_id"
    static let columns = [Column("participant_id"), Column("role")]

    static func cells(of item: ExportJobParticipantRow) -> [String: SQLCell] {
        ["participant_id": .text(item.participantID.rawValue), "role": .text(item.role.rawValue)]
    }

    static func item(from cells: [String: SQLCell]) throws -> ExportJobParticipantRow {
        let row = stored(cells)
        return ExportJobParticipantRow(participantID: try row.id("participant_id"), role: try row.enumValue("role"))
    }
}

/// `export_job_files` (migration 0041): the files of a done export's package, as its manifest lists them.
enum ExportJobFileRows: ChildRowMapping {
    static let table = "export_job_files"
    static let parentColumn = "export_job_id"
    static let columns = [Column("name"), Column("row_count", .integer), Column("byte_count", .integer), Column("sha256"), Column("description")]

    static func cells(of item: ExportJob.File) -> [String: SQLCell] {
        ["name": .text(item.name), "row_count": .integer(item.rows), "byte_count": .integer(item.bytes), "sha256": .text(item.sha256),
         "description": .text(item.description)]
    }

    static func item(from cells: [String: SQLCell]) throws -> ExportJob.File {
        let row = stored(cells)
        return ExportJob.File(name: try row.text("name"), rows: try row.integer("row_count"), bytes: try row.integer("byte_count"),
                              sha256: try row.text("sha256"), description: try row.text("description"))
    }
}
