import Foundation
import Hummingbird
import RestoraDomain
import RestoraExport

/// The export jobs of this server process: how far each running one is (participants written so far), and the
/// turn each waits for — `concurrentJobs` run at once (default 1), the others stay queued in the order asked, so a
/// burst of big exports cannot take every core and all the memory of the clinic's server. In memory only: after
/// a restart the jobs that were queued or running are marked failed (`restora serve`).
public actor ExportProgressBoard {
    private var written: [String: Int] = [:]
    private let concurrentJobs: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(concurrentJobs: Int = 1) { self.concurrentJobs = max(1, concurrentJobs) }

    /// Waits until a job may run.
    func enter() async {
        if running < concurrentJobs {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// A job ended: the next waiting one runs.
    func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    func set(_ job: Identifier<ExportJob>, _ count: Int) { written[job.rawValue] = count }
    func clear(_ job: Identifier<ExportJob>) { written[job.rawValue] = nil }
    func count(_ job: Identifier<ExportJob>) -> Int? { written[job.rawValue] }
}

/// What the API's and the page's export doors share (issue #18, docs/exports.md): who may export, the checks
/// before anything is written, the job started in this process, which jobs a user sees, and a package file.
struct ExportDoor {
    let dependencies: WebDependencies
    let config: WebConfiguration

    /// What a door asks for, as typed (JSON body or form fields).
    struct Input: Decodable, Sendable {
        var kind: String
        var programId: String
        var deidentify: Bool?
        var datePrecision: String?
        var participants: [String]?
    }

    var jobs: ExportJobs {
        ExportJobs(repositories: dependencies.repositories, catalog: dependencies.catalog, synthetic: config.syntheticLabel != nil)
    }

    /// Whether the role may export at all (admins and data managers; monitors de-identified only): the
    /// policy's own answer for a de-identified request, so the rule stays in `ExportPolicy`.
    static func mayExport(_ role: UserRole) -> Bool {
        (try? ExportPolicy.check(role: role, request: ExportRequest(kind: .csv, programID: "", deidentify: true))) != nil
    }

    static func requireExporter(_ user: UserAccount) throws {
        guard mayExport(user.role) else {
            throw APIError.forbidden("the \(user.role.rawValue) role cannot export research data; exports are for admins and data managers (monitors: de-identified only)")
        }
    }

    /// Checks `input` for `user` and starts the job; refusals: 403 for a role or an identified export a monitor
    /// may not make, 422 naming the field (unknown kind, program or participant, a participant of another site),
    /// 503 when the server has no export folder. Nothing is written before every check passed.
    func submit(_ input: Input, user: UserAccount, context: AppRequestContext) async throws -> Versioned<ExportJob> {
        try Self.requireExporter(user)
        guard let kind = ExportKind(rawValue: input.kind) else {
            throw DomainError.invalidValue(field: "kind", message: "kind must be one of " + ExportKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let deidentify = input.deidentify ?? false
        var precision = ExportParticipant.DatePrecision.day
        if let text = input.datePrecision, !text.isEmpty {
            guard let chosen = ExportParticipant.DatePrecision(rawValue: text) else {
                throw DomainError.invalidValue(field: "datePrecision", message: "datePrecision must be day or year")
            }
            guard deidentify || chosen == .day else {
                throw DomainError.invalidValue(field: "datePrecision", message: "year precision applies to de-identified exports only; identified exports keep full dates")
            }
            precision = chosen
        }
        var request = ExportRequest(kind: kind, programID: "", deidentify: deidentify, datePrecision: precision,
                                    participants: input.participants.map { $0.map { Identifier($0) } }, sites: Access.visibleSites(user))
        do {
            try ExportPolicy.check(role: user.role, request: request)
        } catch {
            throw APIError.forbidden(error.message)
        }
        let jobs = self.jobs
        request.programID = try await jobs.program(named: input.programId, field: "programId").id
        try await jobs.checkParticipants(request)
        guard let directory = config.exportDirectory else {
            throw HTTPError(.serviceUnavailable, message: "this server has no export folder configured (RESTORA_EXPORT_DIRECTORY)")
        }
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let id = Identifier<ExportJob>(dependencies.ids.next())
        let audit = context.audit(user)
        let queued = try await jobs.submit(request, id: id, requester: ExportJobs.Requester(actor: user.actor, name: user.username),
                                           at: dependencies.clock.now(), context: audit)
        let (board, clock, logger, started) = (dependencies.exportProgress, dependencies.clock, dependencies.logger, queued.value)
        Task.detached {
            await board.enter()
            do {
                _ = try await jobs.run(started, request: request, folder: root.appendingPathComponent(id.rawValue, isDirectory: true),
                                       context: audit, now: { clock.now() }) { count in Task { await board.set(id, count) } }
            } catch {
                // Only the job's own row could not be written (the database is gone); the restart marks it failed.
                logger.error("export job could not be recorded", metadata: ["job": "\(id.rawValue)", "error.type": "\(type(of: error))"])
            }
            await board.clear(id)
            await board.leave()
        }
        return queued
    }

    /// The jobs a user sees: an admin every job, everyone else the jobs they asked for; newest first.
    func visibleJobs(_ user: UserAccount, limit: Int = 100) async throws -> [Versioned<ExportJob>] {
        try Self.requireExporter(user)
        return try await dependencies.repositories.exportJobs.list(requestedBy: user.role.seesAllSites ? nil : user.actor.userID, limit: limit)
    }

    /// One job, if the user sees it; another user's job is not found, like one that does not exist.
    func visibleJob(_ id: String, user: UserAccount) async throws -> Versioned<ExportJob> {
        try Self.requireExporter(user)
        let job = try await dependencies.repositories.exportJobs.get(Identifier(id))
        guard user.role.seesAllSites || job.value.requestedBy.userID == user.actor.userID else {
            throw RepositoryError.notFound(kind: "export job", id: id)
        }
        return job
    }

    /// A file of a done job's package, streamed from disk. Only a name the manifest lists is served (compared
    /// as a whole name, so no path can be smuggled in); anything else is 404.
    func file(_ id: String, name: String, user: UserAccount, context: AppRequestContext) async throws -> Response {
        let job = try await visibleJob(id, user: user).value
        guard job.status == .done, let folder = job.folder, let file = job.files.first(where: { $0.name == name }),
              !name.contains("/"), !name.hasPrefix(".")
        else { throw RepositoryError.notFound(kind: "export file", id: name) }
        let path = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(file.name).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw DomainError.notFound(kind: "export file", id: name, message: "the file \(name) of export \(id) is no longer on the server")
        }
        let body = try await FileIO().loadFile(path: path, context: context)
        return Response(status: .ok, headers: [
            .contentType: Self.contentType(file.name), .contentLength: String(file.bytes),
            .contentDisposition: "attachment; filename=\"\(file.name)\"",
        ], body: body)
    }

    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last.map(String.init)?.lowercased() {
        case "csv": return "text/csv; charset=utf-8"
        case "json": return "application/json"
        case "xml": return "application/xml"
        case "xpt": return "application/x-sas-xport"
        default: return "application/octet-stream"
        }
    }
}

/// The JSON API of exports: `POST /api/v1/exports` answers 202 with the queued job and its `Location`;
/// `GET /api/v1/exports` the caller's jobs (an admin's: all), `GET /api/v1/exports/{id}` one job with its status,
/// progress and manifest, `GET /api/v1/exports/{id}/files/{name}` one file of a done job's package.
struct ExportController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var door: ExportDoor { ExportDoor(dependencies: dependencies, config: config) }

    /// One job as the API shows it (the server's folder path is not shown; participant ids only as asked for).
    struct JobJSON: Encodable {
        struct File: Encodable {
            var name: String
            var rows: Int
            var bytes: Int
            var sha256: String
            var description: String
            var href: String
        }
        var id: String
        var kind: String
        var programId: String
        var deidentified: Bool
        var datePrecision: String
        var participants: [String]?
        var status: ExportJob.Status
        var requestedBy: String
        var requestedAt: Date
        var startedAt: Date?
        var finishedAt: Date?
        var error: String?
        var participantsWritten: Int?
        var participantCount: Int?
        var files: [File]
        var synthetic: Bool
        var restoraVersion: String?
    }

    static func json(_ job: ExportJob, progress: Int?) -> JobJSON {
        JobJSON(
            id: job.id.rawValue, kind: job.kind, programId: job.programID.rawValue, deidentified: job.deidentified,
            datePrecision: job.datePrecision, participants: job.requestedParticipants?.map(\.rawValue), status: job.status,
            requestedBy: job.requestedByName, requestedAt: job.requestedAt, startedAt: job.startedAt, finishedAt: job.finishedAt,
            error: job.errorMessage, participantsWritten: job.status == .running ? progress ?? 0 : nil,
            participantCount: job.status == .done ? job.participantCount : nil,
            files: job.files.map {
                JobJSON.File(name: $0.name, rows: $0.rows, bytes: $0.bytes, sha256: $0.sha256, description: $0.description,
                             href: APIRoute.exportFile.path(job.id.rawValue, $0.name))
            },
            synthetic: job.synthetic, restoraVersion: job.restoraVersion)
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createExport, use: create)
        group.on(.exports, use: list)
        group.on(.export, use: show)
        group.on(.exportFile, use: file)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try ExportDoor.requireExporter(user)
        let input = try await request.decodeJSON(ExportDoor.Input.self, limit: config.maxBodyBytes)
        let job = try await door.submit(input, user: user, context: context)
        var response = try JSONResponse.make(Self.json(job.value, progress: nil), status: .accepted)
        response.headers[.location] = APIRoute.export.path(job.value.id.rawValue)
        return response
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let board = dependencies.exportProgress
        var items: [JobJSON] = []
        for job in try await door.visibleJobs(user) { items.append(Self.json(job.value, progress: await board.count(job.value.id))) }
        return try JSONResponse.make(items)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let job = try await door.visibleJob(try context.parameters.require("id"), user: user)
        return try JSONResponse.make(Self.json(job.value, progress: await dependencies.exportProgress.count(job.value.id)))
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try await door.file(try context.parameters.require("id"), name: try context.parameters.require("name"), user: user, context: context)
    }
}
