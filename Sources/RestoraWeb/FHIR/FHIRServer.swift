import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// The FHIR R4 REST API under `/fhir` (https://hl7.org/fhir/R4/http.html; docs/fhir.md "Interactions").
///
/// - `GET /fhir/metadata` needs no sign-in (the CapabilityStatement, generated from the handlers).
/// - Everything else signs in like the JSON API (bearer token, or the web session cookie with
///   `X-Requested-With` on writes) and is site-scoped by the handlers (another site's record is 404).
/// - Each resource type's routes are registered under its own constant path (`/fhir/Patient/...`), so an
///   operation route another part adds (`/fhir/Patient/$export`) never shadows them; an unknown type or path
///   is a 404 OperationOutcome, an interaction the type lacks a 405.
/// - Errors of every kind are OperationOutcomes (`FHIRErrorMiddleware`, `FHIRErrorMapping`).
struct FHIRServer: Sendable {
    let handlers: [any FHIRResourceHandler]
    let byType: [String: any FHIRResourceHandler]
    let dependencies: WebDependencies
    let config: WebConfiguration
    /// One lock per (type, condition) for conditional creates in this process (`FHIRServerLocks`).
    let locks = FHIRServerLocks()
    /// When the server started: the CapabilityStatement's date.
    let started: Date
    var systemOperations: [FHIRCapability.Operation] = []
    var typeOperations: [String: [FHIRCapability.Operation]] = [:]

    init(dependencies: WebDependencies, config: WebConfiguration, handlers: [any FHIRResourceHandler] = FHIRRegistry.handlers()) {
        self.handlers = handlers
        self.byType = Dictionary(handlers.map { ($0.resourceType, $0) }, uniquingKeysWith: { first, _ in first })
        self.dependencies = dependencies
        self.config = config
        self.started = dependencies.clock.now()
    }

    /// Mounts `/fhir` on the router and returns the signed-in `/fhir` group (for operations such as `$export`:
    /// `group.get("$export") { … }`; their errors become OperationOutcomes too).
    @discardableResult
    func mount(on router: Router<AppRequestContext>) -> RouterGroup<AppRequestContext> {
        // Router level, so the router's own 404 for an unknown /fhir path is an OperationOutcome as well; it
        // leaves every other path alone.
        router.add(middleware: FHIRErrorMiddleware())
        let server = self
        router.on("fhir/metadata", method: .get) { request, _ in server.metadata(request) }

        let fhir = router.group("fhir")
            .add(middleware: BearerAuthMiddleware(users: dependencies.repositories.users, clock: dependencies.clock))
        fhir.on("", method: .post) { request, context in try await server.bundle(request, context) }
        for handler in handlers {
            let type = handler.resourceType
            let typePath = RouterPath(type)
            fhir.on(typePath, method: .get) { request, context in
                try await server.search(request, context, type: type, items: FHIRHTTP.queryItems(request.uri.query))
            }
            fhir.on(RouterPath("\(type)/_search"), method: .post) { request, context in
                let form = try await FHIRServer.formBody(request, limit: FHIRHTTP.bodyLimit(server.config))
                return try await server.search(request, context, type: type, items: FHIRHTTP.queryItems(request.uri.query) + form)
            }
            fhir.on(typePath, method: .post) { request, context in try await server.create(request, context, type: type) }
            fhir.on(RouterPath("\(type)/_history"), method: .get) { request, context in try await server.typeHistory(request, context, type: type) }
            fhir.on(RouterPath("\(type)/:id"), method: .get) { request, context in try await server.read(request, context, type: type) }
            fhir.on(RouterPath("\(type)/:id"), method: .put) { request, context in try await server.update(request, context, type: type) }
            for method in [HTTPRequest.Method.delete, .patch] {
                fhir.on(RouterPath("\(type)/:id"), method: method) { _, _ -> Response in
                    throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(method.rawValue) of \(type) is not supported: clinical records are corrected, never deleted or patched, through FHIR")
                }
            }
            fhir.on(RouterPath("\(type)/:id/_history"), method: .get) { request, context in try await server.instanceHistory(request, context, type: type) }
            fhir.on(RouterPath("\(type)/:id/_history/:vid"), method: .get) { request, context in try await server.vread(request, context, type: type) }
        }
        return fhir
    }

