import Hummingbird
import RestoraDomain

/// Refusals decided by the web layer itself. Messages are shown to the client as they are.
enum APIError: Error, Equatable {
    case unauthorized
    case forbidden(String)
    case badRequest(code: String, message: String)
    case preconditionRequired
    case notFound

    var status: HTTPResponse.Status {
        switch self {
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .badRequest: return .badRequest
        case .preconditionRequired: return .preconditionRequired
        case .notFound: return .notFound
        }
    }

    var code: String {
        switch self {
        case .unauthorized: return "unauthorized"
        case .forbidden: return "forbidden"
        case let .badRequest(code, _): return code
        case .preconditionRequired: return "precondition_required"
        case .notFound: return "not_found"
        }
    }

    var message: String {
        switch self {
        case .unauthorized: return "a valid bearer token is required (Authorization: Bearer <token>)"
        case let .forbidden(why): return why
        case let .badRequest(_, message): return message
        case .preconditionRequired: return "this update needs an If-Match header with the ETag of the version you read"
        case .notFound: return "not found"
        }
    }
}

/// The JSON error body: `{"error":{"code","message","details"},"requestId"}`.
struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
        var details: [String: String]
    }
    var error: Detail
    var requestId: String
}
