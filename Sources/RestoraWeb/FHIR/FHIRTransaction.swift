import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// One entry of a transaction or batch Bundle, as read from `entry[i].request` (https://hl7.org/fhir/R4/http.html#transaction).
struct FHIRBundleEntry: Sendable {
    enum Action: Sendable { case create, update(id: String), read(id: String), search(items: [(String, String)]) }
    var index: Int
    var type: String
    var action: Action
    var fullUrl: String?
    var resource: FHIRJSON?
    var ifNoneExist: String?
    var ifMatch: String?

    var path: String { "Bundle.entry[\(index)]" }
    var isWrite: Bool {
        switch action { case .create, .update: return true; default: return false }
    }
}

/// `POST /fhir` with a Bundle of type `transaction` (every entry in ONE database transaction: all written or
/// none, `urn:uuid:` fullUrls replaced by the ids the creates get in every reference of later entries) or
/// `batch` (each entry on its own). Entries run in the specification's order: creates (those another create
/// refers to first), updates, then reads; the response lists them in the request's order.
extension FHIRServer {
    func bundle(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let interaction = try interaction(request, context)
        let bundle = try await FHIRHTTP.body(request, limit: FHIRHTTP.bodyLimit(config))
        try FHIRHTTP.requireResource(bundle, type: "Bundle", at: "Bundle")
        let representation = FHIRHTTP.preference(request, "return") != "minimal"
        switch bundle["type"]?.stringValue {
        case "transaction":
            let entries = try parseEntries(bundle)
            return FHIRHTTP.json(try await transaction(entries, representation: representation, in: interaction))
        case "batch":
            let entries = try parseEntries(bundle)
            return FHIRHTTP.json(try await batch(entries, representation: representation, in: interaction))
        case let other:
            throw FHIRError(status: 400, code: .invalid, diagnostics: "POST /fhir takes a Bundle of type transaction or batch, not \(other ?? "none")", expression: ["Bundle.type"])
        }
    }

    // MARK: Reading the entries

    func parseEntries(_ bundle: FHIRJSON) throws -> [FHIRBundleEntry] {
        let raw = bundle["entry"]?.arrayValue ?? []
        var entries: [FHIRBundleEntry] = []
        var fullUrls = Set<String>()
        for (index, entry) in raw.enumerated() {
            let path = "Bundle.entry[\(index)]"
            guard let request = entry["request"], request.objectValue != nil else {
                throw FHIRError(status: 400, code: .required, diagnostics: "every entry needs a request (method and url)", expression: ["\(path).request"])
            }
            guard let method = request["method"]?.stringValue?.uppercased() else {
                throw FHIRError(status: 400, code: .required, diagnostics: "the entry's request has no method", expression: ["\(path).request.method"])
            }
            guard var url = request["url"]?.stringValue, !url.isEmpty else {
                throw FHIRError(status: 400, code: .required, diagnostics: "the entry's request has no url", expression: ["\(path).request.url"])
            }
            if url.hasPrefix("/") { url.removeFirst() }
            let query: String? = url.firstIndex(of: "?").map { String(url[url.index(after: $0)...]) }
            let pathPart = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
            let segments = pathPart.split(separator: "/").map(String.init)
            guard let type = segments.first, byType[type] != nil else {
                throw FHIRError(status: 404, code: .notSupported, diagnostics: "\(segments.first ?? url) is not a resource type this server has", expression: ["\(path).request.url"])
            }
            let handler = byType[type]!
            let resource = entry["resource"]
            let fullUrl = entry["fullUrl"]?.stringValue
            if let fullUrl {
                guard fullUrls.insert(fullUrl).inserted else {
                    throw FHIRError(status: 400, code: .duplicate, diagnostics: "two entries have the fullUrl \(fullUrl)", expression: ["\(path).fullUrl"])
                }
            }
            let action: FHIRBundleEntry.Action
            switch (method, segments.count) {
            case ("POST", 1):
                guard handler.supportsCreate else {
                    throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(type) cannot be created through FHIR", expression: ["\(path).request"])
                }
                guard let resource else {
                    throw FHIRError(status: 400, code: .required, diagnostics: "a create entry carries the resource", expression: ["\(path).resource"])
                }
                try FHIRHTTP.requireResource(resource, type: type, at: "\(path).resource")
                action = .create
            case ("PUT", 2):
                guard handler.supportsUpdate else {
                    throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(type) cannot be updated through FHIR", expression: ["\(path).request"])
                }
                guard let resource else {
                    throw FHIRError(status: 400, code: .required, diagnostics: "an update entry carries the resource", expression: ["\(path).resource"])
                }
                try FHIRHTTP.requireResource(resource, type: type, at: "\(path).resource")
                action = .update(id: try FHIRHTTP.requireID(segments[1], type: type))
            case ("GET", 2):
                action = .read(id: try FHIRHTTP.requireID(segments[1], type: type))
            case ("GET", 1):
                action = .search(items: FHIRHTTP.queryItems(query))
            case ("DELETE", _), ("PATCH", _), ("HEAD", _):
                throw FHIRError(status: 405, code: .notSupported, diagnostics: "\(method) entries are not supported", expression: ["\(path).request.method"])
            default:
                throw FHIRError(status: 400, code: .invalid, diagnostics: "\(method) \(url) is not an interaction this server knows", expression: ["\(path).request.url"])
            }
            entries.append(FHIRBundleEntry(
                index: index, type: type, action: action, fullUrl: fullUrl, resource: resource,
                ifNoneExist: request["ifNoneExist"]?.stringValue, ifMatch: request["ifMatch"]?.stringValue))
        }
        return entries
    }

