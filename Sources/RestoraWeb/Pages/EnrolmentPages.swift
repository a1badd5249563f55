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
        pages.get("participants/:id/enrolments/new", use: newForm)
        pages.post("participants/:id/enrolments/new", use: enrol)
        pages.post("enrolments/:id/screen", use: screen)
        pages.post("enrolments/:id/transition", use: transition)
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
        guard let program = programs.first(where: { $0.id.rawValue == form["programID"] }) else {
            let state = FormState(form: form, errors: ["programID": "Choose a program that runs at the participant's site."])
            return HTMLResponse.html(EnrolmentPanel.newForm(participant, programs: programs, state: state, context: context, ids: dependencies.ids), status: .unprocessableContent)
        }
        let enrolment = Enrolment(id: Identifier(dependencies.ids.next()), participantID: participant.id, programID: program.id, siteID: participant.siteID)
        _ = try await repositories.enrolments.create(enrolment, context: context.audit(user), idempotencyKey: form["_nonce"].map { "web:enrol:\($0)" })
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
        let program = try await repositories.programs.get(enrolment.programID).value
        let definition = try dependencies.catalog.definition(id: program.protocolID)
        let record = try await ParticipantRecordLoader(repositories: repositories).load(enrolment.participantID)
        let report = EligibilityEngine.screen(record, against: definition, on: date)
        let screening = ScreeningRecord(id: Identifier(dependencies.ids.next()), participantID: enrolment.participantID,
                                        enrolmentID: enrolment.id, report: report, screenedBy: user.actor)
        _ = try await repositories.screenings.create(screening, context: context.audit(user), idempotencyKey: form["_nonce"].map { "web:screen:\($0)" })
        return HTMLResponse.redirect(WebPath.participant(enrolment.participantID) + "#eligibility")
    }

    @Sendable func transition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let current = try await visible(context, user)
        try Access.requireWriter(user)
        let back = WebPath.participant(current.value.participantID)
        guard let target = form["to"].flatMap(EnrolmentStatus.init(rawValue:)), current.value.status.canMove(to: target) else {
            throw DomainError.invalidValue(field: "to", message: "Choose one of the offered next steps.")
        }
        let now = dependencies.clock.now()
        let today = CalendarDate(now)
        let date = form["on"].flatMap(CalendarDate.init) ?? today
        guard date <= today else { throw DomainError.invalidValue(field: "on", message: "The date is in the future.") }
        if let last = current.value.transitions.last, date < CalendarDate(last.at) {
            throw DomainError.invalidValue(field: "on", message: "The date is before the previous step (\(CalendarDate(last.at))).")
        }
        // A move to eligible without an eligible screening is the investigator's judgement: it needs a reason.
        let screenings = try await repositories.screenings.list(participant: current.value.participantID).map(\.value)
            .filter { $0.enrolmentID == current.value.id }
        let latest = screenings.max { $0.screenedOn < $1.screenedOn }
        if target == .eligible, latest?.verdict != .eligible, form["reason"] == nil {
            throw DomainError.invalidValue(field: "reason", message: "The latest screening is not 'eligible' (\(latest?.verdict.rawValue ?? "not screened")): give the reason for declaring eligibility.")
        }
        let at = date == today ? now : date.startOfDayUTC.addingTimeInterval(12 * 3600)
        let version = Int(form["version"] ?? "") ?? current.version
        _ = try await repositories.enrolments.transition(
            current.value.id, to: target, at: at, expectedVersion: version,
            context: context.audit(user, reason: form["reason"] ?? "\(StatusText.label(target)) (recorded in the web app)"))
        return HTMLResponse.redirect(back + "#enrolments")
    }
}

enum EnrolmentPanel {
    static func view(_ v: ParticipantPageModel.EnrolmentView, canWrite: Bool, today: CalendarDate, context: AppRequestContext) -> Node {
        let e = v.enrolment.value
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
                        el("form", ["class": "screen-form", "method": "post", "action": "/enrolments/\(e.id.rawValue)/screen"]) {
                            Forms.csrf(context)
                            el("input", ["type": "hidden", "name": "_nonce", "value": "screen-\(e.id.rawValue)-\(v.enrolment.version)-\(today)"])
                            el("label", ["for": "screen-on-\(e.id.rawValue)"]) { "Screen on " }
                            el("input", ["id": "screen-on-\(e.id.rawValue)", "name": "on", "type": "date", "value": today.description])
                            el("button", ["class": "screen-button secondary", "type": "submit"]) { "Run eligibility screening" }
                        }
                    }
                    el("form", ["class": "transition-form", "method": "post", "action": "/enrolments/\(e.id.rawValue)/transition"]) {
                        Forms.csrf(context)
                        el("input", ["type": "hidden", "name": "version", "value": "\(v.enrolment.version)"])
                        el("label", ["for": "to-\(e.id.rawValue)"]) { "Next step " }
                        el("select", ["id": "to-\(e.id.rawValue)", "name": "to"]) {
                            EnrolmentStatus.allCases.filter { e.status.canMove(to: $0) }.map { status in
                                el("option", ["value": status.rawValue]) { StatusText.label(status) }
                            }
                        }
                        el("label", ["for": "on-\(e.id.rawValue)"]) { " on " }
                        el("input", ["id": "on-\(e.id.rawValue)", "name": "on", "type": "date", "value": today.description])
                        el("label", ["for": "reason-\(e.id.rawValue)"]) { " reason " }
                        el("input", ["id": "reason-\(e.id.rawValue)", "name": "reason", "type": "text"])
                        el("button", ["class": "transition-button secondary", "type": "submit"]) { "Record" }
                    }
                }
            }
        }
    }

    static func newForm(_ participant: Participant, programs: [Program], state: FormState, context: AppRequestContext, ids: any IDGenerator) -> Node {
        Layout.page(title: "Enrol", context: context) {
            el("h1") { "Enrol \(ParticipantText.name(participant))" }
            Forms.generalErrors(state)
            el("form", ["id": "enrolment-form", "method": "post", "action": WebPath.participant(participant.id) + "/enrolments/new", "novalidate": ""]) {
                Forms.controls(context, state: state, ids: ids)
                Forms.select("programID", label: "Program", options: programs.map { ($0.id.rawValue, $0.name) }, state: state, required: true, blank: "Choose…")
                Forms.submit("Enrol")
            }
            el("p") { el("a", ["href": WebPath.participant(participant.id)]) { "Back to the participant" } }
        }
    }
}
