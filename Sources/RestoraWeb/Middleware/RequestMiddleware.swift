import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import RestoraDomain

/// Gives every request an id (the client's `X-Request-ID` when it is short and plain, else a new one)
/// and echoes it in the response, so a user's error report can be matched with the log and the audit trail.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let ids: any IDGenerator
    static let header = HTTPField.Name("X-Request-ID")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let offered = request.headers[Self.header].flatMap { Self.isPlain($0) ? $0 : nil }
        context.requestID = offered ?? ids.next()
        context.logger[metadataKey: "request.id"] = "\(context.requestID)"
        var response = try await next(request, context)
        response.headers[Self.header] = context.requestID
        return response
    }

    /// Only short ids of letters, digits and dashes are echoed back: nothing a client could inject into logs.
    static func isPlain(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
    }
}

/// Counts requests by method and status in the Prometheus registry that `/metrics` serves.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        let labels = [("method", request.method.rawValue), ("status", String(response.status.code))]
        registry.makeCounter(name: "restora_http_requests_total", labels: labels, help: "HTTP requests by method and status").increment()
        return response
    }
}

/// Sign-in for the API: a bearer token, or the web session cookie. Both are looked up by their hash through
/// the user repository. A cookie is sent by the browser on its own, so a cookie-signed write must also carry
/// `X-Requested-With` (a header another site's page cannot add without CORS): cross-site request forgery
/// is refused even where SameSite is not honoured.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let users: any UserRepository
    let clock: any Clock
    static let requestedWith = HTTPField.Name("X-Requested-With")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer ") else { throw APIError.unauthorized }
            token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        } else if let cookie = SessionCookie.token(in: request.headers) {
            let safe: Set<HTTPRequest.Method> = [.get, .head, .options]
            if !safe.contains(request.method), (request.headers[Self.requestedWith] ?? "").isEmpty {
                throw APIError.forbidden("a write signed in by session cookie needs the X-Requested-With header")
            }
            token = cookie
        } else {
            throw APIError.unauthorized
        }
        guard !token.isEmpty, let user = try await users.authenticate(bearerToken: token, now: clock.now()) else {
            throw APIError.unauthorized
        }
        var context = context
        context.user = user
        return try await next(request, context)
    }
}
