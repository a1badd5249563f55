import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain
import RestoraExport

/// FHIR Bulk Data Access v2 `$export` (https://hl7.org/fhir/uv/bulkdata/STU2/export.html; docs/fhir.md "Bulk Data"),
/// on the signed-in `/fhir` group `FHIRServer.mount` returns:
/// - kick-off `GET /fhir/$export`, `/fhir/Patient/$export`, `/fhir/Group/<program id>/$export` with
///   `Prefer: respond-async` (400 without) → 202 + `Content-Location: <base>/$export-status/<job>`;
///   `_type` (Patient, Observation), `_since` (an instant), `_outputFormat` (application/fhir+ndjson);
/// - status `GET /fhir/$export-status/<job>`: 202 with `X-Progress` while it runs, 200 with the manifest when done,
///   500 with an OperationOutcome when it failed; `DELETE` cancels (or, once done, deletes the files) → 202;
/// - files `GET /fhir/$export-file/<job>/<Type>.ndjson` (the same bearer token).
/// Only admins and data managers export (identified data, as `ExportPolicy` says); a job is seen by the user who
/// asked for it (and admins): another user's job is 404, like one that does not exist.
struct FHIRBulkRoutes: Sendable {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var board: FHIRBulkBoard = .shared

    /// The operations the CapabilityStatement lists.
    static let operationDefinition = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"

    /// The server with `$export` listed in its CapabilityStatement (system level, Patient and Group).
    static func advertised(_ server: FHIRServer) -> FHIRServer {
        var server = server
        server.systemOperations.append(.init(name: "export", definition: operationDefinition))
        server.typeOperations["Patient", default: []].append(
            .init(name: "export", definition: "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"))
        return server
    }

    func register(on fhir: RouterGroup<AppRequestContext>) {
        let routes = self
        fhir.on("$export", method: .get) { request, context in try await routes.kickOff(request, context, level: .system, group: nil) }
        fhir.on("Patient/$export", method: .get) { request, context in try await routes.kickOff(request, context, level: .patient, group: nil) }
        fhir.on("Group/:id/$export", method: .get) { request, context in
            try await routes.kickOff(request, context, level: .group, group: try context.parameters.require("id"))
        }
        fhir.on("$export-status/:job", method: .get) { request, context in try await routes.status(request, context) }
        fhir.on("$export-status/:job", method: .delete) { request, context in try await routes.delete(request, context) }
        fhir.on("$export-file/:job/:name", method: .get) { request, context in try await routes.file(request, context) }
    }

    /// Whether `path` is an output file's (`/fhir/$export-file/<job>/<name>`), whose body is NDJSON, not FHIR JSON.
    static func isFile(_ path: String) -> Bool { path.hasPrefix("/fhir/$export-file/") }

    /// The `Accept` media ranges (lower-cased, without parameters) a file request may name: Bulk Data v2's
    /// `application/fhir+ndjson` (its default), the other NDJSON names, and the wildcards; no `Accept` is fine too.
    static func acceptsFile(_ range: String) -> Bool {
        ["application/fhir+ndjson", "application/ndjson", "application/x-ndjson", "*/*", "application/*"].contains(range)
    }

    // MARK: kick-off

    /// The parameters a kick-off may carry; anything else is refused (400) unless `Prefer: handling=lenient`.
    static let knownParameters: Set<String> = ["_type", "_since", "_outputFormat", "_format"]
    static let outputFormats: Set<String> = ["application/fhir+ndjson", "application/ndjson", "ndjson"]

    /// The job a kick-off asks for, checked before anything is written.
    struct KickOff: Sendable, Hashable {
        var types: [String]?
        var since: Date?
    }

