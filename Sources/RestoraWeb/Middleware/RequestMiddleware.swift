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

/// Every `/api/` response, errors and 404s included, is never cached (clinical data, tokens) and never
/// content-sniffed. Runs outside the error middleware, so it sees the final response.
struct APIHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        var response = try await next(request, context)
        response.headers[.cacheControl] = "no-store"
        response.headers[Self.contentTypeOptions] = "nosniff"
        return response
    }
}

/// Who may read `/metrics`: with a configured token, a request carrying `Authorization: Bearer <token>`
/// (from anywhere); without one, only a request from this machine (`ClientAddress.isLocal`).
enum MetricsAccess {
    static func check(_ request: Request, _ context: AppRequestContext, token: String?) throws {
        guard let token, !token.isEmpty else {
            guard ClientAddress.isLocal(request, context) else {
                throw APIError.forbidden("/metrics answers only on this machine unless a metrics token is configured (RESTORA_METRICS_TOKEN)")
            }
            return
        }
        let header = request.headers[.authorization] ?? ""
        guard header.lowercased().hasPrefix("bearer "),
              constantTimeEqual(String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces), token) else {
            throw APIError.forbidden("/metrics needs Authorization: Bearer with the configured metrics token")
        }
    }

    /// Compares without stopping at the first difference, so the answer time does not reveal a prefix.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}
