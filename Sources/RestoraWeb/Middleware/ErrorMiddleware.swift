import Hummingbird
import Logging
import RestoraDomain

/// Turns every error into the JSON error body with a status code. Only user-safe messages go out; the
/// log gets the kind of error and the request id, never patient data or the raw error dump.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, code, message, details) = Self.describe(error)
            if status.code >= 500 {
                context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))", "request.id": "\(context.requestID)"])
            }
            if !request.uri.path.hasPrefix("/api/") {
                // A path outside the API (an unknown page): the person is in a browser, so answer with a page.
                let title = status.code == 404 ? "Not found" : "This request cannot be completed"
                let text = status.code == 404 ? "There is no such page." : (status.code >= 500 ? "The server could not complete the request." : message)
                return HTMLResponse.html(ErrorPage.view(context: context, status: Int(status.code), title: title, message: text), status: status)
            }
            let body = ErrorBody(error: .init(code: code, message: message, details: details), requestId: context.requestID)
            return try JSONResponse.make(body, status: status)
        }
    }

    static func describe(_ error: any Error) -> (HTTPResponse.Status, String, String, [String: String]) {
        switch error {
        case let e as APIError:
            return (e.status, e.code, e.message, [:])
        case let e as RepositoryError:
            let status: HTTPResponse.Status
            switch e {
            case .notFound: status = .notFound
            case .staleVersion: status = .preconditionFailed
            case .duplicate: status = .conflict
            case .reasonRequired, .idempotencyKeyReused, .unknownReference, .constraintFailed: status = .unprocessableContent
            case .locked: status = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")  // RFC 4918 (issue #16 item 4)
            }
            return (status, e.code, e.description, [:])
        case let e as DomainError:
            switch e {
            case let .invalidValue(field, message):
                // `path` is the JSON path of the offending field (issue #12); `field` is kept for older clients.
                return (.unprocessableContent, "invalid_value", message, ["field": field, "path": field])
            case let .illegalTransition(from, to, message):
                return (.conflict, "illegal_transition", message, ["from": from, "to": to])
            case let .notFound(kind, _, message): return (.notFound, "not_found", message, ["kind": kind])
            case let .protocolRule(rule, field, message):
                return (.unprocessableContent, "protocol_rule", "\(message) (protocol rule: \(rule))", ["field": field, "path": field, "rule": rule])
            }
        case let e as RoleRefusal:
            // A role that may not take this action (issue #14: only an investigator prescribes or signs a deviation).
            return (.forbidden, "forbidden", e.description, ["rule": e.rule])
        case let e as ParticipantCursor.Malformed:
            return (.badRequest, "bad_cursor", e.description, ["path": "cursor"])
        case let e as DecodingError:
            return (.badRequest, "malformed_body", DecodingMessage.describe(e), ["path": DecodingMessage.path(e)])
        case let e as HTTPError:
            let message = e.status == .contentTooLarge ? "the request body is too large" : e.status.reasonPhrase
            return (e.status, e.status == .contentTooLarge ? "body_too_large" : "http_\(e.status.code)", message, [:])
        default:
            return (.internalServerError, "internal_error", "the server could not complete the request", [:])
        }
    }
}

/// Decoding errors say which field and what was expected, without echoing the submitted values.
enum DecodingMessage {
    static func path(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c): context = c
        @unknown default: return ""
        }
        var keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        if case let .keyNotFound(key, _) = error { keys.append(key.stringValue) }
        return keys.joined(separator: ".")
    }

    /// The message names the field and what was expected in the API's terms (`DecodingWords`), never a
    /// Swift type or coding key (issue #19).
    static func describe(_ error: DecodingError) -> String {
        let at = path(error)
        let place = at.isEmpty ? "the body" : "'\(at)'"
        if case let .dataCorrupted(c) = error, at.isEmpty, c.underlyingError != nil { return "the body is not valid JSON" }
        switch error {
        case let .typeMismatch(type, c):
            return "\(place) has the wrong type (expected \(DecodingWords.expected(type))\(DecodingWords.found(c.debugDescription)))"
        default: return "\(place) \(DecodingWords.problem(error))"
        }
    }
}
