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
    /// Counts the signed-in user's unread notifications for the navigation (nil: no count).
    var notifications: (any NotificationRepository)? = nil
    static let formCookieName = "restora_form"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.syntheticLabel = syntheticLabel
        let sessionToken = SessionCookie.token(in: request.headers)
        let justSignedIn = Self.cookie(SessionCookieCheck.cookieName, in: request.headers) != nil
        if let token = sessionToken {
            context.csrfToken = WebCSRF.token(session: token)
            context.user = try await users.authenticate(bearerToken: token, now: clock.now())
            if let user = context.user, let notifications { context.unreadNotifications = try await notifications.unreadCount(user: user.id) }
        } else if let formToken = Self.cookie(Self.formCookieName, in: request.headers) {
            context.csrfToken = WebCSRF.token(session: formToken)
        } else {
            let fresh = ids.next() + ids.next()
            context.newFormCookie = fresh
            context.csrfToken = WebCSRF.token(session: fresh)
        }
        var response: Response
        if sessionToken == nil, justSignedIn, request.method == .get, request.uri.path == WebPath.signIn {
            // Signed in moments ago, yet back without the session cookie: say why instead of a silent loop.
            response = HTMLResponse.html(SignInPage.view(
                context: context, next: request.uri.queryParameters.get("next"), error: SessionCookieCheck.droppedMessage))
            response.headers.append(HTTPField(name: .setCookie, value: SessionCookieCheck.clear))
        } else {
            response = try await next(request, context)
            SessionCookieCheck.follow(&response, sessionCame: sessionToken != nil, markerCame: justSignedIn)
        }
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

/// The session cookie's `Set-Cookie` values. `Secure` unless the server was started with `--insecure-http`
/// (`WebConfiguration.secureCookies`).
enum SessionCookieHeader {
    static func set(_ token: String, config: WebConfiguration) -> String {
        "\(SessionController.cookieName)=\(token); Path=/; Max-Age=\(Int(SessionController.lifetime)); HttpOnly\(config.secureCookies ? "; Secure" : ""); SameSite=Strict"
    }

    static func clear(config: WebConfiguration) -> String {
        "\(SessionController.cookieName)=; Path=/; Max-Age=0; HttpOnly\(config.secureCookies ? "; Secure" : ""); SameSite=Strict"
    }
}

/// Catches a browser that drops the session cookie (a `Secure` cookie on a plain-HTTP page, cookies blocked).
/// A successful sign-in also sets a short-lived marker cookie that is deliberately not `Secure`. Coming back
/// to the sign-in page with the marker but without the session cookie means the browser dropped the
/// session: the page says so and why. The marker is cleared as soon as the session cookie comes back, or at
/// sign-out, so it never outlives the check.
enum SessionCookieCheck {
    static let cookieName = "restora_signed_in"
    static let set = "\(cookieName)=1; Path=/; Max-Age=300; HttpOnly; SameSite=Strict"
    static let clear = "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"

    static let droppedMessage = """
        You signed in, but your browser did not keep the session cookie, so you are still signed out. \
        Most often this address is plain http:// while this server sends its session cookie only over HTTPS \
        (the cookie is marked Secure). Open Restora at its https:// address. Administrators: serve it with \
        --tls-cert and --tls-key, behind an HTTPS reverse proxy with --public-url, or, on a trusted network only, \
        with --insecure-http (README, "Deploying"). Also check that this browser accepts cookies from this site.
        """

    /// Adds the marker to a response that starts a session, and clears it once it has done its job.
    static func follow(_ response: inout Response, sessionCame: Bool, markerCame: Bool) {
        let prefix = "\(SessionController.cookieName)="
        let sessionCookies = response.headers[values: .setCookie].filter { $0.hasPrefix(prefix) }
        if sessionCookies.contains(where: { !$0.hasPrefix(prefix + ";") && !$0.contains("Max-Age=0") }) {
            response.headers.append(HTTPField(name: .setCookie, value: set))
        } else if markerCame, sessionCame || !sessionCookies.isEmpty {
            // The session cookie arrived (the check passed) or the session is being cleared (sign-out).
            response.headers.append(HTTPField(name: .setCookie, value: clear))
        }
    }
}