    /// Processing order: creates (topologically, so a create another create refers to by urn:uuid runs
    /// first), then updates, then reads and searches.
    func processingOrder(_ entries: [FHIRBundleEntry]) throws -> [FHIRBundleEntry] {
        let creates = entries.filter { if case .create = $0.action { return true }; return false }
        let byFullUrl = Dictionary(creates.compactMap { entry in entry.fullUrl.map { ($0, entry.index) } }, uniquingKeysWith: { a, _ in a })
        var ordered: [FHIRBundleEntry] = []
        var state: [Int: Int] = [:]  // 1 visiting, 2 done
        let byIndex = Dictionary(uniqueKeysWithValues: creates.map { ($0.index, $0) })
        func visit(_ entry: FHIRBundleEntry) throws {
            if state[entry.index] == 2 { return }
            if state[entry.index] == 1 {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "the creates refer to each other in a circle through urn:uuid references", expression: ["\(entry.path).resource"])
            }
            state[entry.index] = 1
            for reference in FHIRTransactionReferences.all(in: entry.resource ?? .null) {
                if let other = byFullUrl[reference], other != entry.index, let dependency = byIndex[other] { try visit(dependency) }
            }
            state[entry.index] = 2
            ordered.append(entry)
        }
        for entry in creates { try visit(entry) }
        ordered += entries.filter { if case .update = $0.action { return true }; return false }
        ordered += entries.filter { !$0.isWrite }
        return ordered
    }

    // MARK: transaction

    func transaction(_ entries: [FHIRBundleEntry], representation: Bool, in interaction: FHIRInteractionContext) async throws -> FHIRJSON {
        if entries.contains(where: \.isWrite) { try interaction.requireWriter() }
        let ordered = try processingOrder(entries)
        // The conditional creates' locks, taken before the transaction and held to its end.
        var lockKeys: [String] = []
        for entry in entries {
            if case .create = entry.action, let condition = entry.ifNoneExist, !condition.contains("urn:uuid:") {
                lockKeys.append(conditionKey(entry.type, try inEntry(entry) { try conditionQuery(try handler(entry.type), condition) }))
            }
        }
        let server = self
        let results = try await locks.withLocks(lockKeys) {
            try await interaction.repositories.transaction { tx in
                let bound = interaction.bound(to: tx)
                var assigned: [String: String] = [:]
                var results: [Int: FHIRJSON] = [:]
                for entry in ordered {
                    let (response, reference) = try await server.run(entry, assigned: assigned, representation: representation, in: bound)
                    if let fullUrl = entry.fullUrl, let reference { assigned[fullUrl] = reference }
                    results[entry.index] = response
                }
                return results
            }
        }
        return FHIRBundle.bundle(type: "transaction-response", id: dependencies.ids.next(), now: interaction.now, total: nil, links: [],
                                 entries: entries.map { results[$0.index] ?? .object([]) })
    }

    /// Maps any error of `body` to the entry's OperationOutcome (expression under `Bundle.entry[i]`).
    func inEntry<R>(_ entry: FHIRBundleEntry, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch {
            throw FHIRErrorMapping.inEntry(error, index: entry.index, resourceType: entry.resource == nil ? nil : entry.type)
        }
    }

    func inEntry<R>(_ entry: FHIRBundleEntry, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch {
            throw FHIRErrorMapping.inEntry(error, index: entry.index, resourceType: entry.resource == nil ? nil : entry.type)
        }
    }

    /// Runs one entry; returns its response entry and, for a write, the `Type/id` its fullUrl now stands for.
    func run(
        _ entry: FHIRBundleEntry, assigned: [String: String], representation: Bool, in context: FHIRInteractionContext
    ) async throws -> (FHIRJSON, String?) {
        try await inEntry(entry) {
            let handler = try handler(entry.type)
            switch entry.action {
            case .create:
                let resource = try FHIRTransactionReferences.resolve(entry.resource!, assigned: assigned, path: "\(entry.path).resource")
                if let condition = entry.ifNoneExist {
                    let resolved = assigned.reduce(condition) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
                    let (stored, created) = try await FHIRServer.createUnlessExists(handler, resource, query: try conditionQuery(handler, resolved), in: context)
                    return (writeEntry(stored, status: created ? "201 Created" : "200 OK", representation: representation, base: context.baseURL),
                            "\(stored.type)/\(stored.id)")
                }
                let stored = try await handler.create(resource, in: context)
                return (writeEntry(stored, status: "201 Created", representation: representation, base: context.baseURL), "\(stored.type)/\(stored.id)")
            case .update(let id):
                let resource = try FHIRTransactionReferences.resolve(entry.resource!, assigned: assigned, path: "\(entry.path).resource")
                let expected = try FHIRServer.expectedVersion(ifMatch: entry.ifMatch, resource: resource, type: entry.type, id: id)
                let stored = try await handler.update(id: id, resource, expectedVersion: expected, in: context)
                return (writeEntry(stored, status: "200 OK", representation: representation, base: context.baseURL), "\(stored.type)/\(stored.id)")
            case .read(let id):
                let stored = try await handler.read(id: id, in: context)
                return (.object([
                    ("fullUrl", .string(FHIRBundle.fullUrl(context.baseURL, stored))),
                    ("resource", FHIRHTTP.withMeta(stored)),
                    ("response", .object([("status", .string("200 OK")), ("etag", .string(FHIRHTTP.etag(stored.versionID))),
                                          ("lastModified", .string(FHIRHTTP.instant(stored.lastUpdated)))])),
                ]), nil)
            case .search(let items):
                let bundle = try await searchBundle(type: entry.type, items: items, lenient: false, in: context)
                return (.object([("resource", bundle), ("response", .object([("status", .string("200 OK"))]))]), nil)
            }
        }
    }

    func writeEntry(_ stored: FHIRStoredResource, status: String, representation: Bool, base: String) -> FHIRJSON {
        .object([
            "fullUrl": .string(FHIRBundle.fullUrl(base, stored)),
            "resource": representation ? FHIRHTTP.withMeta(stored) : nil,
            "response": .object([
                ("status", .string(status)),
                ("location", .string("\(stored.type)/\(stored.id)/_history/\(stored.versionID)")),
                ("etag", .string(FHIRHTTP.etag(stored.versionID))),
                ("lastModified", .string(FHIRHTTP.instant(stored.lastUpdated))),
            ]),
        ])
    }

    // MARK: batch

    func batch(_ entries: [FHIRBundleEntry], representation: Bool, in interaction: FHIRInteractionContext) async throws -> FHIRJSON {
        var results: [Int: FHIRJSON] = [:]
        for entry in entries {
            do {
                if entry.isWrite { try interaction.requireWriter() }
                var response: FHIRJSON
                if case .create = entry.action, let condition = entry.ifNoneExist {
                    let handler = try handler(entry.type)
                    let resource = entry.resource!
                    let (stored, created) = try await inEntry(entry) { try await conditionalCreate(handler, resource, condition: condition, in: interaction) }
                    response = writeEntry(stored, status: created ? "201 Created" : "200 OK", representation: representation, base: interaction.baseURL)
                } else {
                    (response, _) = try await run(entry, assigned: [:], representation: representation, in: interaction)
                }
                results[entry.index] = response
            } catch {
                let mapped = FHIRErrorMapping.inEntry(error, index: entry.index, resourceType: entry.resource == nil ? nil : entry.type)
                results[entry.index] = .object([("response", .object([
                    ("status", .string(String(mapped.status))),
                    ("outcome", mapped.operationOutcome),
                ]))])
            }
        }
        return FHIRBundle.bundle(type: "batch-response", id: dependencies.ids.next(), now: interaction.now, total: nil, links: [],
                                 entries: entries.map { results[$0.index] ?? .object([]) })
    }
}