    // MARK: Context

    func interaction(_ request: Request, _ context: AppRequestContext) throws -> FHIRInteractionContext {
        let user = try context.requireUser()
        return FHIRInteractionContext(
            user: user, audit: context.audit(user), dependencies: dependencies, repositories: dependencies.repositories,
            now: dependencies.clock.now(), baseURL: FHIRHTTP.baseURL(request))
    }

    func handler(_ type: String) throws -> any FHIRResourceHandler {
        guard let handler = byType[type] else {
            throw FHIRError(status: 404, code: .notSupported, diagnostics: "\(type) is not a resource type this server has (see /fhir/metadata)")
        }
        return handler
    }

    static func formBody(_ request: Request, limit: Int) async throws -> [(String, String)] {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return FHIRHTTP.queryItems(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    // MARK: metadata

    func metadata(_ request: Request) -> Response {
        FHIRHTTP.json(FHIRCapability.statement(
            handlers: handlers, base: FHIRHTTP.baseURL(request), date: started,
            systemOperations: systemOperations, typeOperations: typeOperations))
    }

    // MARK: read, vread, history

    func read(_ request: Request, _ context: AppRequestContext, type: String) async throws -> Response {
        let handler = try handler(type)
        let id = try FHIRHTTP.requireID(try context.parameters.require("id"), type: type)
        let stored = try await handler.read(id: id, in: try interaction(request, context))
        if let tag = request.headers[.ifNoneMatch], FHIRHTTP.parseETag(tag) == stored.versionID {
            return Response(status: .notModified, headers: FHIRHTTP.versionHeaders(stored))
        }
        return FHIRHTTP.json(FHIRHTTP.withMeta(stored), headers: FHIRHTTP.versionHeaders(stored))
    }

    func vread(_ request: Request, _ context: AppRequestContext, type: String) async throws -> Response {
        let handler = try handler(type)
        let id = try FHIRHTTP.requireID(try context.parameters.require("id"), type: type)
        let versionText = try context.parameters.require("vid")
        guard let version = Int(versionText), version >= 1 else {
            throw FHIRError(status: 404, code: .notFound, diagnostics: "\(type)/\(id) has no version '\(versionText)'")
        }
        let versions = try await allVersions(handler, id: id, in: try interaction(request, context))
        guard let stored = versions.first(where: { $0.versionID == version }) else {
            let current = versions.last?.versionID ?? 0
            let why = version > current ? "its current version is \(current)"
                : (handler is any FHIRVersionedHandler ? "that version is not kept" : "only its current version (\(current)) can be read")
            throw FHIRError(status: 404, code: .notFound, diagnostics: "\(type)/\(id) has no version \(version): \(why)")
        }
        if stored.deleted {
            throw FHIRError(status: 410, code: .deleted, diagnostics: "\(type)/\(id) version \(version) records its deletion")
        }
        return FHIRHTTP.json(FHIRHTTP.withMeta(stored), headers: FHIRHTTP.versionHeaders(stored))
    }

    /// Oldest first: the handler's versions when it keeps them, else the current version alone.
    func allVersions(_ handler: any FHIRResourceHandler, id: String, in context: FHIRInteractionContext) async throws -> [FHIRStoredResource] {
        if let versioned = handler as? any FHIRVersionedHandler {
            return try await versioned.versions(id: id, in: context)
        }
        return [try await handler.read(id: id, in: context)]
    }

    func instanceHistory(_ request: Request, _ context: AppRequestContext, type: String) async throws -> Response {
        let handler = try handler(type)
        let id = try FHIRHTTP.requireID(try context.parameters.require("id"), type: type)
        let items = FHIRHTTP.queryItems(request.uri.query)
        let (count, since) = try historyParameters(items)
        let interaction = try interaction(request, context)
        let versions = try await allVersions(handler, id: id, in: interaction)
        let newestFirst = versions.reversed().filter { since == nil || $0.lastUpdated >= since! }
        let page = Array(newestFirst.prefix(count))
        let entries = page.map { FHIRBundle.historyEntry($0, base: interaction.baseURL, created: $0.versionID == versions.first?.versionID && !$0.deleted) }
        let selfURL = "\(interaction.baseURL)/\(type)/\(id)/_history" + (items.isEmpty ? "" : "?" + FHIRHTTP.queryString(items))
        return FHIRHTTP.json(FHIRBundle.bundle(
            type: "history", id: dependencies.ids.next(), now: interaction.now, total: newestFirst.count,
            links: [("self", selfURL)], entries: entries))
    }

    func typeHistory(_ request: Request, _ context: AppRequestContext, type: String) async throws -> Response {
        let handler = try handler(type)
        guard let versioned = handler as? any FHIRVersionedHandler else {
            throw FHIRError(status: 405, code: .notSupported, diagnostics: "the history of every \(type) is not available (see /fhir/metadata)")
        }
        let items = FHIRHTTP.queryItems(request.uri.query)
        let (count, since) = try historyParameters(items)
        let cursor = try items.last { $0.0 == FHIRSearchParsing.cursorParameter }.map { item -> String in
            guard let cursor = FHIRSearchParsing.decodeCursor(item.1) else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "the paging cursor is not one this server wrote: follow the Bundle's next link as it is")
            }
            return cursor
        }
        let interaction = try interaction(request, context)
        let page = try await versioned.history(since: since, cursor: cursor, count: count, in: interaction)
        let kept = items.filter { $0.0 != FHIRSearchParsing.cursorParameter }
        let url = "\(interaction.baseURL)/\(type)/_history"
        var links = [("self", url + (items.isEmpty ? "" : "?" + FHIRHTTP.queryString(items)))]
        if let next = page.nextCursor {
            links.append(("next", url + "?" + FHIRHTTP.queryString(kept + [(FHIRSearchParsing.cursorParameter, FHIRSearchParsing.encodeCursor(next))])))
        }
        let entries = page.resources.map { FHIRBundle.historyEntry($0, base: interaction.baseURL, created: $0.versionID == 1 && !$0.deleted) }
        return FHIRHTTP.json(FHIRBundle.bundle(type: "history", id: dependencies.ids.next(), now: interaction.now, total: page.total, links: links, entries: entries))
    }

