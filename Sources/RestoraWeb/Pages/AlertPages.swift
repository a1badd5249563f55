import Foundation
import Hummingbird
import RestoraDomain

/// Acknowledging a safety alert from the dashboard or the participant page (`POST /alerts/{id}/acknowledge`,
/// `form.ack-form`): by an investigator or an admin (the person responsible for the participant's safety),
/// at their sites. The alert is kept; its status becomes acknowledged with who and when. Afterwards the
/// browser returns to the form's `next` (a local path only) or the dashboard.
struct AlertPageController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post(PageRoute.acknowledgeAlert, use: acknowledge)
    }

    @Sendable func acknowledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        guard AlertAcknowledgeForm.allowed(user) else {
            throw APIError.forbidden("only an investigator or an admin acknowledges a safety alert")
        }
        let stored = try await repositories.safetyAlerts.get(Identifier(try context.parameters.require("id")))
        _ = try await Access.participant(stored.value.participantID, for: user, in: repositories)
        let next = WebPath.safeNext(form["next"])
        // Acknowledging twice (a double click, two people at once) leaves the first acknowledgement.
        guard stored.value.status == .open else { return HTMLResponse.redirect(next) }
        var alert = stored.value
        alert.status = .acknowledged
        alert.acknowledgedBy = user.actor
        alert.acknowledgedAt = dependencies.clock.now()
        do {
            _ = try await repositories.safetyAlerts.update(
                alert, expectedVersion: form["version"].flatMap { Int($0) } ?? stored.version,
                context: context.audit(user, reason: "acknowledged"))
        } catch RepositoryError.staleVersion {
            // Changed meanwhile: acknowledged by someone else, or the page was old. Either way it is seen.
            let current = try await repositories.safetyAlerts.get(alert.id)
            guard current.value.status == .open else { return HTMLResponse.redirect(next) }
            throw RepositoryError.staleVersion(kind: "safety alert", id: alert.id.rawValue, expected: stored.version)
        }
        return HTMLResponse.redirect(next)
    }
}

/// The acknowledge button for an open alert, for pages that list alerts (dashboard, participant page).
enum AlertAcknowledgeForm {
    static func allowed(_ user: UserAccount) -> Bool { user.role == .investigator || user.role == .admin }

    /// `form.ack-form` with `button.ack-button`; `next` is where to come back to (a local path).
    static func view(_ alert: Versioned<SafetyAlertRecord>, context: AppRequestContext, next: String) -> Node {
        guard let user = context.user, allowed(user), alert.value.status == .open else { return .fragment([]) }
        return el("form", ["class": "ack-form", "method": "post", "action": WebPath.acknowledge(alert.value.id)]) {
            Forms.csrf(context)
            el("input", ["type": "hidden", "name": "version", "value": String(alert.version)])
            el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
            el("button", ["type": "submit", "class": "ack-button"]) { "Acknowledge" }
        }
    }
}
