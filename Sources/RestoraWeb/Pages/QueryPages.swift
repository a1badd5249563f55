import Foundation
import Hummingbird
import RestoraDomain

/// The participant page's data-query forms (docs/sdv.md), through `DataQueryActions` as the JSON API: raise
/// (`POST /participants/{id}/queries`), answer, close and re-open (`POST /queries/{id}/answer|close|reopen`, with
/// the version the page showed). Success returns to the participant page's queries; a refused input answers 422
/// with the form again and the error named, nothing written; a wrong role 403, another site 404, a query changed
/// meanwhile 412 (the error page says to reload).
struct QueryPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var actions: DataQueryActions { DataQueryActions(repositories: repositories, ids: dependencies.ids) }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post(PageRoute.raiseQueryPage, use: raise)
        router.post(PageRoute.answerQueryPage) { try await step($0, $1, .answer) }
        router.post(PageRoute.closeQueryPage) { try await step($0, $1, .close) }
        router.post(PageRoute.reopenQueryPage) { try await step($0, $1, .reopen) }
    }

    enum Step: String { case answer, close, reopen }

    @Sendable func raise(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let id = participant.value.id
        let record = form["record"].flatMap { $0.isEmpty ? nil : $0 }?.split(separator: "/", maxSplits: 1).map(String.init)
        let question = DataQueryActions.Question(recordKind: record?.first, recordID: record?.count == 2 ? record?[1] : nil,
                                                 field: form["field"], question: form["question"] ?? "")
        do {
            _ = try await actions.raise(question, participant: id, now: dependencies.clock.now(), context: context.audit(user),
                                        idempotencyKey: nil)
        } catch let error as DomainError {
            var state = FormState(form: form)
            FieldErrors.apply(error, to: &state, fields: ["field", "question"], fieldMap: ["recordKind": "record", "recordID": "record"])
            let records = try await SourceRecords.load(id, in: repositories)
            let back = WebPath.participant(id)
            return HTMLResponse.html(QueryForms.refused(title: "Raise a data query", state, context: context, back: back) {
                QueryForms.raise(id, records: records, state: state, context: context)
            }, status: .unprocessableContent)
        }
        return HTMLResponse.redirect(WebPath.participant(id) + "#queries")
    }

    func step(_ request: Request, _ context: AppRequestContext, _ step: Step) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let stored = try await repositories.queries.get(Identifier(try context.parameters.require("id")))
        _ = try await Access.participant(stored.value.participantID, for: user, in: repositories)
        let expected = form["version"].flatMap { Int($0) } ?? stored.version
        let (now, audit) = (dependencies.clock.now(), context.audit(user))
        let back = WebPath.participant(stored.value.participantID)
        do {
            switch step {
            case .answer: _ = try await actions.answer(stored.value.id, text: form["answer"], expectedVersion: expected, now: now, context: audit)
            case .close: _ = try await actions.close(stored.value.id, note: form["note"], expectedVersion: expected, now: now, context: audit)
            case .reopen: _ = try await actions.reopen(stored.value.id, note: form["note"], expectedVersion: expected, now: now, context: audit)
            }
        } catch let error as DomainError {
            var state = FormState(form: form)
            FieldErrors.apply(error, to: &state, fields: ["answer", "note"])
            let title = step == .reopen ? "Re-open a data query" : "\(step.rawValue.capitalized) a data query"
            return HTMLResponse.html(QueryForms.refused(title: title, state, context: context, back: back) {
                el("p", ["class": "query-question"]) { "\(SDVText.about(stored.value)): \(stored.value.question)" }
                QueryForms.actions(stored, mayRaise: step != .answer, mayAnswer: step == .answer, context: context)
            }, status: .unprocessableContent)
        }
        return HTMLResponse.redirect(back + "#queries")
    }
}