    /// `_count` (default 50, at most 1000) and `_since` (an instant) of a history interaction.
    func historyParameters(_ items: [(String, String)]) throws -> (Int, Date?) {
        var count = FHIRSearchParsing.defaultCount
        var since: Date?
        for (name, value) in items {
            switch name {
            case "_count":
                guard let n = Int(value), n >= 1 else { throw FHIRError(status: 400, code: .invalid, diagnostics: "_count must be a whole number from 1 to \(FHIRSearchParsing.maxCount)") }
                count = min(n, FHIRSearchParsing.maxCount)
            case "_since":
                guard let date = FHIRServer.parseInstant(value) else {
                    throw FHIRError(status: 400, code: .invalid, diagnostics: "_since must be an instant, e.g. 2026-01-01T00:00:00Z")
                }
                since = date
            case "_format", "_pretty", FHIRSearchParsing.cursorParameter: break
            default: throw FHIRError(status: 400, code: .notSupported, diagnostics: "history takes _count and _since, not \(name)")
            }
        }
        return (count, since)
    }

    static func parseInstant(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    // MARK: search

    func search(_ request: Request, _ context: AppRequestContext, type: String, items: [(String, String)]) async throws -> Response {
        let lenient = FHIRHTTP.preference(request, "handling") == "lenient"
        return FHIRHTTP.json(try await searchBundle(type: type, items: items, lenient: lenient, in: try interaction(request, context)))
    }

    /// The searchset Bundle of a search (also a transaction's or batch's GET entry).
    func searchBundle(type: String, items: [(String, String)], lenient: Bool, in interaction: FHIRInteractionContext) async throws -> FHIRJSON {
        let handler = try handler(type)
        let parsed = try FHIRSearchParsing.parse(items, handler: handler, lenient: lenient)
        let page = try await handler.search(parsed.query, in: interaction)
        let matches = parsed.countOnly ? [] : page.resources
        let included = try await FHIRIncludes.included(
            matches: matches, includes: parsed.includes, revIncludes: parsed.revIncludes, handlers: byType, context: interaction)
        let url = "\(interaction.baseURL)/\(type)"
        let own = parsed.query.cursor.map { [(FHIRSearchParsing.cursorParameter, FHIRSearchParsing.encodeCursor($0))] } ?? []
        var links = [("self", url + "?" + FHIRHTTP.queryString(parsed.used + own))]
        if let next = page.nextCursor, !parsed.countOnly {
            links.append(("next", url + "?" + FHIRHTTP.queryString(parsed.used + [(FHIRSearchParsing.cursorParameter, FHIRSearchParsing.encodeCursor(next))])))
        }
        var entries = matches.map { FHIRBundle.searchEntry($0, base: interaction.baseURL, mode: "match") }
        entries += included.map { FHIRBundle.searchEntry($0, base: interaction.baseURL, mode: "include") }
        if !parsed.ignored.isEmpty {
            let warning = FHIRError(status: 200, code: .notSupported, diagnostics: "ignored search parameters: \(parsed.ignored.joined(separator: ", "))", severity: "warning")
            entries.append(.object([
                ("resource", warning.operationOutcome.setting("id", .string(dependencies.ids.next())).reordered()),
                ("search", .object([("mode", .string("outcome"))])),
            ]))
        }
        return FHIRBundle.bundle(type: "searchset", id: dependencies.ids.next(), now: interaction.now, total: page.total, links: links, entries: entries)
    }

    // MARK: create and update

    func create(_ request: Request, _ context: AppRequestContext, type: String) async throws -> Response {
        let handler = try handler(type)
        let interaction = try interaction(request, context)
        try interaction.requireWriter()
        guard handler.supportsCreate else {
            throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(type) cannot be created through FHIR")
        }
        let resource = try await FHIRHTTP.body(request, limit: FHIRHTTP.bodyLimit(config))
        try FHIRHTTP.requireResource(resource, type: type)
        if let condition = request.headers[FHIRHTTP.ifNoneExist] {
            let (stored, created) = try await conditionalCreate(handler, resource, condition: condition, in: interaction)
            return writeResponse(request, stored, status: created ? .created : .ok, base: interaction.baseURL)
        }
        let stored = try await handler.create(resource, in: interaction)
        return writeResponse(request, stored, status: .created, base: interaction.baseURL)
    }

    /// `If-None-Exist: <search>`: the existing resource when exactly one matches (200), 412 when several do,
    /// else a create. The check and the create run in one transaction AND under this process's lock for the
    /// (type, condition), so 20 clients asking at once make one resource (docs/fhir.md "Conditional create").
    func conditionalCreate(
        _ handler: any FHIRResourceHandler, _ resource: FHIRJSON, condition: String, in interaction: FHIRInteractionContext
    ) async throws -> (FHIRStoredResource, created: Bool) {
        let query = try conditionQuery(handler, condition)
        return try await locks.withLock(conditionKey(handler.resourceType, query)) {
            try await interaction.repositories.transaction { tx in
                try await FHIRServer.createUnlessExists(handler, resource, query: query, in: interaction.bound(to: tx))
            }
        }
    }

    func conditionQuery(_ handler: any FHIRResourceHandler, _ condition: String) throws -> FHIRSearchQuery {
        var text = condition.trimmingCharacters(in: .whitespaces)
        if let question = text.firstIndex(of: "?") { text = String(text[text.index(after: question)...]) }
        let parsed = try FHIRSearchParsing.parse(FHIRHTTP.queryItems(text), handler: handler, lenient: false, allowResultParameters: false)
        guard !parsed.query.criteria.isEmpty else {
            throw FHIRError(status: 400, code: .invalid, diagnostics: "If-None-Exist needs search criteria, e.g. identifier=system|value")
        }
        var query = parsed.query
        query.count = 2
        return query
    }

    func conditionKey(_ type: String, _ query: FHIRSearchQuery) -> String {
        type + "?" + query.criteria.map { "\($0.name):\($0.modifier ?? "")=\($0.values.joined(separator: ","))" }.sorted().joined(separator: "&")
    }

    static func createUnlessExists(
        _ handler: any FHIRResourceHandler, _ resource: FHIRJSON, query: FHIRSearchQuery, in context: FHIRInteractionContext
    ) async throws -> (FHIRStoredResource, created: Bool) {
        let found = try await handler.search(query, in: context).resources
        switch found.count {
        case 0: return (try await handler.create(resource, in: context), true)
        case 1: return (found[0], false)
        default:
            throw FHIRError(status: 412, code: .duplicate, diagnostics: "If-None-Exist matches more than one \(handler.resourceType): make the criteria more selective")
        }
    }

    func update(_ request: Request, _ context: AppRequestContext, type: String) async throws -> Response {
        let handler = try handler(type)
        let id = try FHIRHTTP.requireID(try context.parameters.require("id"), type: type)
        let interaction = try interaction(request, context)
        try interaction.requireWriter()
        guard handler.supportsUpdate else {
            throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(type) cannot be updated through FHIR")
        }
        let resource = try await FHIRHTTP.body(request, limit: FHIRHTTP.bodyLimit(config))
        try FHIRHTTP.requireResource(resource, type: type)
        let expected = try FHIRServer.expectedVersion(ifMatch: request.headers[.ifMatch], resource: resource, type: type, id: id)
        let stored = try await handler.update(id: id, resource, expectedVersion: expected, in: interaction)
        return writeResponse(request, stored, status: .ok, base: interaction.baseURL)
    }

    /// The version an update expects: `If-Match: W/"n"`; without it, the body's `meta.versionId` (what a client
    /// that read the resource sends back), else nil (the handler updates the current version). The body's id
    /// must be the URL's (400 otherwise).
    static func expectedVersion(ifMatch: String?, resource: FHIRJSON, type: String, id: String) throws -> Int? {
        if let bodyID = resource["id"] {
            guard bodyID.stringValue == id else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "the resource's id must be the id in the URL (\(id))", expression: ["\(type).id"])
            }
        } else {
            throw FHIRError(status: 400, code: .required, diagnostics: "an update carries the resource's id (\(id))", expression: ["\(type).id"])
        }
        if let ifMatch {
            guard let version = FHIRHTTP.parseETag(ifMatch) else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "If-Match must be the ETag the server returned, e.g. W/\"3\"")
            }
            return version
        }
        if let text = resource["meta"]?["versionId"]?.stringValue {
            guard let version = Int(text) else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "meta.versionId must be a version this server returned", expression: ["\(type).meta.versionId"])
            }
            return version
        }
        return nil
    }

    /// 201/200 with Location, ETag, Last-Modified; the body as `Prefer: return=` asks (representation by default).
    func writeResponse(_ request: Request, _ stored: FHIRStoredResource, status: HTTPResponse.Status, base: String) -> Response {
        var headers = FHIRHTTP.versionHeaders(stored)
        headers[.location] = "\(base)/\(stored.type)/\(stored.id)/_history/\(stored.versionID)"
        switch FHIRHTTP.preference(request, "return") {
        case "minimal":
            return Response(status: status, headers: headers)
        case "operationoutcome":
            let note = FHIRError(status: Int(status.code), code: .informational,
                                 diagnostics: "\(stored.type)/\(stored.id) version \(stored.versionID) \(status == .created ? "created" : "stored")",
                                 severity: "information")
            return FHIRHTTP.json(note.operationOutcome, status: status, headers: headers)
        default:
            return FHIRHTTP.json(FHIRHTTP.withMeta(stored), status: status, headers: headers)
        }
    }
}
