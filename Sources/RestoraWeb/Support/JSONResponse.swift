import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// JSON in and out with one configuration: ISO 8601 instants, sorted keys, bodies capped at a size limit.
enum JSONResponse {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, version: Int? = nil) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let version { headers[.eTag] = ETag.format(version) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder().encode(value))))
    }
}

extension Request {
    /// Reads at most `limit` bytes (413 beyond) and decodes them; a malformed body is a 400 naming the field.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit { throw HTTPError(.contentTooLarge) }
        let buffer = try await collectBody(upTo: limit)
        return try JSONResponse.decoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// As `decodeJSON`, but an empty body is nil (for requests whose every field is optional).
    mutating func decodeJSONIfPresent<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T? {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit { throw HTTPError(.contentTooLarge) }
        let buffer = try await collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { return nil }
        return try JSONResponse.decoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    var idempotencyKey: String? {
        guard let name = HTTPField.Name("Idempotency-Key"), let key = headers[name], !key.isEmpty else { return nil }
        return key
    }

    /// The version the client read, from `If-Match`; updates without one are refused (428), not guessed.
    func expectedVersion() throws -> Int {
        guard let value = headers[.ifMatch] else { throw APIError.preconditionRequired }
        guard let version = ETag.parse(value) else {
            throw APIError.badRequest(code: "bad_if_match", message: "If-Match must be an ETag this API returned, e.g. \"3\"")
        }
        return version
    }
}

enum ETag {
    static func format(_ version: Int) -> String { "\"\(version)\"" }

    static func parse(_ text: String) -> Int? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("W/") { trimmed.removeFirst(2) }
        guard trimmed.count >= 3, trimmed.first == "\"", trimmed.last == "\"" else { return nil }
        return Int(trimmed.dropFirst().dropLast())
    }
}
