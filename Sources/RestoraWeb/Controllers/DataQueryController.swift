import Foundation
import Hummingbird
import RestoraDomain

/// Data queries in the JSON API, through `DataQueryActions` like the participant page (docs/sdv.md): monitors,
/// data managers and admins raise, close and re-open queries on a participant's data; the site (admin,
/// investigator, coordinator) answers. Another site's participant or query is 404, a wrong role 403, a step the
/// query's state does not allow 409, a stale `If-Match` 412; a blank question, answer or re-opening note 422.
struct DataQueryController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var actions: DataQueryActions { DataQueryActions(repositories: repositories, ids: dependencies.ids) }

    struct AnswerInput: Decodable { var answer: String? }
    /// Why the monitor closes (optional) or re-opens (required) the query; kept in its thread.
    struct NoteInput: Decodable { var note: String? }

    /// A query with its thread (`GET /queries/{id}`).
    struct QueryResponse: Encodable {
        var query: VersionedResponse<DataQuery>
        var thread: [DataQueryMessage]

        func encode(to encoder: Encoder) throws {
            try query.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(thread, forKey: .thread)
        }

        private enum Key: String, CodingKey { case thread }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.raiseQuery, use: raise)
        group.on(.queries, use: list)
        group.on(.query, use: show)
        group.on(.answerQuery, use: answer)
        group.on(.closeQuery, use: close)
        group.on(.reopenQuery, use: reopen)
    }

    @Sendable func raise(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(DataQueryActions.Question.self, limit: config.maxBodyBytes)
        let stored = try await actions.raise(input, participant: participant.value.id, now: dependencies.clock.now(),
                                             context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.queries.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let query = try await visibleQuery(context, user)
        let thread = try await repositories.queryThreads.messages(of: [query.value.id])[query.value.id] ?? []
        return try JSONResponse.make(QueryResponse(query: VersionedResponse(value: query), thread: thread), version: query.version)
    }

    @Sendable func answer(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let (query, expected) = try await current(request, context, user)
        let input = try await request.decodeJSON(AnswerInput.self, limit: config.maxBodyBytes)
        let stored = try await actions.answer(query.id, text: input.answer, expectedVersion: expected, now: dependencies.clock.now(),
                                              context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await noted(request, context) { actions, id, note, version, now, audit in
            try await actions.close(id, note: note, expectedVersion: version, now: now, context: audit)
        }
    }

    @Sendable func reopen(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await noted(request, context) { actions, id, note, version, now, audit in
            try await actions.reopen(id, note: note, expectedVersion: version, now: now, context: audit)
        }
    }

    /// A monitor's step with an optional `{"note"}` body (close; re-open, where the service requires the note).
    private func noted(
        _ request: Request, _ context: AppRequestContext,
        _ step: (DataQueryActions, Identifier<DataQuery>, String?, Int, Date, AuditContext) async throws -> Versioned<DataQuery>
    ) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let (query, expected) = try await current(request, context, user)
        let note = try await request.decodeJSONIfPresent(NoteInput.self, limit: config.maxBodyBytes)?.note
        let stored = try await step(actions, query.id, note, expected, dependencies.clock.now(), context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    /// The query named in the path, 404 outside the user's sites.
    private func visibleQuery(_ context: AppRequestContext, _ user: UserAccount) async throws -> Versioned<DataQuery> {
        let query = try await repositories.queries.get(Identifier(try context.parameters.require("id")))
        _ = try await Access.participant(query.value.participantID, for: user, in: repositories)
        return query
    }

    /// The query named in the path (404 outside the user's sites) and the version from If-Match.
    private func current(_ request: Request, _ context: AppRequestContext, _ user: UserAccount) async throws -> (DataQuery, Int) {
        let expected = try request.expectedVersion()
        return (try await visibleQuery(context, user).value, expected)
    }
}
