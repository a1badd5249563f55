import Foundation
import Hummingbird
import RestoraDomain

/// A participant's protocol deviations (issue #14): an investigator records one found afterwards
/// (`POST /participants/{id}/deviations`); everyone who sees the participant reads them (`GET`). Deviations
/// that let an action through are stored by that action's own service (the enrolment gate, treatment limits…).
struct DeviationController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.recordDeviation, use: record)
        group.on(.deviations, use: list)
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        try Access.requireWriter(user)
        let input = try await request.decodeJSON(DeviationEntry.Input.self, limit: config.maxBodyBytes)
        let stored = try await DeviationEntry(repositories: repositories, catalog: dependencies.catalog).record(
            input, participant: participant.value.id, id: Identifier(dependencies.ids.next()), signedAt: dependencies.clock.now(),
            context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.deviations.list(participant: participant.value.id)
            .sorted { ($0.value.signedAt, $0.value.id.rawValue) < ($1.value.signedAt, $1.value.id.rawValue) }
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }
}
