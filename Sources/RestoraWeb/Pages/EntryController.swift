import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// The data-entry pages (issue #7 items 4 and 5): semen analysis, laboratory value, DXA, adverse event, and
/// correcting an observation. Each GET shows the form; each POST validates every field, writes through
/// `ClinicalEntry` (so the protocol safety rules raise their alerts) with the form's `_nonce` as idempotency
/// key, and sends the browser to the participant page — or shows the form again (422) with the typed values
/// and a message next to each refused field, having written nothing.
struct EntryController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var ids: any IDGenerator { dependencies.ids }

    typealias Render = @Sendable (AppRequestContext, EntrySubject, FormState, any IDGenerator) -> Node

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.recordSemen) { request, context in
            try await showForm(request, context, render: SemenFormModel.view, dateFields: SemenFormModel.dateFields)
        }
        router.post(PageRoute.recordSemen) { request, context in
            try await save(request, context, render: SemenFormModel.view, validate: SemenFormModel.validate) { observations, user, form in
                try await recordPanel(observations, context: context.audit(user), form: form)
            }
        }
        router.get(PageRoute.recordLab) { request, context in
            try await showForm(request, context, render: LabFormModel.view, dateFields: LabFormModel.dateFields)
        }
        router.post(PageRoute.recordLab) { request, context in
            try await save(request, context, render: LabFormModel.view, validate: LabFormModel.validate) { observation, user, form in
                _ = try await dependencies.clinicalEntry.record(observation, context: context.audit(user), idempotencyKey: FormNonce.key(form))
            }
        }
        router.get(PageRoute.recordDXA) { request, context in
            try await showForm(request, context, render: DXAFormModel.view, dateFields: DXAFormModel.dateFields)
        }
        router.post(PageRoute.recordDXA) { request, context in
            try await save(request, context, render: DXAFormModel.view, validate: DXAFormModel.validate) { observations, user, form in
                try await recordPanel(observations, context: context.audit(user), form: form)
            }
        }
        router.get(PageRoute.recordAdverseEvent) { request, context in
            try await showForm(request, context, render: AdverseEventFormModel.view, dateFields: AdverseEventFormModel.dateFields)
        }
        router.post(PageRoute.recordAdverseEvent) { request, context in
            try await save(request, context, render: AdverseEventFormModel.view, validate: AdverseEventFormModel.validate) { event, user, form in
                try await AdverseEventFormModel.write(event, user: user, form: form, entry: dependencies.adverseEventEntry, context: context)
            }
        }
        router.get(PageRoute.editObservation, use: showEdit)
        router.post(PageRoute.editObservation, use: saveEdit)
    }

    /// The observations of one panel (a semen analysis, a DXA scan), each keyed by the form's nonce and its code,
    /// so a resubmitted form stores each value once.
    func recordPanel(_ observations: [Observation], context: AuditContext, form: FormData) async throws {
        _ = try await dependencies.clinicalEntry.recordPanel(
            observations.map { ($0, FormNonce.key(form, suffix: $0.code.code)) }, context: context)
    }

    /// The participant the form records for (404 when unknown or at another site) and their enrolments.
    func subject(_ id: Identifier<Participant>, user: UserAccount) async throws -> EntrySubject {
        let participant = try await Access.participant(id, for: user, in: repositories)
        let programs = Dictionary(uniqueKeysWithValues: try await repositories.programs.list().map { ($0.value.id, $0.value) })
        var options: [EntrySubject.Option] = []
        for enrolment in try await repositories.enrolments.list(participant: participant.value.id).map(\.value) {
            let program = programs[enrolment.programID]
            options.append(.init(id: enrolment.id.rawValue,
                                 label: "\(program?.name ?? enrolment.programID.rawValue) (\(enrolment.status.rawValue))"))
        }
        async let products = repositories.cellProducts.list(participant: participant.value.id)
        async let procedures = repositories.procedures.list(participant: participant.value.id)
        let lots = try await products.map(\.value).map { EntrySubject.LotOption(id: $0.id.rawValue, lot: $0.lot, status: $0.releaseStatus) }
        let harvests = try await procedures.map(\.value).filter { $0.kind == .tissueHarvest }.map { harvest in
            EntrySubject.Option(id: harvest.id.rawValue, label: "Harvest on \(CalendarDate(harvest.performed))"
                + (harvest.sourceTissue.map { " (\($0))" } ?? ""))
        }
        return EntrySubject(participant: participant.value, enrolments: options, now: dependencies.clock.now(), lots: lots, harvests: harvests)
    }

    func showForm(_ request: Request, _ context: AppRequestContext, render: Render, dateFields: [String]) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try Access.requireWriter(user)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        // Links may preselect a test, site, enrolment, procedure or lot (`?test=triglycerides`).
        var preset: [String: String] = [:]
        for name in ["test", "site", "enrolmentID", "kind", "cellProductID", "meddraCode"] {
            if let value = request.uri.queryParameters.get(name), value.count <= 100 { preset[name] = value }
        }
        return HTMLResponse.html(render(context, subject, EntryPage.fresh(subject, dateFields: dateFields, extra: preset), ids))
    }

    func save<Record: Sendable>(
        _ request: Request, _ context: AppRequestContext, render: Render,
        validate: (FormData, EntrySubject, any IDGenerator) -> Result<Record, FormRefusal>,
        write: (Record, UserAccount, FormData) async throws -> Void
    ) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        switch validate(form, subject, ids) {
        case let .failure(refusal):
            return HTMLResponse.html(render(context, subject, refusal.state, ids), status: .unprocessableContent)
        case let .success(record):
            do {
                try await write(record, user, form)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: Set(form.values.keys).subtracting(FormData.controlFields))
                return HTMLResponse.html(render(context, subject, state, ids), status: .unprocessableContent)
            } catch RepositoryError.idempotencyKeyReused {
                var state = FormState(form: form)
                state.general.append("This form was already saved with other values. Open a new form to record another entry.")
                return HTMLResponse.html(render(context, subject, state, ids), status: .conflict)
            }
            return HTMLResponse.redirect(WebPath.participant(subject.participant.id))
        }
    }

    // MARK: Correcting an observation

    @Sendable func showEdit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try Access.requireWriter(user)
        let record = try await repositories.observations.get(Identifier(try context.parameters.require("id")))
        let subject = try await subject(record.value.participantID, user: user)
        return HTMLResponse.html(EditObservationModel.view(
            context: context, subject: subject, record: record, state: EditObservationModel.initialState(record), ids: ids))
    }

    @Sendable func saveEdit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let record = try await repositories.observations.get(Identifier(try context.parameters.require("id")))
        let subject = try await subject(record.value.participantID, user: user)
        func again(_ state: FormState, _ shown: Versioned<Observation>, status: HTTPResponse.Status) -> Response {
            HTMLResponse.html(EditObservationModel.view(context: context, subject: subject, record: shown, state: state, ids: ids), status: status)
        }
        switch EditObservationModel.validate(form, record: record, today: subject.today) {
        case let .failure(refusal):
            return again(refusal.state, record, status: .unprocessableContent)
        case let .success(change):
            do {
                if let problem = try await panelProblem(change.observation) {
                    var state = FormState(form: form)
                    state.errors["value"] = problem
                    return again(state, record, status: .unprocessableContent)
                }
                // The corrected value goes through the safety rules again (an alert it now reaches is raised).
                _ = try await dependencies.clinicalEntry.correct(
                    change.observation, expectedVersion: change.expectedVersion, context: context.audit(user, reason: change.reason))
            } catch RepositoryError.staleVersion {
                let current = try await repositories.observations.get(record.value.id)
                var state = EditObservationModel.initialState(current)
                state.form.values["reason"] = form.typed("reason")
                state.general.append(EditObservationModel.changedMeanwhile)
                return again(state, current, status: .conflict)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: ["value", "unit", "effective", "reason"])
                return again(state, record, status: .unprocessableContent)
            }
            return HTMLResponse.redirect(WebPath.participant(record.value.participantID))
        }
    }

    /// A corrected semen value must still make sense with the rest of its panel (progressive motility is
    /// part of total motility): the panel is re-read with the change and checked by the domain.
    func panelProblem(_ changed: Observation) async throws -> String? {
        guard let panel = changed.panelID,
              EntryMeasures.semen.contains(where: { $0.code.sameConcept(as: changed.code) }) else { return nil }
        let siblings = try await repositories.observations.list(participant: changed.participantID).map(\.value)
            .filter { $0.panelID == panel && $0.id != changed.id }
        do {
            try SemenAnalysis(observations: siblings + [changed]).validate()
            return nil
        } catch let DomainError.invalidValue(_, message) {
            return FieldErrors.capitalized(message)
        }
    }
}
