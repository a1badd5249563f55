import Foundation
import Hummingbird
import RestoraDomain

/// Adverse events of a participant, validated by the domain (`AdverseEvent.validated`).
struct AdverseEventController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct AdverseEventInput: Decodable {
        var enrolmentID: Identifier<Enrolment>?
        var term: String
        var grade: Int
        var seriousness: [AdverseEvent.Seriousness]?
        var expected: Bool?
        var relatedness: AdverseEvent.Relatedness
        var onset: CalendarDate
        var resolution: CalendarDate?
        var outcome: AdverseEvent.Outcome?
        var actionTaken: AdverseEvent.ActionTaken?
        var sponsorAwareOn: CalendarDate?
        var note: String?
        var reason: String?

        func event(id: Identifier<AdverseEvent>, participant: Identifier<Participant>) throws -> AdverseEvent {
            try AdverseEvent(
                id: id, participantID: participant, enrolmentID: enrolmentID, term: term, grade: grade,
                seriousness: seriousness ?? [], expected: expected ?? false, relatedness: relatedness, onset: onset,
                resolution: resolution, outcome: outcome ?? .unknown, actionTaken: actionTaken ?? .none,
                sponsorAwareOn: sponsorAwareOn, note: note
            ).validated()
        }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createAdverseEvent, use: create)
        group.on(.adverseEvents, use: list)
        group.on(.updateAdverseEvent, use: update)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(AdverseEventInput.self, limit: config.maxBodyBytes)
        let event = try input.event(id: Identifier(dependencies.ids.next()), participant: participant.value.id)
        let (stored, safety) = try await dependencies.clinicalEntry.record(
            event, context: context.audit(user), idempotencyKey: request.idempotencyKey)
        let body = CreatedWithAlerts(record: stored, interpretation: nil, safety: safety)
        return try JSONResponse.make(body, status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.adverseEvents.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<AdverseEvent>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let current = try await repositories.adverseEvents.get(id)
        _ = try await Access.participant(current.value.participantID, for: user, in: repositories)
        let input = try await request.decodeJSON(AdverseEventInput.self, limit: config.maxBodyBytes)
        let event = try input.event(id: id, participant: current.value.participantID)
        let stored = try await dependencies.clinicalEntry.correct(event, expectedVersion: expected, context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
