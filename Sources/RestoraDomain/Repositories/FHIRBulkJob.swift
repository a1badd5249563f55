import Foundation

/// One FHIR Bulk Data job (issue #17, docs/fhir.md "Bulk Data"): an asynchronous `$export`
/// (https://hl7.org/fhir/uv/bulkdata/STU2/export.html) or an `import` of NDJSON. What was asked for (level, group,
/// `_type`, `_since`), by whom, when, within which sites, how it went, and the files written (type, count, bytes).
/// Stored in `fhir_bulk_jobs` (migration 0049), audited in the site-less chain (a job may span sites).
/// A job moves forward only: queued → running → done | failed | cancelled (a queued job may also be cancelled or fail).
public struct FHIRBulkJob: Hashable, Sendable, Codable, Identifiable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable { case export, `import` }
    /// The `$export` level: `/fhir/$export`, `/fhir/Patient/$export`, `/fhir/Group/<program id>/$export`.
    public enum Level: String, Hashable, Sendable, Codable, CaseIterable { case system, patient, group }
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable { case queued, running, done, failed, cancelled }

    /// One NDJSON file of an export (or, for an import, the lines of one type loaded).
    public struct Output: Hashable, Sendable, Codable {
        public var type: String
        /// The file's name in the job's folder, e.g. `Observation-1.ndjson` (empty for an import).
        public var file: String
        public var count: Int
        public var bytes: Int

        public init(type: String, file: String, count: Int, bytes: Int) {
            self.type = type
            self.file = file
            self.count = count
            self.bytes = bytes
        }
    }

    public var id: Identifier<FHIRBulkJob>
    public var kind: Kind
    public var level: Level
    /// The program of a group-level export.
    public var groupID: Identifier<Program>?
    public var status: Status
    /// The `_type` resource types asked for, in the order given; nil = every type the export supports.
    public var types: [String]?
    /// `_since`: only resources updated after this instant.
    public var since: Date?
    /// The sites the requester sees; nil = every site (an admin, or the command line).
    public var sites: [Identifier<Site>]?
    /// The kick-off request URL (the manifest's `request`), or the imported file's name.
    public var request: String
    public var requestedBy: Actor
    public var requestedByName: String
    public var requestedAt: Date
    /// The manifest's `transactionTime`: resources changed after it are not in the export.
    public var transactionTime: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The folder of the NDJSON files (an absolute path on the server; never shown to a client).
    public var folder: String?
    public var errorMessage: String?
    public var outputs: [Output]
    /// Lines an import refused (0 for an export).
    public var refusedCount: Int

    public init(
        id: Identifier<FHIRBulkJob>, kind: Kind, level: Level, groupID: Identifier<Program>? = nil, status: Status = .queued,
        types: [String]? = nil, since: Date? = nil, sites: [Identifier<Site>]? = nil, request: String, requestedBy: Actor,
        requestedByName: String, requestedAt: Date, transactionTime: Date, startedAt: Date? = nil, finishedAt: Date? = nil,
        folder: String? = nil, errorMessage: String? = nil, outputs: [Output] = [], refusedCount: Int = 0
    ) {
        self.id = id
        self.kind = kind
        self.level = level
        self.groupID = groupID
        self.status = status
        self.types = types
        self.since = since
        self.sites = sites
        self.request = request
        self.requestedBy = requestedBy
        self.requestedByName = requestedByName
        self.requestedAt = requestedAt
        self.transactionTime = transactionTime
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.folder = folder
        self.errorMessage = errorMessage
        self.outputs = outputs
        self.refusedCount = refusedCount
    }

    public var isFinished: Bool { status == .done || status == .failed || status == .cancelled }
}

/// Bulk jobs (migration 0049). Every step is one audited write of the job's row (site-less chain).
public protocol FHIRBulkJobRepository: Sendable {
    func create(_ job: FHIRBulkJob, context: AuditContext) async throws -> Versioned<FHIRBulkJob>
    func get(_ id: Identifier<FHIRBulkJob>) async throws -> Versioned<FHIRBulkJob>
    /// queued → running, with the folder the files go to.
    func start(_ id: Identifier<FHIRBulkJob>, folder: String?, at: Date, context: AuditContext) async throws -> Versioned<FHIRBulkJob>
    /// running → done with the outputs (and, for an import, the refused lines' count).
    func finish(_ id: Identifier<FHIRBulkJob>, outputs: [FHIRBulkJob.Output], refused: Int, at: Date,
                context: AuditContext) async throws -> Versioned<FHIRBulkJob>
    /// queued or running → failed, with the reason in words.
    func fail(_ id: Identifier<FHIRBulkJob>, message: String, at: Date, context: AuditContext) async throws -> Versioned<FHIRBulkJob>
    /// queued or running → cancelled (`DELETE` on the status URL).
    func cancel(_ id: Identifier<FHIRBulkJob>, at: Date, context: AuditContext) async throws -> Versioned<FHIRBulkJob>
    /// Marks every queued or running export failed (a server starting again: the process that ran them is gone; an
    /// import runs in its own command's process and is left alone).
    func failUnfinished(message: String, at: Date, context: AuditContext) async throws -> Int
}

