import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// The HTTP side of FHIR R4 (https://hl7.org/fhir/R4/http.html): content types, formats, ETags, dates,
/// the `Prefer` header, query strings and resource responses with `meta`.
enum FHIRHTTP {
    static let contentType = "application/fhir+json; fhirVersion=4.0"
    static let ifNoneExist = HTTPField.Name("If-None-Exist")!
    static let prefer = HTTPField.Name("Prefer")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// Bodies up to this size are read (a transaction bundle is larger than a JSON API request).
    static func bodyLimit(_ config: WebConfiguration) -> Int { max(config.maxBodyBytes, 8 << 20) }

    // MARK: Formats

    /// JSON is the only format: `_format` json/application/json/application/fhir+json, an `Accept` naming a
    /// JSON type or a wildcard. XML (or any other format) asked for alone is 406; an XML body is 415.
    /// A `$export` output file is NDJSON: its `Accept` is `FHIRBulkRoutes.acceptsFile`'s to judge.
    static func checkFormat(_ request: Request) throws {
        for (name, value) in queryItems(request.uri.query) where name == "_format" {
            guard isJSONType(value) || value.lowercased() == "json" else {
                throw FHIRError(status: 406, code: .notSupported, diagnostics: "_format=\(value) is not supported: this server speaks FHIR JSON only (_format=json)")
            }
        }
        if let accept = request.headers[.accept], !accept.trimmingCharacters(in: .whitespaces).isEmpty {
            let ranges = accept.split(separator: ",").map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
            if FHIRBulkRoutes.isFile(request.uri.path) {
                guard ranges.contains(where: FHIRBulkRoutes.acceptsFile) else {
                    throw FHIRError(status: 406, code: .notSupported, diagnostics: "Accept: \(accept) is not supported: an export file is application/fhir+ndjson")
                }
                return
            }
            let acceptable = ranges.contains { $0 == "*/*" || $0 == "application/*" || isJSONType($0) || $0 == "text/*" || $0 == "text/html" || $0 == "text/plain" }
            if !acceptable {
                throw FHIRError(status: 406, code: .notSupported, diagnostics: "Accept: \(accept) is not supported: this server answers application/fhir+json only")
            }
        }
        if [.post, .put, .patch].contains(request.method), let type = request.headers[.contentType]?.lowercased(),
           !type.isEmpty, !isJSONType(type), !type.hasPrefix("application/x-www-form-urlencoded") {
            throw FHIRError(status: 415, code: .notSupported, diagnostics: "Content-Type \(type) is not supported: send application/fhir+json")
        }
    }

    static func isJSONType(_ value: String) -> Bool {
        let type = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/fhir+json" || type == "application/json" || type == "application/json+fhir"
    }

    // MARK: Query strings

