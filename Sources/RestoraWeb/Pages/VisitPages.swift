import Foundation
import Hummingbird
import RestoraDomain

extension WebPath {
    /// The form recording a visit of an enrolment's schedule (`?visit=<key>` preselects one).
    static func recordVisit(_ enrolment: Identifier<Enrolment>) -> String { PageRoute.recordVisit.path(enrolment.rawValue) }
}

/// Recording a visit from the web app: attended on a date, missed or cancelled with the reason, through
/// `VisitEntry` (the API and the demo take the same service; docs/visits.md). A date outside the window is
/// refused next to the date field with the protocol's rule, unless an investigator gives a deviation reason.
struct VisitPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on pages: RouterGroup<AppRequestContext>) {
        pages.get(.recordVisit, use: form)
        pages.post(.recordVisit, use: save)
    }

    /// The enrolment (404 at another site), its program, protocol and calendar.
    func subject(_ context: AppRequestContext, _ user: UserAccount) async throws -> VisitForm.Subject {
        let id = Identifier<Enrolment>(try context.parameters.require("id"))
        let enrolment = try await repositories.enrolments.get(id)
        try Access.requireSite(user, enrolment.value.siteID, kind: "enrolment", id: id.rawValue)
        let participant = try await repositories.participants.get(enrolment.value.participantID).value
        let program = try await repositories.programs.get(enrolment.value.programID).value
        let definition = try dependencies.catalog.definition(for: enrolment.value, program: program)
        let visits = try await repositories.visits.list(enrolment: id).map(\.value)
        let observations = try await repositories.observations.list(participant: participant.id).map(\.value)
        let today = CalendarDate(dependencies.clock.now())
        let schedule = ParticipantPageModel.schedule(
            enrolment.value, visits: visits, definition: definition, today: today,
            dataDates: VisitCalendar.dataDates(observations, enrolment: id))
        return VisitForm.Subject(participant: participant, enrolment: enrolment.value, program: program, definition: definition,
                                 visits: visits, schedule: schedule, today: today,
                                 mayDeviate: user.role == .investigator)
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let subject = try await subject(context, user)
        try Access.requireWriter(user)
        var preset = ["actualDate": subject.today.description, "outcome": "attended"]
        if let key = request.uri.queryParameters.get("visit"), key.count <= 100 { preset["visitKey"] = String(key) }
        return HTMLResponse.html(VisitForm.view(subject, state: FormState(form: FormData(preset)), context: context, ids: dependencies.ids))
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let subject = try await subject(context, user)
        try Access.requireWriter(user)
        func refuse(_ state: FormState) -> Response {
            HTMLResponse.html(VisitForm.view(subject, state: state, context: context, ids: dependencies.ids), status: .unprocessableContent)
        }
        var reader = FieldReader(form)
        let key = reader.choice("visitKey", message: "Choose a visit of the schedule") { text in
            subject.definition.schedule.contains { $0.key == text } ? text : nil
        }
        let outcome = reader.choice("outcome", message: "Choose attended, missed or cancelled") { ["attended", "missed", "cancelled"].contains($0) ? $0 : nil }
        let date = outcome == "attended" ? reader.date("actualDate", today: subject.today) : nil
        let note = reader.text("note", required: outcome == "missed" || outcome == "cancelled", maxLength: 1_000)
        let deviationReason = subject.mayDeviate ? reader.text("deviationReason", required: false, maxLength: 1_000) : nil
        guard reader.isValid, let key, let outcome else { return refuse(FormState(form: form, errors: reader.errors)) }
        let result: VisitEntry.Outcome
        switch outcome {
        case "attended":
            guard let date else { return refuse(FormState(form: form, errors: reader.errors)) }
            result = .attended(date)
        case "missed": result = .missed
        default: result = .cancelled
        }
        let deviation = deviationReason.map { DeviationInput(category: .visitSchedule, reason: $0) }
        do {
            _ = try await VisitEntry(repositories: repositories, catalog: dependencies.catalog, ids: dependencies.ids).record(
                VisitEntry.Request(visitKey: key, outcome: result, note: note, deviation: deviation),
                enrolment: subject.enrolment.id, today: subject.today, context: context.audit(user),
                idempotencyKey: form["_nonce"].map { "web:visit:\($0)" })
        } catch let error as DomainError {
            switch error {
            case let .invalidValue(field, message), let .protocolRule(_, field, message):
                var text = message
                if case let .protocolRule(rule, _, _) = error {
                    text += " (protocol rule: \(rule))"
                    if subject.mayDeviate { text += ". To record it anyway, give the reason for the protocol deviation below." }
                    else { text += ". Only an investigator may record it as a protocol deviation." }
                }
                let shown = ["visitKey", "actualDate", "note", "outcome"].contains(field) ? field : (subject.mayDeviate ? "deviationReason" : "visitKey")
                return refuse(FormState(form: form, errors: [shown: text]))
            default:
                throw error
            }
        } catch RepositoryError.staleVersion {
            return refuse(FormState(form: form, general: ["The visit changed since the page was opened; its current state is shown."]))
        }
        return HTMLResponse.redirect(WebPath.participant(subject.participant.id) + "#visits")
    }
}

enum VisitForm {
    struct Subject: Sendable {
        var participant: Participant
        var enrolment: Enrolment
        var program: Program
        var definition: ProtocolDefinition
        var visits: [Visit]
        var schedule: VisitSchedule?
        var today: CalendarDate
        /// Investigators may let an out-of-window date through with a deviation.
        var mayDeviate: Bool
    }

