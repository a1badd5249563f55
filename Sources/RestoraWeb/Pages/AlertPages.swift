import Foundation
import Hummingbird
import RestoraDomain

/// Acknowledging a safety alert from the dashboard or the participant page (`POST /alerts/{id}/acknowledge`,
/// `form.ack-form` with a `comment`): through `AlertAcknowledgement`, as the API — an investigator or an admin
/// at their sites, with a comment saying what was done or decided (issue #15). The alert is kept; it becomes
/// acknowledged with who, when and the comment. Afterwards the browser returns to the form's `next` (a local
/// path only) or the dashboard; a blank comment answers 422 with the alert and the form again, the error next
/// to the comment field and nothing written.
struct AlertPageController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post(PageRoute.acknowledgeAlert, use: acknowledge)
    }

    @Sendable func acknowledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        guard AlertAcknowledgement.allowed(user.actor) else {
            throw APIError.forbidden("only an investigator or an admin acknowledges a safety alert")
        }
        let stored = try await repositories.safetyAlerts.get(Identifier(try context.parameters.require("id")))
        _ = try await Access.participant(stored.value.participantID, for: user, in: repositories)
        let next = WebPath.safeNext(form["next"])
        // Acknowledging twice (a double click, two people at once) leaves the first acknowledgement.
        guard stored.value.status == .open else { return HTMLResponse.redirect(next) }
        do {
            _ = try await AlertAcknowledgement(repositories: repositories).acknowledge(
                stored.value.id, comment: form["comment"], expectedVersion: form["version"].flatMap { Int($0) } ?? stored.version,
                now: dependencies.clock.now(), context: context.audit(user))
        } catch let error as DomainError {
            var state = FormState(form: form)
            FieldErrors.apply(error, to: &state, fields: ["comment"])
            return HTMLResponse.html(AlertAcknowledgeForm.page(stored, state: state, context: context, next: next), status: .unprocessableContent)
        } catch RepositoryError.staleVersion {
            // Changed meanwhile: acknowledged by someone else, or the page was old. Either way it is seen.
            let current = try await repositories.safetyAlerts.get(stored.value.id)
            guard current.value.status == .open else { return HTMLResponse.redirect(next) }
            throw RepositoryError.staleVersion(kind: "safety alert", id: stored.value.id.rawValue, expected: stored.version)
        }
        return HTMLResponse.redirect(next)
    }
}

/// The acknowledge form of an open alert, for pages that list alerts (dashboard, participant page): a comment
/// (required) and `button.ack-button`. Field ids carry the alert's id, so several forms fit on one page.
enum AlertAcknowledgeForm {
    static func allowed(_ user: UserAccount) -> Bool { AlertAcknowledgement.allowed(user.actor) }

    /// `form.ack-form` with `input.ack-comment` (name `comment`) and `button.ack-button`; `next` is where to
    /// come back to (a local path).
    static func inline(_ alert: Versioned<SafetyAlertRecord>, context: AppRequestContext, next: String) -> Node {
        let field = "ack-comment-\(alert.value.id.rawValue)"
        return el("form", ["class": "ack-form inline", "method": "post", "action": WebPath.acknowledge(alert.value.id)]) {
            Forms.csrf(context)
            el("input", ["type": "hidden", "name": "version", "value": String(alert.version)])
            el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
            el("label", ["for": field, "class": "visually-hidden"]) { "Acknowledgement comment" }
            Node.element("input", ["id": field, "name": "comment", "type": "text", "class": "ack-comment",
                                   "placeholder": "What was done or decided"], flags: ["required": true])
            el("button", ["type": "submit", "class": "ack-button secondary"]) { "Acknowledge" }
        }
    }

    /// The page a refused acknowledgement answers with: the alert, and the form with the comment as typed and
    /// the error next to it.
    static func page(_ alert: Versioned<SafetyAlertRecord>, state: FormState, context: AppRequestContext, next: String) -> Node {
        Layout.page(title: "Acknowledge safety alert", context: context) {
            el("h1") { "Acknowledge safety alert" }
            el("p", ["class": "alert-message"]) { "\(AlertText.date(alert.value)): \(alert.value.message)" }
            el("form", ["id": "ack-form", "class": "ack-form", "method": "post", "action": WebPath.acknowledge(alert.value.id)]) {
                Forms.generalErrors(state)
                Forms.csrf(context)
                el("input", ["type": "hidden", "name": "version", "value": String(alert.version)])
                el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
                Forms.textarea("comment", label: "Comment", state: state, required: true,
                               hint: "What was done or decided about this alert; kept with the acknowledgement.")
                Forms.submit("Acknowledge", id: "acknowledge")
            }
            el("p") { el("a", ["href": WebPath.safeNext(next)]) { "Back" } }
        }
    }
}

/// An alert's dates as people read them: the clinical date of the value or event that raised it (issue #15),
/// or — for an alert whose source is gone — the day it was stored, said so.
enum AlertText {
    static func date(_ alert: SafetyAlertRecord) -> String {
        alert.clinicalDate.map(\.description) ?? "\(CalendarDate(alert.raisedAt)) (recorded)"
    }
}
