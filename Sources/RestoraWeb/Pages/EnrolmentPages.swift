import Foundation
import Hummingbird
import RestoraDomain

/// Enrolling a participant in a program, screening the enrolment against the protocol's criteria, and
/// moving it along the enrolment state machine (only the moves the domain allows are offered).
struct EnrolmentPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(PageRoute.enrol, use: newForm)
        pages.post(PageRoute.enrol, use: enrol)
        pages.post(PageRoute.screen, use: screen)
        pages.post(PageRoute.transition, use: transition)
    }

    func programs(for participant: Participant) async throws -> [Program] {
        try await repositories.programs.list().map(\.value).filter { $0.siteIDs.contains(participant.siteID) }
    }

    @Sendable func newForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories).value
        try Access.requireWriter(user)
        return HTMLResponse.html(EnrolmentPanel.newForm(participant, programs: try await programs(for: participant), state: FormState(), context: context, ids: dependencies.ids))
    }

    @Sendable func enrol(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories).value
        try Access.requireWriter(user)
        let programs = try await programs(for: participant)
        func refuse(_ message: String) -> Response {
            let state = FormState(form: form, errors: ["programID": message])
            return HTMLResponse.html(EnrolmentPanel.newForm(participant, programs: programs, state: state, context: context, ids: dependencies.ids), status: .unprocessableContent)
        }
        guard let program = programs.first(where: { $0.id.rawValue == form["programID"] }) else {
            return refuse("Choose a program that runs at the participant's site.")
        }
        do {
            _ = try await EnrolmentEntry(repositories: repositories).enrol(
                participant, in: program.id, arm: nil, id: Identifier(dependencies.ids.next()),
                context: context.audit(user), idempotencyKey: form["_nonce"].map { "web:enrol:\($0)" })
        } catch RepositoryError.duplicate {
            return refuse("The participant is already enrolled in \(program.name) and that enrolment is still open.")
        }
        return HTMLResponse.redirect(WebPath.participant(participant.id) + "#enrolments")
    }

    /// The enrolment if the user's sites include it (404 otherwise, before any role check).
    func visible(_ context: AppRequestContext, _ user: UserAccount) async throws -> Versioned<Enrolment> {
        let id = Identifier<Enrolment>(try context.parameters.require("id"))
        let enrolment = try await repositories.enrolments.get(id)
        try Access.requireSite(user, enrolment.value.siteID, kind: "enrolment", id: id.rawValue)
        return enrolment
    }

    @Sendable func screen(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let enrolment = try await visible(context, user).value
        try Access.requireWriter(user)
        let today = CalendarDate(dependencies.clock.now())
        let date = form["on"].flatMap(CalendarDate.init) ?? today
        guard date <= today else { throw DomainError.invalidValue(field: "on", message: "The screening date is in the future.") }
        _ = try await EnrolmentScreening(dependencies: dependencies).screen(
            enrolment, on: date, context: context.audit(user), idempotencyKey: form["_nonce"].map { "web:screen:\($0)" })
        return HTMLResponse.redirect(WebPath.participant(enrolment.participantID) + "#eligibility")
    }

    @Sendable func transition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let current = try await visible(context, user)
        try Access.requireWriter(user)
        let back = WebPath.participant(current.value.participantID)
        let now = dependencies.clock.now()
        let today = CalendarDate(now)
        // Every field is read before anything is judged, so one submit shows every problem, next to its field.
        var reader = FieldReader(form)
        let target = reader.choice("to", message: "Choose one of the offered next steps") { text in
            EnrolmentStatus(rawValue: text).flatMap { current.value.status.canMove(to: $0) ? $0 : nil }
        }
        let date = form["on"] == nil ? today : reader.date("on", today: today)
        if let date, let last = current.value.transitions.last, date < CalendarDate(last.at) {
            reader.fail("on", "The date is before the previous step (\(CalendarDate(last.at)))")
        }
        let reason = reader.text("reason", required: false, maxLength: 500)
        // The investigator's "record as protocol deviation" fields: a reason makes it a deviation (issue #14).
        let deviation = EnrolmentPanel.deviation(&reader)
        guard reader.isValid, let target, let date else {
            return try await refused(FormState(form: form, errors: reader.errors), enrolment: current.value, user: user, context: context)
        }
        let at = date == today ? now : date.startOfDayUTC.addingTimeInterval(12 * 3600)
        let version = Int(form["version"] ?? "") ?? current.version
        do {
            _ = try await EnrolmentTransitions(repositories: repositories, catalog: dependencies.catalog, ids: dependencies.ids).transition(
                current.value.id, to: target, at: at, expectedVersion: version, deviation: deviation, signedAt: now,
                context: context.audit(user, reason: reason ?? "\(StatusText.label(target)) (recorded in the web app)"))
        } catch RepositoryError.staleVersion {
            let state = FormState(form: form, general: ["This enrolment changed since the page was opened; its current state is shown. Record the step again if it still applies."])
            return try await refused(state, enrolment: current.value, user: user, context: context, status: .conflict)
        } catch let error as DomainError {
            // The gate's refusal (or a missing deviation reason) next to its field, the input kept.
            var state = FormState(form: form)
            FieldErrors.apply(error, to: &state, fields: ["to", "on", "reason", "deviation.reason"],
                              fieldMap: ["deviation.reason": "deviationReason"])
            if case .protocolRule = error, let message = state.errors["to"] {
                state.errors["to"] = message + (user.role == .investigator
                    ? ". To go ahead anyway, record it as a protocol deviation below (category and your reason)."
                    : ". Only an investigator may let this step through as a protocol deviation.")
            }
            return try await refused(state, enrolment: current.value, user: user, context: context)
        }
        return HTMLResponse.redirect(back + "#enrolments")
    }

    /// The participant page again, with the refused transition form showing what was typed and why.
    func refused(_ state: FormState, enrolment: Enrolment, user: UserAccount, context: AppRequestContext,
                 status: HTTPResponse.Status = .unprocessableContent) async throws -> Response {
        let model = try await ParticipantPageModel.load(enrolment.participantID, user: user, context: context, dependencies: dependencies)
        return HTMLResponse.html(ParticipantPage.view(model, context: context, transition: (enrolment.id, state)), status: status)
    }
}