/// What a bulk export reads: which rows, for whom. `sites` nil = every site; `program` limits to the participants
/// enrolled in it (a Group export); `since` to rows updated after it; `until` to rows updated at or before the
/// job's transaction time (so a row written while the export runs is not half in it).
public struct FHIRBulkScope: Sendable, Hashable {
    public var sites: Set<Identifier<Site>>?
    public var program: Identifier<Program>?
    public var since: Date?
    public var until: Date?
    /// Participants left out (consent to the use of their data withdrawn), with all their records.
    public var excludedParticipants: Set<Identifier<Participant>>

    public init(sites: Set<Identifier<Site>>? = nil, program: Identifier<Program>? = nil, since: Date? = nil, until: Date? = nil,
                excludedParticipants: Set<Identifier<Participant>> = []) {
        self.sites = sites
        self.program = program
        self.since = since
        self.until = until
        self.excludedParticipants = excludedParticipants
    }
}

/// One chunk of a table read in storage key order; `next` continues after its last row (nil: the end).
public struct FHIRBulkChunk<Value: Sendable>: Sendable {
    public var rows: [Versioned<Value>]
    public var next: String?

    public init(rows: [Versioned<Value>], next: String?) {
        self.rows = rows
        self.next = next
    }
}

/// The whole of a table, one bounded chunk at a time (keyset paging: the SQLite rowid, the PostgreSQL id), so a
/// bulk export holds one chunk in memory whatever the size of the clinic. `after` is the previous chunk's `next`.
public protocol FHIRBulkSource: Sendable {
    func participants(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Participant>
    func observations(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Observation>
    func enrolments(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Enrolment>
    func visits(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<FHIRBulkVisit>
    func procedures(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<Procedure>
    func adverseEvents(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<AdverseEvent>
    func medicationCourses(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<MedicationCourse>
    func concomitantMedications(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<ConcomitantMedicationRecord>
    func cellProducts(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<CellProduct>
    /// Consent records; with `since`, also those whose enrolment had a withdrawal stored after it (a Consent's
    /// lastUpdated is its latest withdrawal's).
    func consents(_ scope: FHIRBulkScope, after: String?, limit: Int) async throws -> FHIRBulkChunk<ConsentRecord>
    /// The audit entries that created, changed or deleted a record of `tables` (Provenance), in the trail's key order,
    /// each with the participant its record belongs to (entries whose record is gone are left out); the site scope
    /// is the sites' audit chains, `_since` the entries written after it, a Group the entries about its members'
    /// records. Each row's version is 1 and its times the entry's.
    func provenance(_ scope: FHIRBulkScope, tables: [String], after: String?, limit: Int) async throws -> FHIRBulkChunk<FHIRBulkAuditEntry>

    // The rows beside a chunk its resources need: one query per table for the whole chunk.
    func consentRecords(enrolments: [Identifier<Enrolment>]) async throws -> [ConsentRecord]
    func consentWithdrawals(enrolments: [Identifier<Enrolment>]) async throws -> [ConsentWithdrawal]
    func unblindings(enrolments: [Identifier<Enrolment>]) async throws -> [EmergencyUnblinding]
}

/// An audit entry with the participant whose record it is about (a Provenance's record owner).
public struct FHIRBulkAuditEntry: Sendable {
    public var entry: AuditEntry
    public var participantID: Identifier<Participant>

    public init(entry: AuditEntry, participantID: Identifier<Participant>) {
        self.entry = entry
        self.participantID = participantID
    }
}

/// A visit with the participant of its enrolment (an Encounter's subject).
public struct FHIRBulkVisit: Sendable {
    public var visit: Visit
    public var participantID: Identifier<Participant>

    public init(visit: Visit, participantID: Identifier<Participant>) {
        self.visit = visit
        self.participantID = participantID
    }
}

/// The bulk-data storage of `Repositories`: the jobs and the chunked reads.
public struct FHIRBulkStore: Sendable {
    public var jobs: any FHIRBulkJobRepository
    public var source: any FHIRBulkSource

    public init(jobs: any FHIRBulkJobRepository, source: any FHIRBulkSource) {
        self.jobs = jobs
        self.source = source
    }
}
