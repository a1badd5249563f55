import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// Web sessions: sign in with username and password, get an HttpOnly, SameSite=Strict cookie holding a
/// short-lived token (stored hashed, like API tokens); sign out revokes it.
struct SessionController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    static let cookieName = "restora_session"
    static let lifetime: TimeInterval = 12 * 3600

    struct SignIn: Decodable {
        var username: String
        var password: String
    }

    /// Sign-in is public; sign-out needs the session it ends.
    func register(public router: Router<AppRequestContext>, authenticated group: RouterGroup<AppRequestContext>) {
        router.post("api/v1/sessions", use: signIn)
        group.delete("sessions", use: signOut)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let input = try await request.decodeJSON(SignIn.self, limit: config.maxBodyBytes)
        let users = dependencies.repositories.users
        // One answer for unknown user and wrong password, so sign-in does not reveal who has an account.
        guard let user = try await users.authenticate(username: input.username, password: input.password) else {
            throw APIError.unauthorized
        }
        let expires = dependencies.clock.now().addingTimeInterval(Self.lifetime)
        let token = try await users.issueToken(username: user.username, expiresAt: expires, context: context.audit(user))
        var response = try JSONResponse.make(user, status: .created)
        response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; Max-Age=\(Int(Self.lifetime)); HttpOnly; Secure; SameSite=Strict"
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        if let token = SessionCookie.token(in: request.headers) {
            try await dependencies.repositories.users.revokeToken(token, context: context.audit(user))
        }
        var response = Response(status: .noContent)
        response.headers[.setCookie] = "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
        return response
    }
}

enum SessionCookie {
    static func token(in headers: HTTPFields) -> String? {
        WebSessionMiddleware.cookie(SessionController.cookieName, in: headers)
    }
}
