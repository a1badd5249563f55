import Foundation
import Hummingbird
import RestoraDomain

/// Open safety alerts of the user's sites, and their acknowledgement by an investigator or admin: the
/// person responsible for the participant's safety, not whoever entered the data.
struct SafetyAlertController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    /// `comment` is required (issue #15); `note`, its name before, is read when `comment` is absent.
    struct AcknowledgeInput: Decodable {
        var comment: String?
        var note: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.openSafetyAlerts, use: open)
        group.on(.acknowledgeSafetyAlert, use: acknowledge)
    }

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let alerts = try await repositories.safetyAlerts.listOpen(sites: Access.visibleSites(user))
        return try JSONResponse.make(alerts.map { VersionedResponse(value: $0) })
    }

    /// Through `AlertAcknowledgement`, as the web form: 403 for other roles, 404 at other sites, 422 naming
    /// `comment` when it is blank (nothing written), 409 when already acknowledged, 412 on a stale version.
    @Sendable func acknowledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        guard AlertAcknowledgement.allowed(user.actor) else {
            throw APIError.forbidden("only an investigator or an admin acknowledges a safety alert")
        }
        let id = Identifier<SafetyAlertRecord>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let alert = try await repositories.safetyAlerts.get(id).value
        _ = try await Access.participant(alert.participantID, for: user, in: repositories)
        let input = try await request.decodeJSONIfPresent(AcknowledgeInput.self, limit: config.maxBodyBytes)
        let stored = try await AlertAcknowledgement(repositories: repositories).acknowledge(
            id, comment: input?.comment ?? input?.note, expectedVersion: expected, now: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
