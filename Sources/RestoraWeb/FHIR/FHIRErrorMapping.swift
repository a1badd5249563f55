import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// Every refusal the FHIR server gives is an OperationOutcome (https://hl7.org/fhir/R4/operationoutcome.html)
/// with the HTTP status the JSON API gives for the same refusal. Messages are the domain's user-safe messages,
/// never `"\(error)"`: they name the kind of record and its id, never patient data.
enum FHIRErrorMapping {
    /// The FHIR error for any error a handler, a domain service, a repository or the web layer throws.
    static func fhirError(_ error: any Error) -> FHIRError {
        switch error {
        case let e as FHIRError:
            return e
        case let e as APIError:
            switch e {
            case .unauthorized:
                return FHIRError(status: 401, code: .login, diagnostics: e.message)
            case let .forbidden(why):
                return FHIRError(status: 403, code: .forbidden, diagnostics: why)
            case let .badRequest(_, message):
                return FHIRError(status: 400, code: .invalid, diagnostics: message)
            case .preconditionRequired:
                return FHIRError(status: 428, code: .required, diagnostics: "this update needs If-Match: W/\"<versionId>\" with the version you read")
            case .notFound:
                return FHIRError(status: 404, code: .notFound, diagnostics: "not found")
            }
        case let e as RepositoryError:
            switch e {
            case .notFound:
                return FHIRError(status: 404, code: .notFound, diagnostics: e.description)
            case .staleVersion:
                return FHIRError(status: 412, code: .conflict, diagnostics: e.description)
            case .duplicate:
                return FHIRError(status: 409, code: .duplicate, diagnostics: e.description)
            case .reasonRequired:
                return FHIRError(status: 422, code: .required, diagnostics: e.description)
            case .idempotencyKeyReused:
                return FHIRError(status: 422, code: .conflict, diagnostics: e.description)
            case .unknownReference:
                return FHIRError(status: 422, code: .notFound, diagnostics: e.description)
            case .constraintFailed:
                return FHIRError(status: 422, code: .value, diagnostics: e.description)
            case .locked:
                return FHIRError(status: 423, code: .businessRule, diagnostics: e.description)
            }
        case let e as DomainError:
            switch e {
            case let .invalidValue(field, message):
                return FHIRError(status: 422, code: .value, diagnostics: "\(field): \(message)")
            case let .illegalTransition(_, _, message):
                return FHIRError(status: 409, code: .businessRule, diagnostics: message)
            case let .notFound(_, _, message):
                return FHIRError(status: 404, code: .notFound, diagnostics: message)
            case let .protocolRule(rule, field, message):
                return FHIRError(status: 422, code: .businessRule, diagnostics: "\(field): \(message) (protocol rule: \(rule))")
            }
        case let e as RoleRefusal:
            return FHIRError(status: 403, code: .forbidden, diagnostics: e.description)
        case let e as HTTPError:
            switch e.status.code {
            case 413: return FHIRError(status: 413, code: .tooLong, diagnostics: "the request body is too large")
            case 404: return FHIRError(status: 404, code: .notFound, diagnostics: "there is no such FHIR endpoint")
            default: return FHIRError(status: Int(e.status.code), code: e.status.code >= 500 ? .exception : .processing,
                                      diagnostics: e.status.reasonPhrase)
            }
        default:
            return FHIRError(status: 500, code: .exception, diagnostics: "the server could not complete the request")
        }
    }

    /// The error inside a transaction bundle: mapped, then its expression put under `Bundle.entry[i].resource`.
    static func inEntry(_ error: any Error, index: Int, resourceType: String?) -> FHIRError {
        var mapped = fhirError(error)
        let prefix = "Bundle.entry[\(index)]" + (resourceType == nil ? "" : ".resource")
        guard !mapped.expression.isEmpty else { mapped.expression = [prefix]; return mapped }
        mapped.expression = mapped.expression.map { path in
            if path.hasPrefix("Bundle.") { return path }
            if let type = resourceType, path == type || path.hasPrefix(type + ".") { return prefix + path.dropFirst(type.count) }
            return prefix + "." + path
        }
        return mapped
    }

    static func response(_ error: FHIRError, requestID: String) -> Response {
        var outcome = error.operationOutcome
        // The request id ties the outcome to the log line and the audit entry (like the JSON API's requestId).
        if !requestID.isEmpty { outcome = outcome.setting("id", .string(requestID)).reordered() }
        var headers: HTTPFields = [.contentType: FHIRHTTP.contentType]
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: HTTPResponse.Status(code: error.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: outcome.encoded())))
    }
}

extension FHIRJSON {
    /// `resourceType` first, then `id`, then `meta`, then the rest in their order (how R4 JSON lists them).
    func reordered() -> FHIRJSON {
        guard case .object(let members) = self else { return self }
        let head = ["resourceType", "id", "meta"]
        let first = head.compactMap { key in members.first { $0.0 == key } }
        return .object(first + members.filter { !head.contains($0.0) })
    }
}

/// Answers every error under `/fhir` with an OperationOutcome (the router's `ErrorMiddleware` would draw an HTML
/// page for a path outside `/api/`), and marks every `/fhir` response as not to be cached and not sniffed.
/// Added at router level by `FHIRServer.mount`, so a 404 for an unknown `/fhir/...` path is an OperationOutcome
/// too; other paths pass through untouched.
struct FHIRErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static func isFHIR(_ path: String) -> Bool { path == "/fhir" || path.hasPrefix("/fhir/") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isFHIR(request.uri.path) else { return try await next(request, context) }
        var response: Response
        do {
            try FHIRHTTP.checkFormat(request)
            response = try await next(request, context)
        } catch {
            let mapped = FHIRErrorMapping.fhirError(error)
            if mapped.status >= 500 {
                context.logger.error("FHIR request failed", metadata: ["error.type": "\(type(of: error))", "request.id": "\(context.requestID)"])
            }
            response = FHIRErrorMapping.response(mapped, requestID: context.requestID)
        }
        response.headers[.cacheControl] = "no-store"
        response.headers[APIHeadersMiddleware.contentTypeOptions] = "nosniff"
        return response
    }
}
