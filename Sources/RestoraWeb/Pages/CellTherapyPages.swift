import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// The pages of the autologous cell-therapy chain (issue #7 item 4; REFERENCE.md D1, D2): record a
/// procedure (harvest, processing, injection…), register a lot, enter its release tests, and — for an
/// investigator — decide its release. Every write goes through `CellTherapyEntry`, the path the JSON API uses.
struct CellTherapyPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var entry: EntryController { EntryController(dependencies: dependencies, config: config) }
    var cellTherapy: CellTherapyEntry { dependencies.cellTherapy }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.recordProcedure) { request, context in
            try await entry.showForm(request, context, render: ProcedureFormModel.view, dateFields: ProcedureFormModel.dateFields)
        }
        router.post(PageRoute.recordProcedure) { request, context in
            try await entry.save(request, context, render: ProcedureFormModel.view, validate: ProcedureFormModel.validate) { procedure, user, form in
                var procedure = procedure
                procedure.performer = user.actor
                _ = try await cellTherapy.recordProcedure(procedure, deviation: try DeviationFields.input(form), now: dependencies.clock.now(),
                                                          context: context.audit(user), idempotencyKey: FormNonce.key(form))
            }
        }
        router.get(PageRoute.registerCellProduct) { request, context in
            try await entry.showForm(request, context, render: CellProductFormModel.view, dateFields: CellProductFormModel.dateFields)
        }
        router.post(PageRoute.registerCellProduct) { request, context in
            try await entry.save(request, context, render: CellProductFormModel.view, validate: CellProductFormModel.validate) { product, user, form in
                do {
                    _ = try await cellTherapy.registerProduct(product, context: context.audit(user), idempotencyKey: FormNonce.key(form))
                } catch RepositoryError.duplicate {
                    throw DomainError.invalidValue(field: "lot", message: "lot \(product.lot) is already registered; a lot number is unique")
                }
            }
        }
        router.get(PageRoute.cellProduct, use: showProduct)
        router.get(PageRoute.releaseTests, use: showTests)
        router.post(PageRoute.releaseTests, use: saveTests)
        router.post(PageRoute.releaseDecision, use: decide)
        router.post(PageRoute.custodyStep, use: custody)
    }

    /// The lot (404 when unknown or at another site's participant) with the specification it is judged by.
    func subject(_ id: Identifier<CellProduct>, user: UserAccount) async throws -> CellProductSubject {
        let product = try await repositories.cellProducts.get(id)
        let participant = try await Access.participant(product.value.participantID, for: user, in: repositories)
        let (specification, source) = try await cellTherapy.specification(for: product.value)
        return CellProductSubject(product: product, participant: participant.value, specification: specification,
                                  specificationSource: source, now: dependencies.clock.now())
    }

    func productPage(_ subject: CellProductSubject, user: UserAccount, context: AppRequestContext, problems: [String] = [],
                     custodyState: FormState? = nil, decisionState: FormState? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let model = CellProductPageModel(
            subject: subject, decision: try? await decision(subject.product.value), harvest: try await harvest(subject.product.value),
            canWrite: user.role.writesClinicalData, canDecide: user.role == .investigator,
            canReadAudit: user.role.readsAudit || user.role.writesClinicalData, problems: problems, custodyState: custodyState,
            decisionState: decisionState)
        return HTMLResponse.html(CellProductPage.view(model, context: context), status: status)
    }

    /// The stored decision of a decided lot, or what the specification says of its results now.
    func decision(_ product: CellProduct) async throws -> ReleaseDecision {
        if let decided = product.releaseDecision, !CellTherapyEntry.undecided.contains(product.releaseStatus) { return decided }
        return try await cellTherapy.preview(product)
    }

    func harvest(_ product: CellProduct) async throws -> Procedure? {
        guard let id = product.harvestProcedureID else { return nil }
        return try? await repositories.procedures.get(id).value
    }

    @Sendable func showProduct(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        return try await productPage(subject, user: user, context: context)
    }

    @Sendable func showTests(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        try Access.requireWriter(user)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        var state = ReleaseTestsFormModel.initialState(subject)
        if !CellTherapyEntry.undecided.contains(subject.product.value.releaseStatus) {
            state.general.append(Self.decidedMessage(subject.product.value))
        }
        return HTMLResponse.html(ReleaseTestsFormModel.view(context: context, subject: subject, state: state, ids: entry.ids))
    }

    @Sendable func saveTests(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        func again(_ state: FormState, _ shown: CellProductSubject, status: HTTPResponse.Status) -> Response {
            HTMLResponse.html(ReleaseTestsFormModel.view(context: context, subject: shown, state: state, ids: entry.ids), status: status)
        }
        switch ReleaseTestsFormModel.validate(form, subject: subject) {
        case let .failure(refusal):
            return again(refusal.state, subject, status: .unprocessableContent)
        case let .success(input):
            do {
                _ = try await cellTherapy.recordReleaseTests(
                    input.tests, product: subject.product.value.id, expectedVersion: input.version, at: dependencies.clock.now(),
                    context: context.audit(user, reason: input.reason))
            } catch RepositoryError.staleVersion {
                let current = try await self.subject(subject.product.value.id, user: user)
                // A double submit: the same results are already stored.
                if current.product.value.releaseTests == input.tests { return HTMLResponse.redirect(WebPath.cellProduct(subject.product.value.id)) }
                var state = ReleaseTestsFormModel.initialState(current)
                state.form.values["reason"] = form.typed("reason")
                state.general.append("The lot changed since you opened this form. Its current results are shown: enter your change again.")
                return again(state, current, status: .conflict)
            } catch let error as DomainError {
                var state = FormState(form: form)
                FieldErrors.apply(error, to: &state, fields: Set(form.values.keys).subtracting(FormData.controlFields),
                                  fieldMap: Dictionary(uniqueKeysWithValues: subject.markers.map { ("markersPercent.\($0)", ReleaseTestsFormModel.markerField($0)) })
                                      .merging(["endotoxin": "endotoxinValue", "endotoxin.unit": "endotoxinUnit"]) { a, _ in a })
                return again(state, subject, status: .unprocessableContent)
            }
            return HTMLResponse.redirect(WebPath.cellProduct(subject.product.value.id))
        }
    }

    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        guard user.role == .investigator else {
            throw APIError.forbidden("only an investigator decides the release of a cell product")
        }
        let product = subject.product.value
        // Already decided (a double submit, or a colleague): the page shows the decision; nothing changes.
        guard CellTherapyEntry.undecided.contains(product.releaseStatus) else { return HTMLResponse.redirect(WebPath.cellProduct(product.id)) }
        guard let version = form["_version"].flatMap(Int.init) else {
            return try await productPage(subject, user: user, context: context, problems: ["Reload the page: the form lost the lot's version."],
                                         status: .unprocessableContent)
        }
        // The decision date: today by default; an earlier day for a decision entered afterwards, never the
        // future nor before the lot's last custody step (custody stays in time order).
        let now = dependencies.clock.now()
        var reader = FieldReader(form)
        let decidedOn = form["decidedOn"] == nil ? CalendarDate(now) : reader.date("decidedOn", today: CalendarDate(now))
        if let decidedOn, let last = product.custody.last, decidedOn < CalendarDate(last.at) {
            reader.fail("decidedOn", "The decision date is before the lot's last custody step (\(last.kind.rawValue) on \(CalendarDate(last.at)))")
        }
        guard reader.isValid, let decidedOn else {
            return try await productPage(subject, user: user, context: context, decisionState: FormState(form: form, errors: reader.errors),
                                         status: .unprocessableContent)
        }
        let at = decidedOn == CalendarDate(now) ? now : decidedOn.startOfDayUTC.addingTimeInterval(12 * 3600)
        do {
            _ = try await cellTherapy.decideRelease(product: product.id, tests: nil, expectedVersion: version, at: at,
                                                  context: context.audit(user))
        } catch RepositoryError.staleVersion {
            return try await productPage(subject, user: user, context: context,
                                         problems: ["The lot's results changed since you opened this page. Review them below and decide again."],
                                         status: .conflict)
        } catch let error as DomainError {
            return try await productPage(subject, user: user, context: context, problems: [FieldErrors.message(error).message],
                                         status: .unprocessableContent)
        }
        return HTMLResponse.redirect(WebPath.cellProduct(product.id))
    }

    @Sendable func custody(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try Access.requireWriter(user)
        let subject = try await subject(Identifier(try context.parameters.require("id")), user: user)
        let id = subject.product.value.id
        switch CustodyStepForm.validate(form, subject: subject, actor: user.actor) {
        case let .failure(refusal):
            return try await productPage(subject, user: user, context: context, custodyState: refusal.state, status: .unprocessableContent)
        case let .success((event, version)):
            do {
                _ = try await repositories.cellProducts.appendCustody(event, to: id, expectedVersion: version, context: context.audit(user))
            } catch RepositoryError.staleVersion {
                let current = try await self.subject(id, user: user)
                if CustodyStepForm.repeats(event, last: current.product.value.custody.last) {
                    return HTMLResponse.redirect(WebPath.cellProduct(id) + "#custody")
                }
                var state = FormState(form: form)
                state.form.values["_version"] = "\(current.product.version)"
                state.general.append("The lot changed since you opened this page; its current custody is shown. Record the step again if it still applies.")
                return try await productPage(current, user: user, context: context, custodyState: state, status: .conflict)
            }
            return HTMLResponse.redirect(WebPath.cellProduct(id) + "#custody")
        }
    }

    static func decidedMessage(_ product: CellProduct) -> String {
        "The release of lot \(product.lot) is already decided (\(product.releaseStatus.rawValue)); its results can no longer change."
    }
}