    /// Reads `_type`, `_since` and `_outputFormat` (each refusal a 400 OperationOutcome naming the parameter).
    static func parse(_ items: [(String, String)], lenient: Bool) throws -> KickOff {
        var kickOff = KickOff()
        for (name, value) in items {
            switch name {
            case "_type":
                var types = kickOff.types ?? []
                for type in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !type.isEmpty {
                    guard FHIRBulkExporter.supportedTypes.contains(type) else {
                        throw FHIRError(status: 400, code: .notSupported,
                                        diagnostics: "_type: \(type) is not a type this server exports; it exports "
                                            + FHIRBulkExporter.supportedTypes.joined(separator: ", "), expression: ["_type"])
                    }
                    if !types.contains(type) { types.append(type) }
                }
                guard !types.isEmpty else { throw FHIRError.invalid("_type: name at least one resource type", at: "_type") }
                kickOff.types = types
            case "_since":
                guard let date = FHIRBulkInstant.parse(value) else {
                    throw FHIRError.invalid("_since: '\(value)' is not a FHIR instant (e.g. 2026-01-01T00:00:00Z)", at: "_since")
                }
                kickOff.since = date
            case "_outputFormat":
                guard outputFormats.contains(value.lowercased()) else {
                    throw FHIRError(status: 400, code: .notSupported, diagnostics: "_outputFormat: only application/fhir+ndjson is written",
                                    expression: ["_outputFormat"])
                }
            case "_format":
                continue
            default:
                if lenient { continue }
                throw FHIRError(status: 400, code: .notSupported,
                                diagnostics: "\(name): this server's $export takes _type, _since and _outputFormat only "
                                    + "(send Prefer: handling=lenient to have others ignored)", expression: [name])
            }
        }
        return kickOff
    }

    func kickOff(_ request: Request, _ context: AppRequestContext, level: FHIRBulkJob.Level, group: String?) async throws -> Response {
        let user = try context.requireUser()
        do {
            try ExportPolicy.check(role: user.role, request: ExportRequest(kind: .csv, programID: "", deidentify: false))
        } catch {
            throw FHIRError(status: 403, code: .forbidden, diagnostics: "the \(user.role.rawValue) role cannot export identified data; $export is for admins and data managers")
        }
        guard FHIRHTTP.preference(request, "respond-async") != nil else {
            throw FHIRError(status: 400, code: .required, diagnostics: "$export runs asynchronously: send Prefer: respond-async")
        }
        let lenient = FHIRHTTP.preference(request, "handling") == "lenient"
        let asked = try Self.parse(FHIRHTTP.queryItems(request.uri.query), lenient: lenient)
        var program: Identifier<Program>?
        if let group {
            _ = try FHIRHTTP.requireID(group, type: "Group")
            guard let found = try? await dependencies.repositories.programs.get(Identifier(group)) else {
                throw FHIRError.notFound("Group", group)
            }
            program = found.value.id
        }
        guard let directory = config.exportDirectory else {
            throw FHIRError(status: 503, code: .exception, diagnostics: "this server has no export folder configured (RESTORA_EXPORT_DIRECTORY)")
        }
        let base = FHIRHTTP.baseURL(request)
        let id = Identifier<FHIRBulkJob>(dependencies.ids.next())
        let now = dependencies.clock.now()
        let audit = context.audit(user)
        let path = request.uri.path.hasPrefix("/fhir") ? String(request.uri.path.dropFirst(5)) : request.uri.path
        let job = FHIRBulkJob(
            id: id, kind: .export, level: level, groupID: program, types: asked.types, since: asked.since,
            sites: Access.visibleSites(user).map { $0.sorted { $0.rawValue < $1.rawValue } },
            request: base + path + (request.uri.query.map { "?" + $0 } ?? ""),
            requestedBy: user.actor, requestedByName: user.username, requestedAt: now, transactionTime: now)
        let queued = try await dependencies.repositories.fhirBulk.jobs.create(job, context: audit)
        let folder = URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent("fhir-bulk", isDirectory: true)
            .appendingPathComponent(id.rawValue, isDirectory: true)
        let exporter = FHIRBulkExporter(repositories: dependencies.repositories, catalog: dependencies.catalog, board: board)
        let (board, clock, logger, started) = (board, dependencies.clock, dependencies.logger, queued.value)
        Task.detached {
            await board.enter()
            do {
                if try await exporter.repositories.fhirBulk.jobs.get(id).value.status == .queued {
                    _ = try await exporter.run(started, folder: folder, context: audit, now: { clock.now() })
                }
            } catch {
                logger.error("bulk export job could not be recorded", metadata: ["job": "\(id.rawValue)", "error.type": "\(type(of: error))"])
            }
            await board.clear(id.rawValue)
            await board.leave()
        }
        return Response(status: .accepted, headers: [
            .contentLocation: "\(base)/$export-status/\(id.rawValue)", .contentType: FHIRHTTP.contentType,
        ], body: .init(byteBuffer: ByteBuffer(bytes: FHIRError.outcome([
            FHIRError(status: 202, code: .informational, diagnostics: "export \(id.rawValue) accepted", severity: "information"),
        ]).encoded())))
    }

