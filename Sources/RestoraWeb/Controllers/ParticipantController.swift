import Foundation
import Hummingbird
import RestoraDomain

/// /api/v1/participants: create, read (logged), replace under If-Match, search by MRN or name with a cursor.
struct ParticipantController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createParticipant, use: create)
        group.on(.searchParticipants, use: search)
        group.on(.participant, use: show)
        group.on(.updateParticipant, use: update)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let input = try await request.decodeJSON(ParticipantInput.self, limit: config.maxBodyBytes)
        try await RecordReferences(repositories: repositories).site(input.siteID, for: user)
        let participant = try input.participant(id: Identifier(dependencies.ids.next()), today: CalendarDate(dependencies.clock.now()))
        let stored = try await repositories.participants.create(participant, context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(ParticipantResponse(stored), status: .created, version: stored.version)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = Identifier<Participant>(try context.parameters.require("id"))
        let stored = try await Access.openParticipant(id, for: user, in: repositories, context: context.audit(user))
        return try JSONResponse.make(ParticipantResponse(stored), version: stored.version)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<Participant>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        _ = try await Access.participant(id, for: user, in: repositories)
        let input = try await request.decodeJSON(ParticipantInput.self, limit: config.maxBodyBytes)
        // Moving a participant to a site the user does not belong to would hide it from them: refuse.
        try await RecordReferences(repositories: repositories).site(input.siteID, for: user)
        let participant = try input.participant(id: id, today: CalendarDate(dependencies.clock.now()))
        let stored = try await repositories.participants.update(
            participant, expectedVersion: expected, context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(ParticipantResponse(stored), version: stored.version)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        let limitText = query.get("limit")
        guard limitText == nil || (limitText.flatMap(Int.init).map { (1...200).contains($0) } ?? false) else {
            throw APIError.badRequest(code: "bad_limit", message: "limit must be a whole number from 1 to 200")
        }
        let page = try await repositories.participants.search(ParticipantQuery(
            siteIDs: Access.visibleSites(user), mrn: query.get("mrn"), name: query.get("name"),
            limit: limitText.flatMap(Int.init) ?? 50, cursor: query.get("cursor")))
        return try JSONResponse.make(PageResponse(items: page.items.map(ParticipantResponse.init), nextCursor: page.nextCursor))
    }
}
