import Foundation

/// One research data export (issue #18, docs/exports.md): what was asked for, by whom, when, how it went, the
/// files it wrote and — kept server-side, never in the package — which participants it exported. The same
/// record serves every door: `restora export` writes one (done or failed), the JSON API and the web page one
/// per asynchronous job (queued → running → done | failed). Stored in `export_jobs` (migration 0041) with its
/// files and participants as child rows, audited in the site-less chain (an export may span sites).
public struct ExportJob: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case queued, running, done, failed
    }

    /// One file of the package as its manifest lists it.
    public struct File: Hashable, Sendable, Codable {
        public var name: String
        public var rows: Int
        public var bytes: Int
        /// SHA-256 of the file's bytes, 64 lower-case hex digits.
        public var sha256: String
        public var description: String

        public init(name: String, rows: Int, bytes: Int, sha256: String, description: String) {
            self.name = name
            self.rows = rows
            self.bytes = bytes
            self.sha256 = sha256
            self.description = description
        }
    }

    public var id: Identifier<ExportJob>
    /// `csv`, `sdtm` or `odm` (RestoraExport's `ExportKind`; CHECKed by the table).
    public var kind: String
    public var programID: Identifier<Program>
    public var deidentified: Bool
    /// `day` or `year` (`ExportParticipant.DatePrecision`).
    public var datePrecision: String
    /// The sites whose participants the export may contain; nil = every site (an admin, or the command line).
    public var sites: [Identifier<Site>]?
    /// The participants asked for; nil = all of the program's (within `sites`).
    public var requestedParticipants: [Identifier<Participant>]?
    public var status: Status
    /// Who asked: the user's id and role (`cli:<login>` for an unnamed operator of the command line).
    public var requestedBy: Actor
    /// The username (or `cli:<login>`), as written into the package's manifest (`createdBy`).
    public var requestedByName: String
    public var requestedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Why a failed export stopped, in words (never a stack trace or a participant's data).
    public var errorMessage: String?
    /// Where the package was written (an absolute path on the server).
    public var folder: String?
    /// Participants exported (set when done).
    public var participantCount: Int
    /// The manifest's files (set when done).
    public var files: [File]
    public var synthetic: Bool
    public var restoraVersion: String?

    public init(
        id: Identifier<ExportJob>, kind: String, programID: Identifier<Program>, deidentified: Bool, datePrecision: String,
        sites: [Identifier<Site>]?, requestedParticipants: [Identifier<Participant>]?, status: Status = .queued,
        requestedBy: Actor, requestedByName: String, requestedAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil,
        errorMessage: String? = nil, folder: String? = nil, participantCount: Int = 0, files: [File] = [], synthetic: Bool,
        restoraVersion: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.programID = programID
        self.deidentified = deidentified
        self.datePrecision = datePrecision
        self.sites = sites
        self.requestedParticipants = requestedParticipants
        self.status = status
        self.requestedBy = requestedBy
        self.requestedByName = requestedByName
        self.requestedAt = requestedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorMessage = errorMessage
        self.folder = folder
        self.participantCount = participantCount
        self.files = files
        self.synthetic = synthetic
        self.restoraVersion = restoraVersion
    }

    /// Whether the job has ended (done or failed).
    public var isFinished: Bool { status == .done || status == .failed }
}

/// Export jobs (migration 0041). Every change is audited in the site-less chain: the create (who asked for
/// what), each status change, and one entry per participant row and file row written when the job is done.
public protocol ExportJobRepository: Sendable {
    /// Stores a queued job with its requested participants (one row each).
    func create(_ job: ExportJob, context: AuditContext) async throws -> Versioned<ExportJob>
    func get(_ id: Identifier<ExportJob>) async throws -> Versioned<ExportJob>
    /// Newest first; `requestedBy` limits the list to one user's jobs (nil = everyone's).
    func list(requestedBy userID: String?, limit: Int) async throws -> [Versioned<ExportJob>]
    /// queued → running.
    func start(_ id: Identifier<ExportJob>, at: Date, context: AuditContext) async throws -> Versioned<ExportJob>
    /// running → done, with the package's folder and files and the participants exported, in one transaction.
    func finish(
        _ id: Identifier<ExportJob>, folder: String, files: [ExportJob.File], participants: [Identifier<Participant>],
        version: String, at: Date, context: AuditContext
    ) async throws -> Versioned<ExportJob>
    /// queued or running → failed, with the reason in words.
    func fail(_ id: Identifier<ExportJob>, message: String, at: Date, context: AuditContext) async throws -> Versioned<ExportJob>
    /// The participants a done job exported, in the order written (the audit's answer to "which participants").
    func exportedParticipants(_ id: Identifier<ExportJob>) async throws -> [Identifier<Participant>]
    /// Marks every queued or running job failed with `message` (a server that starts again: the process that ran
    /// them is gone). Returns how many.
    func failUnfinished(message: String, at: Date, context: AuditContext) async throws -> Int
}
