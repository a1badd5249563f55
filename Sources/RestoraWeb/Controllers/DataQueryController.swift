import Foundation
import Hummingbird
import RestoraDomain

/// Monitors raise queries on a participant's data and close them; the site (admin, investigator,
/// coordinator) answers. The only write a monitor makes.
struct DataQueryController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct RaiseInput: Decodable {
        var recordKind: String?
        var recordID: String?
        var field: String?
        var question: String
    }

    struct AnswerInput: Decodable { var answer: String }
    /// Why the monitor closes the query (optional body; kept with who and when, shown on the participant page).
    struct CloseInput: Decodable { var note: String? }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.raiseQuery, use: raise)
        group.on(.queries, use: list)
        group.on(.answerQuery, use: answer)
        group.on(.closeQuery, use: close)
    }

    @Sendable func raise(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        guard user.role.raisesQueries else { throw APIError.forbidden("only a monitor, a data manager or an admin raises a data query") }
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(RaiseInput.self, limit: config.maxBodyBytes)
        guard !input.question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.invalidValue(field: "question", message: "a query needs a question")
        }
        try await RecordReferences(repositories: repositories).queryTarget(kind: input.recordKind, id: input.recordID, of: participant.value.id)
        let query = DataQuery(id: Identifier(dependencies.ids.next()), participantID: participant.value.id, recordKind: input.recordKind,
                              recordID: input.recordID, field: input.field, question: input.question, raisedBy: user.actor,
                              raisedAt: dependencies.clock.now())
        let (audit, key, ids) = (context.audit(user), request.idempotencyKey, dependencies.ids)
        // The query and the site's notifications commit together (docs/notifications.md).
        let stored = try await repositories.transaction { tx in
            let stored = try await tx.queries.create(query, context: audit, idempotencyKey: key)
            try await Notifications.enqueue(tx, Self.event(.queryRaised, stored.value), now: query.raisedAt, ids: ids)
            return stored
        }
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.queries.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    @Sendable func answer(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let (query, expected) = try await current(request, context, user)
        let input = try await request.decodeJSON(AnswerInput.self, limit: config.maxBodyBytes)
        guard query.status == .open else {
            throw DomainError.illegalTransition(from: query.status.rawValue, to: "answered", message: "only an open query can be answered")
        }
        var answered = query
        answered.answer = input.answer
        answered.answeredBy = user.actor
        answered.status = .answered
        let (audit, ids, now) = (context.audit(user), dependencies.ids, dependencies.clock.now())
        let stored = try await repositories.transaction { [answered] tx in
            let stored = try await tx.queries.update(answered, expectedVersion: expected, context: audit)
            try await Notifications.enqueue(tx, Self.event(.queryAnswered, stored.value), now: now, ids: ids)
            return stored
        }
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        guard user.role.raisesQueries else { throw APIError.forbidden("only a monitor, a data manager or an admin closes a data query") }
        let (query, expected) = try await current(request, context, user)
        guard query.status != .closed else {
            throw DomainError.illegalTransition(from: "closed", to: "closed", message: "the query is already closed")
        }
        let note = try await request.decodeJSONIfPresent(CloseInput.self, limit: config.maxBodyBytes)?.note?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var closed = query
        closed.status = .closed
        closed.closedBy = user.actor
        closed.closedAt = dependencies.clock.now()
        closed.closeNote = note?.isEmpty == false ? note : nil
        let stored = try await repositories.queries.update(closed, expectedVersion: expected, context: context.audit(user, reason: closed.closeNote))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    /// The notification of a query raised or answered: once per query and kind.
    static func event(_ kind: NotificationKind, _ query: DataQuery) -> NotificationEvent { Notifications.queryEvent(kind, query) }

    /// The query named in the path (404 outside the user's sites) and the version from If-Match.
    private func current(_ request: Request, _ context: AppRequestContext, _ user: UserAccount) async throws -> (DataQuery, Int) {
        let expected = try request.expectedVersion()
        let query = try await repositories.queries.get(Identifier(try context.parameters.require("id"))).value
        _ = try await Access.participant(query.participantID, for: user, in: repositories)
        return (query, expected)
    }
}
