import Foundation
import RestoraDomain

/// The one path every door takes to export (issue #18, docs/exports.md): `restora export`, the JSON API's
/// asynchronous job and the web page. It checks a request before anything is written (the program, each named
/// participant, the requester's sites), records the job (`export_jobs`, audited: who asked for what, when), runs
/// `ExportRun` and records how it ended — the package's files with their SHA-256 and, server-side only, the
/// participants exported. Role gating (`ExportPolicy`) is the door's first step, before `resolve`.
public struct ExportJobs: Sendable {
    /// The version written into every manifest and job row.
    public static let softwareVersion = "0.18.0"

    public var repositories: Repositories
    public var catalog: ProtocolCatalog
    /// The database holds the synthetic demo clinic: every package says so.
    public var synthetic: Bool
    public var version: String

    public init(repositories: Repositories, catalog: ProtocolCatalog, synthetic: Bool, version: String = ExportJobs.softwareVersion) {
        self.repositories = repositories
        self.catalog = catalog
        self.synthetic = synthetic
        self.version = version
    }

    /// Who asks: the actor the audit trail records and the name the manifest carries.
    public struct Requester: Sendable, Hashable {
        public var actor: Actor
        public var name: String
        public init(actor: Actor, name: String) {
            self.actor = actor
            self.name = name
        }
    }

    /// The program a door names: its id, or the protocol id it runs (`isotretinoin-noa`) when exactly one
    /// program runs it. Unknown: `DomainError.invalidValue` on `field` (422), naming the programs there are.
    public func program(named name: String, field: String) async throws -> Program {
        let programs = try await repositories.programs.list().map(\.value)
        if let program = programs.first(where: { $0.id.rawValue == name }) { return program }
        let running = programs.filter { $0.protocolID == name }
        if running.count == 1 { return running[0] }
        let known = programs.map { "\($0.id.rawValue) (\($0.protocolID))" }.sorted()
        throw DomainError.invalidValue(field: field, message: running.isEmpty
            ? "no program \(name)" + (known.isEmpty ? "; the database has no programs" : "; programs: \(known.joined(separator: ", "))")
            : "several programs run protocol \(name); name one by its id: \(running.map(\.id.rawValue).sorted().joined(separator: ", "))")
    }

    /// Checks the participants a request names before anything is written: each must exist, be at one of the
    /// request's sites and be enrolled in the program; none twice. Another site's participant is answered
    /// exactly like one that does not exist (its existence is not revealed). Refusals are
    /// `DomainError.invalidValue` on `participants[i]` (422).
    public func checkParticipants(_ request: ExportRequest, field: String = "participants") async throws {
        guard let ids = request.participants else { return }
        guard !ids.isEmpty else { throw DomainError.invalidValue(field: field, message: "name at least one participant, or leave the list out for all") }
        var seen: Set<Identifier<Participant>> = []
        for (index, id) in ids.enumerated() where !seen.insert(id).inserted {
            throw DomainError.invalidValue(field: "\(field)[\(index)]", message: "participant \(id.rawValue) is named twice")
        }
        let found = Dictionary(try await repositories.participants.list(ids: ids).map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        let enrolled = Set(try await repositories.enrolments.list(participants: ids).map(\.value)
            .filter { $0.programID == request.programID }.map(\.participantID))
        for (index, id) in ids.enumerated() {
            guard let participant = found[id], request.sites.map({ $0.contains(participant.siteID) }) ?? true else {
                throw DomainError.invalidValue(field: "\(field)[\(index)]", message: "unknown participant \(id.rawValue)")
            }
            guard enrolled.contains(id) else {
                throw DomainError.invalidValue(field: "\(field)[\(index)]",
                                               message: "participant \(id.rawValue) is not enrolled in program \(request.programID.rawValue)")
            }
        }
    }

    /// Records a queued job for `request` (after `ExportPolicy.check` and the checks above).
    public func submit(
        _ request: ExportRequest, id: Identifier<ExportJob>, requester: Requester, at: Date, context: AuditContext
    ) async throws -> Versioned<ExportJob> {
        let job = ExportJob(
            id: id, kind: request.kind.rawValue, programID: request.programID, deidentified: request.deidentify,
            datePrecision: request.datePrecision.rawValue, sites: request.sites.map { $0.sorted { $0.rawValue < $1.rawValue } },
            requestedParticipants: request.participants, requestedBy: requester.actor, requestedByName: requester.name,
            requestedAt: at, synthetic: synthetic)
        return try await repositories.exportJobs.create(job, context: context)
    }

    /// Runs a queued job to its end: running, then `ExportRun` into `folder`, then done with the manifest's files
    /// and the participants exported — or failed with the reason in words. Returns the job as stored at the end;
    /// throws only when the job row itself cannot be written.
    public func run(
        _ job: ExportJob, request: ExportRequest, folder: URL, context: AuditContext, now: @escaping @Sendable () -> Date = { Date() },
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Versioned<ExportJob> {
        _ = try await repositories.exportJobs.start(job.id, at: now(), context: context)
        let written: (files: [ExportJob.File], participants: [Identifier<Participant>])
        do {
            written = try await write(request, into: folder, createdBy: job.requestedByName, now: now(), progress: progress)
        } catch {
            return try await repositories.exportJobs.fail(job.id, message: Self.words(error), at: now(), context: context)
        }
        return try await repositories.exportJobs.finish(
            job.id, folder: folder.path, files: written.files, participants: written.participants, version: version, at: now(), context: context)
    }

    /// Why an export stopped, in words fit for a page, a JSON body and the job row: the export's own message
    /// (it names the dataset, variable and row, or the option), never a dump of the error.
    public static func words(_ error: any Error) -> String {
        switch error {
        case let e as ExportError: return e.message
        case let e as ExportPolicy.Refusal: return e.message
        case let e as DomainError: return e.description
        case let e as RepositoryError: return e.description
        case let e as CocoaError where e.code == .fileWriteOutOfSpace: return "the export folder's disk is full"
        case is CocoaError: return "the export folder could not be written (\((error as NSError).localizedDescription))"
        default: return "the export stopped on an unexpected error (\(String(describing: type(of: error))))"
        }
    }
}