    // MARK: status, cancel, files

    /// The job if `user` sees it (the requester, or an admin); any other is 404, like one that does not exist.
    func visibleJob(_ id: String, user: UserAccount) async throws -> Versioned<FHIRBulkJob> {
        guard FHIRHTTP.isValidID(id), let job = try? await dependencies.repositories.fhirBulk.jobs.get(Identifier(id)),
              job.value.kind == .export, user.role.seesAllSites || job.value.requestedBy.userID == user.actor.userID
        else { throw FHIRError(status: 404, code: .notFound, diagnostics: "no export job \(id)") }
        return job
    }

    func status(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let job = try await visibleJob(try context.parameters.require("job"), user: user).value
        switch job.status {
        case .queued, .running:
            let progress = await board.progress(job.id.rawValue) ?? job.status.rawValue
            return Response(status: .accepted, headers: [HTTPField.Name("X-Progress")!: progress, .retryAfter: "2"])
        case .failed:
            throw FHIRError(status: 500, code: .exception, diagnostics: "export \(job.id.rawValue) failed: \(job.errorMessage ?? "no reason recorded")")
        case .cancelled:
            throw FHIRError(status: 404, code: .notFound, diagnostics: "export \(job.id.rawValue) was cancelled")
        case .done:
            let base = FHIRHTTP.baseURL(request)
            let manifest = FHIRJSON.object([
                ("transactionTime", .string(FHIRBulkInstant.text(job.transactionTime))),
                ("request", .string(job.request)),
                ("requiresAccessToken", .bool(true)),
                ("output", .array(job.outputs.map { output in
                    .object([("type", .string(output.type)), ("url", .string("\(base)/$export-file/\(job.id.rawValue)/\(output.file)")),
                             ("count", .integer(output.count))])
                })),
                ("error", .array([])),
            ])
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: manifest.encoded())))
        }
    }

    func delete(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let job = try await visibleJob(try context.parameters.require("job"), user: user).value
        guard !(job.status == .failed || job.status == .cancelled) else {
            throw FHIRError(status: 404, code: .notFound, diagnostics: "export \(job.id.rawValue) has already ended (\(job.status.rawValue))")
        }
        await board.cancel(job.id.rawValue)
        _ = try await dependencies.repositories.fhirBulk.jobs.cancel(job.id, at: dependencies.clock.now(), context: context.audit(user))
        if job.status == .done, let folder = job.folder { try? FileManager.default.removeItem(atPath: folder) }
        return FHIRHTTP.json(FHIRError.outcome([
            FHIRError(status: 202, code: .informational, diagnostics: "export \(job.id.rawValue) cancelled", severity: "information"),
        ]), status: .accepted)
    }

    func file(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let job = try await visibleJob(try context.parameters.require("job"), user: user).value
        let name = try context.parameters.require("name")
        guard job.status == .done, let folder = job.folder, let output = job.outputs.first(where: { $0.file == name }) else {
            throw FHIRError(status: 404, code: .notFound, diagnostics: "export \(job.id.rawValue) has no file \(name)")
        }
        let path = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(output.file).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw FHIRError(status: 404, code: .notFound, diagnostics: "the file \(name) of export \(job.id.rawValue) is no longer on the server")
        }
        let body = try await FileIO().loadFile(path: path, context: context)
        return Response(status: .ok, headers: [.contentType: "application/fhir+ndjson", .contentLength: String(output.bytes)], body: body)
    }
}
