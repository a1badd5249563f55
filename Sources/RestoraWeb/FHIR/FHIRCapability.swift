import Foundation

/// The CapabilityStatement at `/fhir/metadata` (https://hl7.org/fhir/R4/capabilitystatement.html), generated
/// from the handlers the server runs: exactly their types, interactions, search parameters, `_sort` keys and
/// includes, and the system interactions and operations that work. Nothing here is written by hand per type.
enum FHIRCapability {
    /// System-level operations (`$export`, …) the server answers, added by the code that answers them.
    struct Operation: Sendable {
        var name: String
        var definition: String
    }

    static func statement(
        handlers: [any FHIRResourceHandler], base: String, date: Date, systemOperations: [Operation] = [],
        typeOperations: [String: [Operation]] = [:]
    ) -> FHIRJSON {
        let types = Set(handlers.map(\.resourceType))
        let resources: [FHIRJSON] = handlers.map { handler in
            resource(handler, types: types, handlers: handlers, operations: typeOperations[handler.resourceType] ?? [])
        }
        return .object([
            "resourceType": .string("CapabilityStatement"),
            "id": .string("restora"),
            "url": .string("\(base)/metadata"),
            "name": .string("RestoraFHIRServer"),
            "title": .string("Restora FHIR R4 server"),
            "status": .string("active"),
            "experimental": .bool(false),
            "date": .string(FHIRHTTP.instant(date)),
            "publisher": .string("Restora"),
            "description": .string("The trial's records (participants, enrolments, visits, observations, treatment, safety) as FHIR R4 resources, with the same rules, audit and site scoping as the web app and the JSON API."),
            "kind": .string("instance"),
            "software": .object([("name", .string("Restora"))]),
            "implementation": .object([("description", .string("Restora FHIR server")), ("url", .string(base))]),
            "fhirVersion": .string("4.0.1"),
            "format": .array([.string("json"), .string("application/fhir+json")]),
            "rest": .array([.object([
                "mode": .string("server"),
                "documentation": .string("Every interaction but this statement needs Authorization: Bearer <token> (restora token create, or POST /api/v1/sessions). A record of a site the user does not belong to answers 404. Unknown search parameters are refused (400) unless the request says Prefer: handling=lenient."),
                "security": .object([
                    ("cors", .bool(false)),
                    ("description", .string("Bearer tokens (Authorization: Bearer <token>), the JSON API's; a user sees the records of their sites only (admins: every site).")),
                ]),
                "resource": .array(resources),
                "interaction": .array([
                    .object([("code", .string("transaction")), ("documentation", .string("all entries commit together or nothing is written; urn:uuid fullUrls are resolved in references"))]),
                    .object([("code", .string("batch")), ("documentation", .string("each entry on its own"))]),
                ]),
                "operation": systemOperations.isEmpty ? nil : .array(systemOperations.map { operation in
                    .object([("name", .string(operation.name)), ("definition", .string(operation.definition))])
                }),
            ])]),
        ])
    }

    static func resource(
        _ handler: any FHIRResourceHandler, types: Set<String>, handlers: [any FHIRResourceHandler], operations: [Operation]
    ) -> FHIRJSON {
        let type = handler.resourceType
        var interactions = ["read", "vread", "history-instance"]
        if handler is any FHIRVersionedHandler { interactions.append("history-type") }
        if handler.supportsUpdate { interactions.append("update") }
        if handler.supportsCreate { interactions.append("create") }
        interactions.append("search-type")

        let includes = handler.searchParameters.filter { $0.kind == .reference }.map { "\(type):\($0.name)" }
        let revIncludes = handlers.flatMap { source in
            source.searchParameters.filter { $0.kind == .reference && (FHIRIncludes.targets[$0.name]?.contains(type) ?? false) }
                .map { "\(source.resourceType):\($0.name)" }
        }
        var parameters: [FHIRJSON] = [
            searchParam("_id", "token", "the resource id (comma-separated ids are ORed)"),
            searchParam("_lastUpdated", "date", "when the record was last changed (eq, ne, lt, le, gt, ge, sa, eb prefixes)"),
        ]
        parameters += handler.searchParameters.filter { $0.name != "_id" && $0.name != "_lastUpdated" }.map {
            searchParam($0.name, $0.kind.rawValue, $0.documentation)
        }
        parameters.append(searchParam("_sort", "special", "sort keys: " + handler.sortParameters.flatMap { [$0, "-" + $0] }.joined(separator: ", ")))
        parameters.append(searchParam("_count", "number", "page size: default \(FHIRSearchParsing.defaultCount), at most \(FHIRSearchParsing.maxCount); 0 gives the total only"))
        return .object([
            "type": .string(type),
            "interaction": .array(interactions.map { .object([("code", .string($0))]) }),
            "versioning": .string("versioned"),
            "readHistory": .bool(handler is any FHIRVersionedHandler),
            "updateCreate": handler.supportsUpdate ? .bool(false) : nil,
            "conditionalCreate": handler.supportsCreate ? .bool(true) : nil,
            "conditionalRead": .string("not-supported"),
            "conditionalUpdate": handler.supportsUpdate ? .bool(false) : nil,
            "conditionalDelete": .string("not-supported"),
            "referencePolicy": .array([.string("literal"), .string("local")]),
            "searchInclude": includes.isEmpty ? nil : .array(includes.map { .string($0) }),
            "searchRevInclude": revIncludes.isEmpty ? nil : .array(revIncludes.map { .string($0) }),
            "searchParam": .array(parameters),
            "operation": operations.isEmpty ? nil : .array(operations.map { .object([("name", .string($0.name)), ("definition", .string($0.definition))]) }),
        ])
    }

    static func searchParam(_ name: String, _ type: String, _ documentation: String) -> FHIRJSON {
        .object([("name", .string(name)), ("type", .string(type)), ("documentation", .string(documentation))])
    }
}
