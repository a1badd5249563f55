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

/// Bearer-token sign-in for the API: the token is looked up by its hash through the user repository.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let users: any UserRepository
    let clock: any Clock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, let user = try await users.authenticate(bearerToken: token, now: clock.now()) else {
            throw APIError.unauthorized
        }
        var context = context
        context.user = user
        return try await next(request, context)
    }
}