enum EnrolmentPanel {
    /// `state`: a refused transition of this enrolment, shown in its form with the messages next to the fields.
    static func view(_ v: ParticipantPageModel.EnrolmentView, canWrite: Bool, today: CalendarDate, context: AppRequestContext,
                     state: FormState? = nil) -> Node {
        let e = v.enrolment.value
        let id = e.id.rawValue
        func error(_ field: String) -> String? { state?.errors[field] }
        func invalid(_ field: String) -> String? { error(field) == nil ? nil : "true" }
        func describedBy(_ field: String) -> String? { error(field) == nil ? nil : "\(field)-\(id)-error" }
        func message(_ field: String) -> Node {
            guard let text = error(field) else { return .fragment([]) }
            return el("p", ["id": "\(field)-\(id)-error", "class": "field-error"]) { text }
        }
        return el("article", ["class": "enrolment", "id": "enrolment-\(e.id.rawValue)"]) {
            el("h3") { "\(v.program.name): \(StatusText.label(e.status))" }
            if !e.transitions.isEmpty {
                el("ol", ["class": "transitions"]) {
                    e.transitions.map { t in
                        el("li") { "\(CalendarDate(t.at)): \(StatusText.label(t.from)) → \(StatusText.label(t.to)) by \(ActorText.describe(t.actor)) — \(t.reason)" }
                    }
                }
            }
            if canWrite && !e.status.isTerminal {
                el("div", ["class": "actions"]) {
                    if e.status == .screening || e.status == .prescreened || e.status == .screenFailed {
                        el("form", ["class": "screen-form", "method": "post", "action": PageRoute.screen.path(e.id.rawValue)]) {
                            Forms.csrf(context)
                            el("input", ["type": "hidden", "name": "_nonce", "value": "screen-\(e.id.rawValue)-\(v.enrolment.version)-\(today)"])
                            el("label", ["for": "screen-on-\(e.id.rawValue)"]) { "Screen on " }
                            el("input", ["id": "screen-on-\(e.id.rawValue)", "name": "on", "type": "date", "value": today.description])
                            el("button", ["class": "screen-button secondary", "type": "submit"]) { "Run eligibility screening" }
                        }
                    }
                    el("form", ["class": "transition-form", "method": "post", "action": PageRoute.transition.path(id)]) {
                        Forms.csrf(context)
                        if let state { Forms.generalErrors(state) }
                        el("input", ["type": "hidden", "name": "version", "value": "\(v.enrolment.version)"])
                        el("label", ["for": "to-\(id)"]) { "Next step " }
                        el("select", ["id": "to-\(id)", "name": "to", "aria-invalid": invalid("to"), "aria-describedby": describedBy("to")]) {
                            EnrolmentStatus.allCases.filter { e.status.canMove(to: $0) }.map { status in
                                Node.element("option", ["value": status.rawValue], flags: ["selected": state?.form["to"] == status.rawValue]) {
                                    StatusText.label(status)
                                }
                            }
                        }
                        message("to")
                        el("label", ["for": "on-\(id)"]) { " on " }
                        el("input", ["id": "on-\(id)", "name": "on", "type": "date", "value": state.map { $0.form.typed("on") } ?? today.description,
                                     "aria-invalid": invalid("on"), "aria-describedby": describedBy("on")])
                        message("on")
                        el("label", ["for": "reason-\(id)"]) { " reason " }
                        el("input", ["id": "reason-\(id)", "name": "reason", "type": "text", "value": state?.form.typed("reason") ?? "",
                                     "aria-invalid": invalid("reason"), "aria-describedby": describedBy("reason")])
                        message("reason")
                        if context.user?.role == .investigator { deviationFields(id: id, state: state, message: message) }
                        el("button", ["class": "transition-button secondary", "type": "submit"]) { "Record" }
                    }
                }
            }
        }
    }

