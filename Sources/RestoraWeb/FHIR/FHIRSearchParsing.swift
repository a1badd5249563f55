import Foundation
import RestoraDomain

/// `_include` / `_revinclude` as asked: `Source:parameter[:Target]` (https://hl7.org/fhir/R4/search.html#include).
struct FHIRIncludeSpec: Sendable, Hashable {
    var sourceType: String
    var parameter: String
    var targetType: String?

    var text: String { [sourceType, parameter, targetType].compactMap { $0 }.joined(separator: ":") }
}

/// A parsed search request: the handler's query, plus what the server does itself (includes, the summary,
/// the parameters echoed in `self`/`next` links).
struct FHIRSearchRequest: Sendable {
    var query: FHIRSearchQuery
    var includes: [FHIRIncludeSpec] = []
    var revIncludes: [FHIRIncludeSpec] = []
    /// `_count=0` or `_summary=count`: the total only, no entries.
    var countOnly = false
    /// The parameters the server used, in the client's order (for `self` and `next`; `_cursor` not among them).
    var used: [(String, String)] = []
    /// Parameters ignored under `Prefer: handling=lenient`.
    var ignored: [String] = []
}

/// Parses a search's parameters (https://hl7.org/fhir/R4/search.html) into a `FHIRSearchRequest`.
///
/// Unknown or unsupported parameters are refused with 400 and an OperationOutcome naming them (strict, the
/// default), unless the client sends `Prefer: handling=lenient`: then they are ignored and left out of the
/// `self` link, as the specification asks. Empty values are ignored. `_count` defaults to 50 and is capped at
/// 1000. The `next` link carries the handler's keyset cursor, base64url-encoded, as `_cursor`.
enum FHIRSearchParsing {
    static let defaultCount = 50
    static let maxCount = 1000
    static let cursorParameter = "_cursor"

    /// The result parameters the server itself handles or accepts without effect.
    /// `_totalMethod` is Aidbox's name for `_total`, which fhirpy's `count()` sends with `_count=0`.
    static let resultParameters: Set<String> = ["_count", "_sort", "_include", "_revinclude", "_summary", "_total",
                                                "_totalMethod", "_format", "_pretty", "_elements", cursorParameter]

    static func parse(_ items: [(String, String)], handler: any FHIRResourceHandler, lenient: Bool,
                      allowResultParameters: Bool = true) throws -> FHIRSearchRequest {
        var request = FHIRSearchRequest(query: FHIRSearchQuery(criteria: [], count: defaultCount, sort: [], cursor: nil))
        let known = Dictionary(handler.searchParameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var ignored: [String] = []
        func refuse(_ name: String, _ message: String) throws {
            if lenient { ignored.append(name); return }
            throw FHIRError(status: 400, code: .notSupported, diagnostics: message)
        }
        for (rawName, value) in items {
            let parts = rawName.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let modifier = parts.count > 1 ? String(parts[1]) : nil
            if resultParameters.contains(name) {
                guard allowResultParameters else { try refuse(name, "\(name) is not allowed here"); continue }
                try parseResultParameter(name: name, modifier: modifier, value: value, handler: handler, into: &request, refuse: refuse)
                continue
            }
            guard !value.isEmpty else { continue }
            guard name == "_id" || name == "_lastUpdated" || known[name] != nil else {
                try refuse(name, "\(handler.resourceType) has no search parameter '\(name)' (the supported ones are in /fhir/metadata; send Prefer: handling=lenient to ignore unknown parameters)")
                continue
            }
            request.query.criteria.append(FHIRSearchCriterion(name: name, modifier: modifier, values: splitValues(value)))
            request.used.append((rawName, value))
        }
        request.ignored = ignored
        return request
    }

    private static func parseResultParameter(
        name: String, modifier: String?, value: String, handler: any FHIRResourceHandler,
        into request: inout FHIRSearchRequest, refuse: (String, String) throws -> Void
    ) throws {
        switch name {
        case "_count":
            guard let count = Int(value), count >= 0 else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "_count must be a whole number from 0 to \(maxCount)")
            }
            if count == 0 { request.countOnly = true }
            request.query.count = min(max(count, 1), maxCount)
            request.used.append((name, String(min(count, maxCount))))
        case "_sort":
            var keys: [FHIRSortKey] = []
            for key in splitValues(value) where !key.isEmpty {
                let descending = key.hasPrefix("-")
                let bare = descending ? String(key.dropFirst()) : key
                guard handler.sortParameters.contains(bare) else {
                    try refuse(name, "\(handler.resourceType) cannot be sorted by '\(bare)' (it sorts by \(handler.sortParameters.joined(separator: ", ")))")
                    continue
                }
                keys.append(FHIRSortKey(name: bare, descending: descending))
            }
            request.query.sort = keys
            if !keys.isEmpty { request.used.append((name, keys.map { ($0.descending ? "-" : "") + $0.name }.joined(separator: ","))) }
        case "_include", "_revinclude":
            guard modifier == nil || modifier == "iterate" else { try refuse(name, "\(name):\(modifier ?? "") is not supported"); return }
            let parts = value.split(separator: ":").map(String.init)
            guard parts.count == 2 || parts.count == 3 else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "\(name)=\(value) must be Type:parameter or Type:parameter:TargetType")
            }
            let spec = FHIRIncludeSpec(sourceType: parts[0], parameter: parts[1], targetType: parts.count == 3 ? parts[2] : nil)
            if name == "_include" {
                guard spec.sourceType == handler.resourceType else {
                    try refuse(name, "_include=\(value) does not start from \(handler.resourceType), the type searched")
                    return
                }
                guard handler.searchParameters.contains(where: { $0.name == spec.parameter && $0.kind == .reference }) else {
                    try refuse(name, "_include=\(value): \(handler.resourceType) has no reference search parameter '\(spec.parameter)'")
                    return
                }
                request.includes.append(spec)
            } else {
                request.revIncludes.append(spec)
            }
            request.used.append((name, value))
        case "_summary":
            if value == "count" {
                request.countOnly = true
                request.used.append((name, value))
            } else if value != "false" {
                try refuse(name, "_summary=\(value) is not supported (count and false are)")
            }
        case "_total":
            guard ["none", "estimate", "accurate"].contains(value) else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "_total must be none, estimate or accurate")
            }
        case "_totalMethod":
            guard ["none", "estimate", "accurate", "count"].contains(value) else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "_totalMethod must be count, none, estimate or accurate")
            }
        case cursorParameter:
            guard let cursor = decodeCursor(value) else {
                throw FHIRError(status: 400, code: .invalid, diagnostics: "the paging cursor is not one this server wrote: follow the Bundle's next link as it is")
            }
            request.query.cursor = cursor
        default:
            break  // _format (checked by the middleware), _pretty, _elements: accepted, no effect
        }
    }

    /// A parameter's values: split on commas (ORed), `\,` an escaped comma inside a value.
    static func splitValues(_ text: String) -> [String] {
        var values: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "," { values.append(current); current = ""; continue }
            current.append(character)
        }
        if escaped { current.append("\\") }
        values.append(current)
        return values
    }

    // MARK: Cursors

    static func encodeCursor(_ cursor: String) -> String {
        Data(cursor.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        guard let data = Data(base64Encoded: base64), let cursor = String(data: data, encoding: .utf8), !cursor.isEmpty else { return nil }
        return cursor
    }
}