/// The `reference` members of a resource, and their `urn:uuid:` targets replaced by the ids assigned.
enum FHIRTransactionReferences {
    static func all(in value: FHIRJSON) -> [String] {
        switch value {
        case .object(let members):
            return members.flatMap { key, member -> [String] in
                if key == "reference", let text = member.stringValue { return [text] }
                return all(in: member)
            }
        case .array(let values): return values.flatMap { all(in: $0) }
        default: return []
        }
    }

    /// Replaces every `reference` naming a fullUrl of the bundle by `Type/id`; a `urn:uuid:` reference no
    /// entry stands for is a 400 naming its path.
    static func resolve(_ value: FHIRJSON, assigned: [String: String], path: String) throws -> FHIRJSON {
        switch value {
        case .object(let members):
            return .object(try members.map { key, member in
                if key == "reference", let text = member.stringValue {
                    if let target = assigned[text] { return (key, .string(target)) }
                    if text.hasPrefix("urn:uuid:") || text.hasPrefix("urn:oid:") {
                        throw FHIRError(status: 400, code: .notFound, diagnostics: "\(text) is not the fullUrl of an entry created before this one in the bundle",
                                        expression: ["\(path).\(key)"])
                    }
                    return (key, member)
                }
                return (key, try resolve(member, assigned: assigned, path: "\(path).\(key)"))
            })
        case .array(let values):
            return .array(try values.enumerated().map { index, member in try resolve(member, assigned: assigned, path: "\(path)[\(index)]") })
        default:
            return value
        }
    }
}