    /// The `name=value` pairs of a query string or a form body, in order, decoded (`+` is a space).
    static func queryItems(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            return (name, value)
        }
    }

    static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Percent-encodes a query component (name or value).
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:|/,$*")
        return text.unicodeScalars.map { scalar in
            scalar.isASCII && allowed.contains(scalar) ? String(scalar) : String(scalar).utf8.map { String(format: "%%%02X", $0) }.joined()
        }.joined()
    }

    static func queryString(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    // MARK: Headers

    /// The server's FHIR base for this request, e.g. `http://127.0.0.1:8080/fhir` (from the Host header).
    static func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "localhost"
        let scheme = request.uri.scheme?.rawValue ?? (request.headers[forwardedProto].map { $0 == "https" ? "https" : "http" } ?? "http")
        return "\(scheme)://\(host)/fhir"
    }

    static func etag(_ version: Int) -> String { "W/\"\(version)\"" }

    /// `W/"3"`, `"3"` or `3`; nil when the value is not a version.
    static func parseETag(_ text: String) -> Int? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("W/") { trimmed.removeFirst(2) }
        if trimmed.hasPrefix("\""), trimmed.hasSuffix("\""), trimmed.count >= 3 { trimmed = String(trimmed.dropFirst().dropLast()) }
        guard let version = Int(trimmed), version >= 0 else { return nil }
        return version
    }

    /// The `Prefer` header's value for `key` (e.g. `return` → `minimal`, `handling` → `lenient`).
    static func preference(_ request: Request, _ key: String) -> String? {
        let values = request.headers[values: prefer]
        for value in values {
            for part in value.split(separator: ",").flatMap({ $0.split(separator: ";") }) {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == key.lowercased() {
                    return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
                }
                if pair.count == 1, pair[0].lowercased() == key.lowercased() { return "" }
            }
        }
        return nil
    }

    // MARK: Dates

    static let instantStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// A FHIR instant, e.g. `2026-01-01T00:00:00.000Z`; for a stored time, exactly the store's text.
    /// A stored time read back is the `Double` nearest its milliseconds, often a hair below (…33.122999…), and
    /// the ISO 8601 style truncates: `meta.lastUpdated` came out 1 ms before the stored `updated_at` for about
    /// half of all records, so `_lastUpdated=gt<meta.lastUpdated>` found the record itself. One microsecond
    /// lifts such a value over its millisecond (the `Double` keeps ~0.1 µs here) and moves no other time's
    /// milliseconds unless it is within a microsecond of the next.
    static func instant(_ date: Date) -> String { instantStyle.format(date.addingTimeInterval(0.000_001)) }

    /// An HTTP date (RFC 9110 IMF-fixdate) for Last-Modified.
    static func httpDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", days[(c.weekday ?? 1) - 1], c.day ?? 1, months[(c.month ?? 1) - 1],
                      c.year ?? 1970, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    // MARK: Resources and responses

    /// A FHIR id: `[A-Za-z0-9\-\.]{1,64}`.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x2E
        }
    }

    static func requireID(_ id: String, type: String) throws -> String {
        guard isValidID(id) else {
            throw FHIRError(status: 400, code: .invalid, diagnostics: "\(type) ids are 1 to 64 letters, digits, '-' or '.'", expression: ["\(type).id"])
        }
        return id
    }

    /// The resource as served: `id` and `meta.versionId`/`meta.lastUpdated` set (a handler's own meta members kept).
    static func withMeta(_ stored: FHIRStoredResource) -> FHIRJSON {
        var meta: [(String, FHIRJSON)] = [("versionId", .string(String(stored.versionID))), ("lastUpdated", .string(instant(stored.lastUpdated)))]
        if let existing = stored.resource["meta"]?.objectValue {
            meta += existing.filter { $0.0 != "versionId" && $0.0 != "lastUpdated" }
        }
        return stored.resource
            .setting("resourceType", .string(stored.type))
            .setting("id", .string(stored.id))
            .setting("meta", .object(meta))
            .reordered()
    }

    static func json(_ value: FHIRJSON, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }

    static func versionHeaders(_ stored: FHIRStoredResource) -> HTTPFields {
        [.eTag: etag(stored.versionID), .lastModified: httpDate(stored.lastUpdated)]
    }

    /// Reads the request body (at most `limit` bytes, 413 beyond) and parses it as JSON (400 when malformed).
    static func body(_ request: Request, limit: Int) async throws -> FHIRJSON {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw HTTPError(.contentTooLarge) }
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { throw FHIRError(status: 400, code: .required, diagnostics: "the request has no body: send a FHIR resource") }
        return try FHIRJSON.parse(buffer.readableBytesView)
    }

    /// The body must be a `type` resource (400 naming `resourceType` otherwise).
    static func requireResource(_ resource: FHIRJSON, type: String, at path: String? = nil) throws {
        guard resource.objectValue != nil else {
            throw FHIRError(status: 400, code: .structure, diagnostics: "the body must be a JSON object (a \(type) resource)", expression: path.map { [$0] } ?? [])
        }
        guard let given = resource["resourceType"]?.stringValue else {
            throw FHIRError(status: 400, code: .required, diagnostics: "the resource has no resourceType (expected \(type))",
                            expression: [path.map { "\($0).resourceType" } ?? "resourceType"])
        }
        guard given == type else {
            throw FHIRError(status: 400, code: .invalid, diagnostics: "the resource is a \(given), not a \(type)",
                            expression: [path.map { "\($0).resourceType" } ?? "resourceType"])
        }
    }
}
