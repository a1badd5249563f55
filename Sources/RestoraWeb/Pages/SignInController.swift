import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// Sign-in and sign-out of the HTML pages, with the same session cookie and token store as the API.
struct SignInController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    /// The throttled password check shared with `POST /api/v1/sessions`.
    let signInGuard: SignInGuard

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.signIn) { request, context in
            HTMLResponse.html(SignInPage.view(context: context, next: request.uri.queryParameters.get("next"), error: nil))
        }
        router.post(PageRoute.signIn, use: signIn)
        router.post(PageRoute.signOut, use: signOut)
        router.get(PageRoute.root) { _, context in HTMLResponse.redirect(context.user == nil ? WebPath.signIn : WebPath.dashboard) }
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData.read(request, limit: config.maxBodyBytes)
        guard WebCSRF.matches(form["_csrf"], context.csrfToken) else { throw WebFlow.forgedForm }
        let users = dependencies.repositories.users
        let next = WebPath.safeNext(form["next"])
        let resume = Self.resumeFields(form)
        // One message for unknown user and wrong password: sign-in does not reveal who has an account.
        let refused = HTMLResponse.html(SignInPage.view(
            context: context, next: next, error: "Wrong username or password.", username: form.typed("username"),
            resume: resume), status: .unauthorized)
        guard let username = form["username"], let password = form.values["password"], !password.isEmpty else { return refused }
        let client = ClientAddress.of(request, context, trustForwardedFor: config.trustForwardedFor)
        let user: UserAccount
        switch try await signInGuard.attempt(username: username, password: password, client: client, requestID: context.requestID) {
        case let .signedIn(signedIn): user = signedIn
        case .refused: return refused
        case let .lockedOut(retryAfter):
            var response = HTMLResponse.html(SignInPage.view(
                context: context, next: next, error: SignInPage.lockedOutMessage(retryAfter: retryAfter),
                username: form.typed("username"), resume: resume), status: .tooManyRequests)
            response.headers[SessionController.retryAfter] = String(retryAfter)
            return response
        }
        let expires = dependencies.clock.now().addingTimeInterval(SessionController.lifetime)
        let token = try await users.issueToken(username: user.username, expiresAt: expires, context: context.audit(user))
        let cookie = SessionCookieHeader.set(token, config: config)
        guard let resume, let action = form[SignInPage.resumeAction] else {
            return HTMLResponse.redirect(next, cookie: cookie)
        }
        var signedIn = context
        signedIn.user = user
        signedIn.csrfToken = WebCSRF.token(session: token)
        var response = HTMLResponse.html(SignInPage.resumeView(context: signedIn, action: action, form: resume))
        response.headers[.setCookie] = cookie
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormData.read(request, limit: config.maxBodyBytes)
        guard WebCSRF.matches(form["_csrf"], context.csrfToken) else { throw WebFlow.forgedForm }
        if let user = context.user, let token = SessionCookie.token(in: request.headers) {
            try await dependencies.repositories.users.revokeToken(token, context: context.audit(user))
        }
        return HTMLResponse.redirect(WebPath.signIn, cookie: SessionCookieHeader.clear(config: config))
    }

    /// The interrupted form's fields, if the sign-in carried one.
    static func resumeFields(_ form: FormData) -> FormData? {
        var values: [String: String] = [:]
        for (name, value) in form.values where name.hasPrefix(SignInPage.resumePrefix) {
            values[String(name.dropFirst(SignInPage.resumePrefix.count))] = value
        }
        return values.isEmpty ? nil : FormData(values)
    }
}

/// What every page handler starts with.
enum PageAccess {
    /// The signed-in user, or off to sign-in (coming back to this page).
    static func user(_ request: Request, _ context: AppRequestContext) throws -> UserAccount {
        guard let user = context.user else { throw WebFlow.signIn(next: request.uri.path) }
        return user
    }

    /// A posted form with a valid anti-forgery token and a signed-in user. With an expired session the
    /// typed values are kept through sign-in (`WebFlow.signInToResume`).
    static func post(_ request: Request, _ context: AppRequestContext, limit: Int) async throws -> (UserAccount, FormData) {
        let form = try await FormData.read(request, limit: limit)
        guard WebCSRF.matches(form["_csrf"], context.csrfToken) else {
            // A session that ended still yields its token's CSRF; a cookie-less post is a forged one.
            throw WebFlow.forgedForm
        }
        guard let user = context.user else { throw WebFlow.signInToResume(action: request.uri.path, form: form) }
        return (user, form)
    }
}
