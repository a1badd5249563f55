import Foundation
import Hummingbird
import RestoraDomain

/// Enrolments of a participant and their status transitions (the domain state machine decides).
struct EnrolmentController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct EnrolmentInput: Decodable {
        var programID: Identifier<Program>
        var armID: String?
    }

    struct TransitionInput: Decodable {
        var to: EnrolmentStatus
        var reason: String
        /// An investigator's protocol deviation, when the eligibility gate refuses the move (issue #14).
        var deviation: DeviationInput?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.enrol, use: create)
        group.on(.enrolments, use: list)
        group.on(.transitionEnrolment, use: transition)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(EnrolmentInput.self, limit: config.maxBodyBytes)
        let stored = try await EnrolmentEntry(repositories: repositories).enrol(
            participant.value, in: input.programID, arm: input.armID, id: Identifier(dependencies.ids.next()),
            context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let enrolments = try await repositories.enrolments.list(participant: participant.value.id)
        return try JSONResponse.make(enrolments.map { VersionedResponse(value: $0) })
    }

    @Sendable func transition(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<Enrolment>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let current = try await repositories.enrolments.get(id)
        try Access.requireSite(user, current.value.siteID, kind: "enrolment", id: id.rawValue)
        let input = try await request.decodeJSON(TransitionInput.self, limit: config.maxBodyBytes)
        let now = dependencies.clock.now()
        let outcome = try await EnrolmentTransitions(repositories: repositories, catalog: dependencies.catalog, ids: dependencies.ids).transition(
            id, to: input.to, at: now, expectedVersion: expected, deviation: input.deviation, signedAt: now,
            context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(VersionedResponse(value: outcome.enrolment), version: outcome.enrolment.version)
    }
}
