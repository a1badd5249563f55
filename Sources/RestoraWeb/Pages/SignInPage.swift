import Foundation
import Hummingbird
import RestoraDomain

/// The sign-in form. When a form was posted after the session ended, its fields ride along (`resume:`
/// prefix) so that, once signed in again, the person can submit what they typed instead of losing it.
enum SignInPage {
    static let resumePrefix = "resume:"
    static let resumeAction = "resume_action"

    static func view(context: AppRequestContext, next: String?, error: String?, username: String = "", resume: FormData? = nil) -> Node {
        Layout.page(title: "Sign in", context: context) {
            el("h1") { "Sign in" }
            if let error { el("p", ["id": "sign-in-error", "class": "form-errors", "role": "alert"]) { error } }
            el("form", ["id": "sign-in-form", "method": "post", "action": WebPath.signIn, "class": "narrow"]) {
                Forms.csrf(context)
                el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
                if let resume {
                    el("input", ["type": "hidden", "name": resumeAction, "value": WebPath.safeNext(next)])
                    resume.values.keys.sorted().filter { !FormData.controlFields.contains($0) || $0 == "_nonce" }.map { name in
                        el("input", ["type": "hidden", "name": resumePrefix + name, "value": resume.values[name] ?? ""])
                    }
                }
                Forms.input("username", label: "Username", state: FormState(), required: true, value: username)
                Forms.input("password", label: "Password", type: "password", state: FormState(), required: true, value: "")
                Forms.submit("Sign in", id: "sign-in-button")
            }
            el("p", ["class": "muted"]) {
                "Looking for a treatment program? "
                el("a", ["href": WebPath.prescreen]) { "Check whether it might fit you" }
                " (no account needed)."
            }
        }
    }

    /// Shown with 429: why sign-in is refused and when to try again (no hint whether the account exists).
    static func lockedOutMessage(retryAfter: Int) -> String {
        let wait = retryAfter <= 90 ? "\(retryAfter) seconds" : "\((retryAfter + 59) / 60) minutes"
        return "Too many failed sign-in attempts for this username or from this computer. For your protection, "
            + "sign-in is paused: try again in \(wait). If you have forgotten your password, ask your administrator."
    }

    /// After signing in again: the interrupted form, ready to submit with a fresh anti-forgery token.
    static func resumeView(context: AppRequestContext, action: String, form: FormData) -> Node {
        Layout.page(title: "Submit your form", context: context) {
            el("h1") { "You are signed in again" }
            el("p") { "Your session had ended before this form was saved. Check what you typed, then submit it." }
            el("form", ["id": "resume-form", "method": "post", "action": WebPath.safeNext(action)]) {
                Forms.csrf(context)
                el("dl", ["class": "resume-values"]) {
                    form.values.keys.sorted().filter { !$0.hasPrefix("_") }.map { name in
                        Node.fragment([el("dt") { name }, el("dd") { form.values[name] ?? "" }])
                    }
                }
                form.values.keys.sorted().filter { $0 != "_csrf" }.map { name in
                    el("input", ["type": "hidden", "name": name, "value": form.values[name] ?? ""])
                }
                Forms.submit("Submit", id: "resume-submit")
            }
        }
    }
}
