import Hummingbird
import Logging
import RestoraDomain

/// Errors on HTML pages become pages: sign-in when the session is missing or expired, a plain 403 or
/// 404 page, and for anything unexpected a 500 page with the request id (never the error itself).
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let flow as WebFlow {
            switch flow {
            case let .signIn(next):
                return HTMLResponse.redirect(WebPath.signIn + "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-"])) ?? "/"))
            case let .signInToResume(action, form):
                return HTMLResponse.html(
                    SignInPage.view(context: context, next: action, error: "Your session ended before this form was saved. Sign in again: what you typed is kept.", resume: form),
                    status: .unauthorized)
            case .forgedForm:
                return HTMLResponse.html(ErrorPage.view(
                    context: context, status: 403, title: "This form cannot be accepted",
                    message: "The form is out of date or did not come from this site. Go back, reload the page and submit it again."),
                    status: .forbidden)
            }
        } catch {
            let (status, _, message, _) = ErrorMiddleware.describe(error)
            if status.code >= 500 {
                context.logger.error("page failed", metadata: ["error.type": "\(type(of: error))", "request.id": "\(context.requestID)"])
            }
            let title: String
            switch status.code {
            case 403: title = "Not allowed"
            case 404: title = "Not found"
            case 401: title = "Please sign in"
            case 423: title = "This record is locked"  // docs/locking.md: the message names the lock
            case 500...: title = "Something went wrong"
            default: title = "This request cannot be completed"
            }
            let shown = status.code >= 500
                ? "The server could not complete the request. Nothing was changed. Quote reference \(context.requestID) when reporting it."
                : (status.code == 404 ? "There is no such page or record, or it belongs to a site you do not work at." : message)
            return HTMLResponse.html(ErrorPage.view(context: context, status: Int(status.code), title: title, message: shown), status: status)
        }
    }
}
