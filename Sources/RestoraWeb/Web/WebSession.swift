import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// Sign-in state of the HTML pages. The session is the same HttpOnly, SameSite=Strict cookie the API
/// accepts (a hashed, expiring token, `SessionController`). Pages read the user when there is one; pages
/// that need one call `requireUser`, which sends the browser to sign-in.
///
/// Cross-site request forgery: every form carries `_csrf`. Signed in, it is derived from the session token
/// (SHA-256 of a fixed label and the token — the token is secret and HttpOnly, so another site cannot
/// compute it); before sign-in (the sign-in and public pre-screening forms) it is a random per-browser form
/// cookie repeated in the form (double submit). Together with SameSite=Strict this refuses forged posts.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let users: any UserRepository
    let clock: any Clock
    let ids: any IDGenerator
    var syntheticLabel: String? = nil
    static let formCookieName = "restora_form"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.syntheticLabel = syntheticLabel
        if let token = SessionCookie.token(in: request.headers) {
            context.csrfToken = WebCSRF.token(session: token)
            context.user = try await users.authenticate(bearerToken: token, now: clock.now())
        } else if let formToken = Self.cookie(Self.formCookieName, in: request.headers) {
            context.csrfToken = WebCSRF.token(session: formToken)
        } else {
            let fresh = ids.next() + ids.next()
            context.newFormCookie = fresh
            context.csrfToken = WebCSRF.token(session: fresh)
        }
        var response = try await next(request, context)
        if let fresh = context.newFormCookie {
            response.headers.append(HTTPField(
                name: .setCookie, value: "\(Self.formCookieName)=\(fresh); Path=/; HttpOnly; SameSite=Strict"))
        }
        return response
    }

    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return String(parts[1]) }
            }
        }
        return nil
    }
}

enum WebCSRF {
    static func token(session: String) -> String {
        let digest = SHA256.hash(data: Data("restora-csrf\u{0}\(session)".utf8))
        return Data(digest).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Constant-time comparison of the submitted token with the expected one.
    static func matches(_ submitted: String?, _ expected: String) -> Bool {
        guard let submitted, !expected.isEmpty else { return false }
        let a = Array(submitted.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