    /// For an investigator: record the step as a protocol deviation when the eligibility gate refuses it
    /// (category and reason; the signature is the signed-in investigator and the time of the submit).
    static func deviationFields(id: String, state: FormState?, message: (String) -> Node) -> Node {
        let chosen = state?.form["deviationCategory"] ?? ProtocolDeviation.Category.eligibility.rawValue
        let error = state?.errors["deviationReason"]
        return el("fieldset", ["class": "deviation-fields"]) {
            el("legend") { "Record as protocol deviation (only if the protocol refuses this step)" }
            el("label", ["for": "deviation-category-\(id)"]) { "Category " }
            el("select", ["id": "deviation-category-\(id)", "name": "deviationCategory"]) {
                ProtocolDeviation.Category.allCases.map { category in
                    Node.element("option", ["value": category.rawValue], flags: ["selected": chosen == category.rawValue]) {
                        category.label
                    }
                }
            }
            el("label", ["for": "deviation-reason-\(id)"]) { " investigator's reason " }
            el("input", ["id": "deviation-reason-\(id)", "name": "deviationReason", "type": "text",
                         "value": state?.form.typed("deviationReason") ?? "",
                         "aria-invalid": error == nil ? nil : "true", "aria-describedby": error == nil ? nil : "deviationReason-\(id)-error"])
            message("deviationReason")
        }
    }

    /// The deviation the form carries: none unless the investigator gave a reason.
    static func deviation(_ reader: inout FieldReader) -> DeviationInput? {
        guard let reason = reader.text("deviationReason", required: false, maxLength: 1000) else { return nil }
        let category = reader.choice("deviationCategory", required: false, message: "Choose a deviation category") {
            ProtocolDeviation.Category(rawValue: $0)
        } ?? .eligibility
        return DeviationInput(category: category, reason: reason)
    }

    static func newForm(_ participant: Participant, programs: [Program], state: FormState, context: AppRequestContext, ids: any IDGenerator) -> Node {
        Layout.page(title: "Enrol", context: context) {
            el("h1") { "Enrol \(ParticipantText.name(participant))" }
            Forms.generalErrors(state)
            el("form", ["id": "enrolment-form", "method": "post", "action": PageRoute.enrol.path(participant.id.rawValue), "novalidate": ""]) {
                Forms.controls(context, state: state, ids: ids)
                Forms.select("programID", label: "Program", options: programs.map { ($0.id.rawValue, $0.name) }, state: state, required: true, blank: "Choose…")
                Forms.submit("Enrol")
            }
            el("p") { el("a", ["href": WebPath.participant(participant.id)]) { "Back to the participant" } }
        }
    }
}
