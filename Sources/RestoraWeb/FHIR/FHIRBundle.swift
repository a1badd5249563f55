import Foundation
import RestoraDomain

/// Bundles the server answers with (https://hl7.org/fhir/R4/bundle.html): searchset, history and
/// transaction-/batch-response.
enum FHIRBundle {
    static func bundle(type: String, id: String, now: Date, total: Int?, links: [(String, String)], entries: [FHIRJSON]) -> FHIRJSON {
        .object([
            "resourceType": .string("Bundle"),
            "id": .string(id),
            "meta": .object([("lastUpdated", .string(FHIRHTTP.instant(now)))]),
            "type": .string(type),
            "total": total.map { .integer($0) },
            "link": links.isEmpty ? nil : .array(links.map { relation, url in .object([("relation", .string(relation)), ("url", .string(url))]) }),
            "entry": entries.isEmpty ? nil : .array(entries),
        ])
    }

    static func fullUrl(_ base: String, _ stored: FHIRStoredResource) -> String { "\(base)/\(stored.type)/\(stored.id)" }

    static func searchEntry(_ stored: FHIRStoredResource, base: String, mode: String) -> FHIRJSON {
        .object([
            ("fullUrl", .string(fullUrl(base, stored))),
            ("resource", FHIRHTTP.withMeta(stored)),
            ("search", .object([("mode", .string(mode))])),
        ])
    }

    /// A history entry: the version, how it came to be (`request`) and its `response` (R4 3.1.0.11.2).
    static func historyEntry(_ stored: FHIRStoredResource, base: String, created: Bool) -> FHIRJSON {
        let method = stored.deleted ? "DELETE" : (created ? "POST" : "PUT")
        let url = created && !stored.deleted ? stored.type : "\(stored.type)/\(stored.id)"
        return .object([
            "fullUrl": .string(fullUrl(base, stored)),
            "resource": stored.deleted ? nil : FHIRHTTP.withMeta(stored),
            "request": .object([("method", .string(method)), ("url", .string(url))]),
            "response": .object([
                ("status", .string(stored.deleted ? "204" : (created ? "201" : "200"))),
                ("etag", .string(FHIRHTTP.etag(stored.versionID))),
                ("lastModified", .string(FHIRHTTP.instant(stored.lastUpdated))),
            ]),
        ])
    }
}

/// `_include` and `_revinclude` (https://hl7.org/fhir/R4/search.html#include), done by the server for every
/// type: an include follows the references the matched resources hold in the element the parameter names
/// (`patient` → `subject`/`patient`/`individual` pointing at a Patient, `study` → `study`, …) and reads each
/// target through its type's handler (site scoping holds: a target the user may not see is left out); a
/// revinclude runs the source type's own search with `parameter=Type/id,…` for the matched resources.
/// At most `maxIncluded` resources are included per page.
enum FHIRIncludes {
    static let maxIncluded = 1000

    /// The reference parameters whose target type the server knows (for `_revinclude` in the CapabilityStatement).
    static let targets: [String: [String]] = [
        "patient": ["Patient"], "subject": ["Patient"], "individual": ["Patient"], "study": ["ResearchStudy"],
        "encounter": ["Encounter"], "research-subject": ["ResearchSubject"],
    ]

    /// The elements a reference parameter reads, and the type the reference must point at (nil: any).
    static func elements(for parameter: String) -> (names: [String], type: String?) {
        switch parameter {
        case "patient": return (["subject", "patient", "individual", "beneficiary"], "Patient")
        case "subject": return (["subject"], nil)
        case "individual": return (["individual"], nil)
        case "encounter": return (["encounter", "context"], nil)
        case "study": return (["study"], nil)
        default:
            // kebab-case parameter → camelCase element (based-on → basedOn)
            let parts = parameter.split(separator: "-")
            let name = parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
            return ([name], nil)
        }
    }

    /// The `Type/id` references held in `element` (an object or a list of objects with `reference`).
    static func references(in resource: FHIRJSON, element: String) -> [String] {
        guard let value = resource[element] else { return [] }
        let items = value.arrayValue ?? [value]
        return items.compactMap { $0["reference"]?.stringValue }
    }

    static func relative(_ reference: String, base: String) -> (type: String, id: String)? {
        var text = reference
        if text.hasPrefix(base + "/") { text = String(text.dropFirst(base.count + 1)) }
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count == 2 || (parts.count == 4 && parts[2] == "_history") else { return nil }
        return (parts[0], parts[1])
    }

    static func included(
        matches: [FHIRStoredResource], includes: [FHIRIncludeSpec], revIncludes: [FHIRIncludeSpec],
        handlers: [String: any FHIRResourceHandler], context: FHIRInteractionContext
    ) async throws -> [FHIRStoredResource] {
        var seen = Set(matches.map { "\($0.type)/\($0.id)" })
        var out: [FHIRStoredResource] = []
        for spec in includes {
            let (names, impliedType) = elements(for: spec.parameter)
            for match in matches where match.type == spec.sourceType {
                for name in names {
                    for reference in references(in: match.resource, element: name) {
                        guard out.count < maxIncluded, let (type, id) = relative(reference, base: context.baseURL),
                              impliedType == nil || type == impliedType, spec.targetType == nil || type == spec.targetType,
                              let handler = handlers[type], FHIRHTTP.isValidID(id), seen.insert("\(type)/\(id)").inserted else { continue }
                        do {
                            out.append(try await handler.read(id: id, in: context))
                        } catch let error as FHIRError where error.status == 404 || error.status == 403 {
                            continue
                        } catch let error as RepositoryError {
                            if case .notFound = error { continue }
                            throw error
                        } catch let error as DomainError {
                            if case .notFound = error { continue }
                            throw error
                        }
                    }
                }
            }
        }
        for spec in revIncludes {
            guard let source = handlers[spec.sourceType] else {
                throw FHIRError(status: 400, code: .notSupported, diagnostics: "_revinclude=\(spec.text): \(spec.sourceType) is not a type this server has")
            }
            guard source.searchParameters.contains(where: { $0.name == spec.parameter }) else {
                throw FHIRError(status: 400, code: .notSupported, diagnostics: "_revinclude=\(spec.text): \(spec.sourceType) has no search parameter '\(spec.parameter)'")
            }
            let targets = matches.filter { spec.targetType == nil || $0.type == spec.targetType }.map { "\($0.type)/\($0.id)" }
            guard !targets.isEmpty else { continue }
            // In slices, so one search's OR list stays short.
            var start = 0
            while start < targets.count, out.count < maxIncluded {
                let slice = Array(targets[start..<min(start + 100, targets.count)])
                start += slice.count
                var cursor: String?
                repeat {
                    let page = try await source.search(FHIRSearchQuery(
                        criteria: [FHIRSearchCriterion(name: spec.parameter, modifier: nil, values: slice)],
                        count: min(maxIncluded, max(1, maxIncluded - out.count)), sort: [], cursor: cursor), in: context)
                    for resource in page.resources where out.count < maxIncluded && seen.insert("\(resource.type)/\(resource.id)").inserted {
                        out.append(resource)
                    }
                    cursor = page.nextCursor
                } while cursor != nil && out.count < maxIncluded
            }
        }
        return out
    }
}
