import Foundation
import Hummingbird
import RestoraDomain

/// Open safety alerts of the user's sites, and their acknowledgement by an investigator or admin: the
/// person responsible for the participant's safety, not whoever entered the data.
struct SafetyAlertController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct AcknowledgeInput: Decodable {
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

    @Sendable func acknowledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        guard user.role == .investigator || user.role == .admin else {
            throw APIError.forbidden("only an investigator or an admin acknowledges a safety alert")
        }
        let id = Identifier<SafetyAlertRecord>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        var alert = try await repositories.safetyAlerts.get(id).value
        _ = try await Access.participant(alert.participantID, for: user, in: repositories)
        let input = try await request.decodeJSON(AcknowledgeInput.self, limit: config.maxBodyBytes)
        guard alert.status == .open else {
            throw DomainError.illegalTransition(from: alert.status.rawValue, to: "acknowledged", message: "the alert is already acknowledged")
        }
        alert.status = .acknowledged
        alert.acknowledgedBy = user.actor
        alert.acknowledgedAt = dependencies.clock.now()
        let reason = input.note.map { "acknowledged: \($0)" } ?? "acknowledged"
        let stored = try await repositories.safetyAlerts.update(alert, expectedVersion: expected, context: context.audit(user, reason: reason))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
