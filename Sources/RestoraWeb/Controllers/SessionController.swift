import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// Web sessions: sign in with username and password, get an HttpOnly, SameSite=Strict cookie holding a
/// short-lived token (stored hashed, like API tokens); sign out revokes it.
struct SessionController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    /// The throttled password check shared with the sign-in page.
    let signInGuard: SignInGuard
    static let cookieName = "restora_session"
    static let lifetime: TimeInterval = 12 * 3600

    struct SignIn: Decodable {
        var username: String
        var password: String
    }

    /// Sign-in is public; sign-out needs the session it ends.
    func register(public router: Router<AppRequestContext>, authenticated group: RouterGroup<AppRequestContext>) {
        router.group(RouterPath(String(APIRoute.prefix.dropFirst()))).on(.createSession, use: signIn)
        group.on(.deleteSession, use: signOut)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let input = try await request.decodeJSON(SignIn.self, limit: config.maxBodyBytes)
        let users = dependencies.repositories.users
        let client = ClientAddress.of(request, context, trustForwardedFor: config.trustForwardedFor)
        let user: UserAccount
        switch try await signInGuard.attempt(
            username: input.username, password: input.password, client: client, requestID: context.requestID) {
        case let .signedIn(signedIn): user = signedIn
        // One answer for unknown user and wrong password, so sign-in does not reveal who has an account.
        case .refused: throw APIError.unauthorized
        case let .lockedOut(retryAfter): return try Self.tooManyAttempts(retryAfter: retryAfter, context: context)
        }
        let expires = dependencies.clock.now().addingTimeInterval(Self.lifetime)
        let token = try await users.issueToken(username: user.username, expiresAt: expires, context: context.audit(user))
        var response = try JSONResponse.make(user, status: .created)
        response.headers[.setCookie] = SessionCookieHeader.set(token, config: config)
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        if let token = SessionCookie.token(in: request.headers) {
            try await dependencies.repositories.users.revokeToken(token, context: context.audit(user))
        }
        var response = Response(status: .noContent)
        response.headers[.setCookie] = SessionCookieHeader.clear(config: config)
        return response
    }
}

extension SessionController {
    static let retryAfter = HTTPField.Name("Retry-After")!

    /// 429 with `Retry-After` (seconds) and the JSON error body, code `too_many_attempts`.
    static func tooManyAttempts(retryAfter: Int, context: AppRequestContext) throws -> Response {
        let message = "too many failed sign-in attempts for this account or from this address; try again in \(retryAfter) seconds"
        let body = ErrorBody(
            error: .init(code: "too_many_attempts", message: message, details: ["retryAfter": String(retryAfter)]),
            requestId: context.requestID)
        var response = try JSONResponse.make(body, status: .tooManyRequests)
        response.headers[Self.retryAfter] = String(retryAfter)
        return response
    }
}

enum SessionCookie {
    static func token(in headers: HTTPFields) -> String? {
        WebSessionMiddleware.cookie(SessionController.cookieName, in: headers)
    }
}