    static func view(_ s: Subject, state: FormState, context: AppRequestContext, ids: any IDGenerator) -> Node {
        let recorded = Set(s.visits.filter { $0.status != .scheduled }.map(\.visitKey))
        let options = s.definition.schedule.map { item -> (value: String, label: String) in
            let window = s.schedule?.visit(item.key).map { "\($0.visit.earliest) to \($0.visit.latest)" }
                ?? "day \(item.earliestDay) to day \(item.latestDay)"
            return (item.key, "\(item.title) — window \(window)\(recorded.contains(item.key) ? " (already recorded)" : "")")
        }
        return Layout.page(title: "Record a visit", context: context) {
            el("h1") { "Record a visit: \(ParticipantText.name(s.participant)), \(s.program.name)" }
            el("p", ["class": "hint"]) {
                if let schedule = s.schedule {
                    "Day 0 (treatment start) is \(schedule.start). The visit date is judged against the visit's window in the protocol (\(s.definition.id) v\(s.definition.version))."
                } else {
                    "Treatment has not started, so day 0 is not known: visits planned on or before day 0 (screening, baseline) are recorded and judged once treatment starts; later visits cannot be recorded yet."
                }
            }
            if let schedule = s.schedule { VisitCalendar.table(schedule, recordLink: nil) }
            Forms.generalErrors(state)
            el("form", ["id": "visit-form", "method": "post", "action": WebPath.recordVisit(s.enrolment.id), "novalidate": ""]) {
                Forms.controls(context, state: state, ids: ids)
                Forms.select("visitKey", label: "Visit", options: options, state: state, required: true, blank: "Choose…")
                Forms.select("outcome", label: "What happened", options: [("attended", "Attended"), ("missed", "Missed"), ("cancelled", "Cancelled")],
                             state: state, required: true)
                Forms.input("actualDate", label: "Visit date (if attended)", type: "date", state: state)
                Forms.input("note", label: "Note (the reason, if missed or cancelled)", state: state)
                if s.mayDeviate {
                    Forms.textarea("deviationReason", label: "Protocol deviation reason (only for a date outside the window)", state: state,
                                   hint: "Filled in, it records a protocol deviation (visit schedule) signed by you with the visit. Leave empty otherwise.")
                }
                Forms.submit("Record the visit")
            }
            el("p") { el("a", ["href": WebPath.participant(s.participant.id) + "#visits"]) { "Back to the participant" } }
        }
    }
}

/// The participant page's visit calendar: each visit's state in words (not only colour), and a link to record it.
enum VisitCalendar {
    /// Dates of the participant's observations that count for this enrolment's calendar: those recorded against
    /// it, or against no enrolment.
    static func dataDates(_ observations: [Observation], enrolment: Identifier<Enrolment>) -> [CalendarDate] {
        Array(Set(observations.filter { $0.enrolmentID == nil || $0.enrolmentID == enrolment }.map(\.effectiveDate)))
    }

    static func section(_ m: ParticipantPageModel) -> Node {
        let scheduled = m.enrolments.compactMap { view in view.schedule.map { (view, $0) } }
        guard !scheduled.isEmpty else {
            let links = m.canWrite ? m.enrolments.filter { !$0.enrolment.value.status.isTerminal }.map { view in
                el("p") { el("a", ["class": "record-visit-link", "href": WebPath.recordVisit(view.enrolment.value.id)]) { "Record a screening or baseline visit (\(view.program.name))" } }
            } : []
            return .fragment([Layout.empty("No visit calendar yet: it starts on the first day of treatment.")] + links)
        }
        return .fragment(scheduled.map { view, schedule in
            let open = m.canWrite && !view.enrolment.value.status.isTerminal
            return el("div") {
                el("h3") { "\(view.program.name): protocol v\(schedule.protocolVersion), day 0 = \(schedule.start)" }
                table(schedule, recordLink: open ? { WebPath.recordVisit(view.enrolment.value.id) + "?visit=\($0)" } : nil)
                if open { el("p") { el("a", ["class": "record-visit-link", "href": WebPath.recordVisit(view.enrolment.value.id)]) { "Record a visit" } } }
            }
        })
    }

    static func table(_ schedule: VisitSchedule, recordLink: ((String) -> String)?) -> Node {
        el("table", ["class": "visit-calendar"]) {
            el("thead") { el("tr") { el("th") { "Visit" }; el("th") { "Planned" }; el("th") { "Window" }; el("th") { "State" }; el("th") { "Attended" }; el("th") { "" } } }
            el("tbody") {
                schedule.visits.map { v in
                    el("tr", ["class": "visit status-\(v.state.rawValue)"]) {
                        el("td") { v.visit.title }
                        el("td") { v.visit.planned.description }
                        el("td") { "\(v.visit.earliest) – \(v.visit.latest)" }
                        el("td") { el("span", ["class": "badge status-\(v.state.rawValue)"]) { label(v) } }
                        el("td") { v.actualDate?.description ?? "" }
                        el("td") {
                            if let recordLink, v.dataDate != nil || !(v.state == .completedInWindow || v.state == .completedOutOfWindow) {
                                el("a", ["class": "record-visit", "href": recordLink(v.visit.key)]) { "Record" }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The state in words: what happened or what is expected, with the date that matters.
    static func label(_ v: ScheduledVisit) -> String {
        switch v.state {
        case .completedInWindow:
            if let date = v.dataDate { return "done: data entered \(date), in the window" }
            return "attended in the window"
        case .completedOutOfWindow:
            let days = v.daysFromPlanned ?? 0
            return days < 0 ? "attended \(-days) days early, outside the window (deviation)" : "attended \(days) days late, outside the window (deviation)"
        case .missed: return "missed"
        case .overdue: return "overdue: window closed \(v.visit.latest)"
        case .due: return "due now, until \(v.visit.latest)"
        case .upcoming: return "upcoming: window opens \(v.visit.earliest)"
        }
    }
}
