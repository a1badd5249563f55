import Foundation
import Hummingbird
import RestoraDomain

extension PageRoute {
    static let adverseEvent = PageRoute("/adverse-events/:id")
    static let adverseEventReportDraft = PageRoute("/adverse-events/:id/report-draft")
    static let adverseEventSubmission = PageRoute("/adverse-events/:id/submissions")
    static let adverseEventFollowUp = PageRoute("/adverse-events/:id/follow-up-information")
    static let adverseEventCausality = PageRoute("/adverse-events/:id/causality")
}

extension WebPath {
    static func adverseEvent(_ id: Identifier<AdverseEvent>) -> String { PageRoute.adverseEvent.path(id.rawValue) }
    static func adverseEventReportDraft(_ id: Identifier<AdverseEvent>) -> String { PageRoute.adverseEventReportDraft.path(id.rawValue) }
}

/// One adverse event's page (docs/safety.md): coding, seriousness, causality, expectedness with its basis, the
/// reporting clock (overdue in red with `role="alert"`), the report draft link, the submissions, and the
/// investigator's forms: causality assessment, report submission (stops the clock), follow-up information
/// (restarts one). Another site's event is 404; a form of the wrong role is 403 with nothing written.
struct AdverseEventPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var today: CalendarDate { CalendarDate(dependencies.clock.now()) }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.adverseEvent, use: show)
        router.get(PageRoute.adverseEventReportDraft, use: draft)
        router.post(PageRoute.adverseEventSubmission, use: submit)
        router.post(PageRoute.adverseEventFollowUp, use: followUp)
        router.post(PageRoute.adverseEventCausality, use: assessCausality)
    }

    func load(_ context: AppRequestContext, user: UserAccount) async throws -> (Versioned<AdverseEvent>, Participant) {
        let event = try await repositories.adverseEvents.get(Identifier(try context.parameters.require("id")))
        let participant = try await Access.participant(event.value.participantID, for: user, in: repositories)
        return (event, participant.value)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let (event, participant) = try await load(context, user: user)
        return HTMLResponse.html(AdverseEventPage.view(event, participant: participant, user: user, today: today, context: context))
    }

    @Sendable func draft(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try PageAccess.user(request, context)
        let (event, participant) = try await load(context, user: user)
        let draft = try await AdverseEventReportDrafts(repositories: repositories, catalog: dependencies.catalog)
            .draft(event, participant: participant)
        return HTMLResponse.html(AdverseEventPage.draft(draft, event: event, participant: participant, context: context))
    }

    /// Runs one of the page's forms: the role check first (403, nothing written), then the action; a refusal
    /// re-draws the page with the error next to its field (422).
    func act(
        _ request: Request, _ context: AppRequestContext, allowed: (UserAccount) throws -> Void,
        _ action: (Versioned<AdverseEvent>, UserAccount, FormData) async throws -> Void
    ) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        try allowed(user)
        let (event, participant) = try await load(context, user: user)
        do {
            try await action(event, user, form)
        } catch let error as DomainError {
            var state = FormState(form: form)
            FieldErrors.apply(error, to: &state, fields: Set(form.values.keys).subtracting(FormData.controlFields))
            return HTMLResponse.html(AdverseEventPage.view(event, participant: participant, user: user, today: today, context: context, state: state),
                                     status: .unprocessableContent)
        }
        return HTMLResponse.redirect(WebPath.adverseEvent(event.value.id))
    }

    static func version(_ form: FormData, _ event: Versioned<AdverseEvent>) -> Int { form["version"].flatMap { Int($0) } ?? event.version }

    static func date(_ form: FormData, _ field: String, label: String) throws -> CalendarDate {
        guard let text = form[field], let date = CalendarDate(text.trimmingCharacters(in: .whitespaces)) else {
            throw DomainError.invalidValue(field: field, message: "\(label): a date as YYYY-MM-DD")
        }
        return date
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, allowed: AdverseEventController.requireSubmitter) { event, user, form in
            guard let kind = form["kind"].flatMap(ReportSubmission.Kind.init(rawValue:)) else {
                throw DomainError.invalidValue(field: "kind", message: "choose the report: initial or follow-up")
            }
            _ = try await dependencies.adverseEventEntry.recordSubmission(
                event.value.id, kind: kind, submittedOn: try Self.date(form, "submittedOn", label: "Submitted on"),
                reference: form["reference"] ?? "", submittedBy: user.id.rawValue, today: today,
                expectedVersion: Self.version(form, event), context: context.audit(user, reason: "\(kind.rawValue) expedited report submitted"))
        }
    }

    @Sendable func followUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, allowed: Access.requireWriter) { event, user, form in
            _ = try await dependencies.adverseEventEntry.recordFollowUpInformation(
                event.value.id, receivedOn: try Self.date(form, "receivedOn", label: "Received on"), today: today,
                expectedVersion: Self.version(form, event), context: context.audit(user, reason: "follow-up information received"))
        }
    }

    @Sendable func assessCausality(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, allowed: AdverseEventController.requireCausalityAssessor) { event, user, form in
            guard let relatedness = form["relatedness"].flatMap(AdverseEvent.Relatedness.init(rawValue:)) else {
                throw DomainError.invalidValue(field: "relatedness", message: "choose how related the event is to the study treatment")
            }
            var changed = event.value
            changed.relatedness = relatedness
            _ = try await dependencies.adverseEventEntry.correct(
                changed, expectedVersion: Self.version(form, event), causalityAssessor: user.id.rawValue,
                context: context.audit(user, reason: "causality assessed by the investigator"))
        }
    }
}

/// The views of the adverse-event page and its printable report draft.
enum AdverseEventPage {
    /// The clock as a line: "IND safety report due 2026-03-18: 4 days left" or, overdue, a red alert.
    static func clock(_ event: AdverseEvent, today: CalendarDate) -> Node {
        guard let clock = event.openReportingClock else {
            return el("p", ["class": "clock clock-none"]) {
                event.initialReport == nil ? "No expedited report is due." : "No report is due: the last submission stopped the clock."
            }
        }
        let left = clock.daysLeft(today: today)
        let text = left < 0 ? "OVERDUE by \(-left) day\(left == -1 ? "" : "s")" : (left == 0 ? "due today" : "\(left) day\(left == 1 ? "" : "s") left")
        let attributes: KeyValuePairs<String, String?> = left < 0
            ? ["class": "clock clock-overdue", "role": "alert"] : ["class": left <= 2 ? "clock clock-soon" : "clock", "role": nil]
        return el("p", attributes) {
            el("strong") { "\(clock.label): \(text)" }
            " — due \(clock.dueOn) (day 0 \(clock.dayZero), \(clock.days) calendar days; \(clock.reason))"
        }
    }

    static func view(
        _ stored: Versioned<AdverseEvent>, participant: Participant, user: UserAccount, today: CalendarDate,
        context: AppRequestContext, state: FormState = FormState()
    ) -> Node {
        let e = stored.value
        return Layout.page(title: "Adverse event: \(e.termText)", context: context) {
            el("p", ["class": "breadcrumb"]) { ParticipantText.crumb(participant) }
            el("h1") { "Adverse event: \(e.termText)" }
            Forms.generalErrors(state)
            el("section", ["id": "reporting-clock"]) {
                el("h2") { "Reporting clock" }
                clock(e, today: today)
                el("p") { el("a", ["id": "report-draft-link", "href": WebPath.adverseEventReportDraft(e.id)]) { "Report draft (CIOMS I / FDA 3500A)" } }
            }
            el("dl", ["class": "facts", "id": "adverse-event-facts"]) {
                fact("Term", e.isCoded ? e.termText : "\(e.term) (uncoded: free text recorded before coding)")
                fact("MedDRA code", e.meddraCode ?? "—")
                fact("System organ class", e.systemOrganClass ?? "—")
                fact("CTCAE grade", "\(e.grade)")
                fact("Serious", e.isSerious ? e.seriousness.map(\.rawValue).joined(separator: ", ") : "no")
                fact("Causality", e.causalityAssessedBy.map { "\(e.relatedness.rawValue) (assessed by \($0))" }
                    ?? "not yet assessed by an investigator (counts as suspected: \(e.relatedness.rawValue))")
                fact("Expectedness", e.expected ? "expected — \(e.expectedBasis ?? "")" : "unexpected (not in the program's reference safety information)")
                fact("Start", e.onset.description)
                fact("End", e.resolution?.description ?? "ongoing")
                fact("Awareness (day 0)", e.sponsorAwareOn?.description ?? "not recorded")
                fact("Outcome", e.outcome.rawValue)
                fact("Action taken with the study treatment", e.actionTaken.rawValue)
            }
            submissions(e)
            if user.role == .investigator {
                causalityForm(stored, context: context, state: state)
                if let open = e.openReportingClock { submissionForm(stored, clock: open, context: context, state: state) }
            }
            if user.role.writesClinicalData, e.initialReport != nil, e.openReportingClock?.kind != .followUp {
                followUpForm(stored, context: context, state: state)
            }
        }
    }

    static func fact(_ label: String, _ value: String) -> Node {
        .fragment([el("dt") { label }, el("dd") { value }])
    }

    static func submissions(_ e: AdverseEvent) -> Node {
        let list = [e.initialReport, e.followUpReport].compactMap { $0 }
        return el("section", ["id": "submissions"]) {
            el("h2") { "Submissions" }
            if list.isEmpty {
                Layout.empty("No report submitted.")
            } else {
                el("table") {
                    el("thead") { el("tr") { el("th") { "Report" }; el("th") { "Submitted" }; el("th") { "By" }; el("th") { "Reference" } } }
                    el("tbody") {
                        list.map { s in
                            el("tr", ["class": "submission-row"]) {
                                el("td") { s.kind.rawValue }; el("td") { s.submittedOn.description }; el("td") { s.submittedBy }; el("td") { s.reference }
                            }
                        }
                    }
                }
            }
            if let received = e.followUpReceivedOn { el("p") { "Follow-up information received \(received)." } }
        }
    }

    static func hidden(_ context: AppRequestContext, _ stored: Versioned<AdverseEvent>) -> [Node] {
        [Forms.csrf(context), el("input", ["type": "hidden", "name": "version", "value": String(stored.version)])]
    }

    static func causalityForm(_ stored: Versioned<AdverseEvent>, context: AppRequestContext, state: FormState) -> Node {
        el("form", ["id": "causality-form", "method": "post", "action": PageRoute.adverseEventCausality.path(stored.value.id.rawValue), "class": "entry-form"]) {
            el("h2") { "Causality assessment" }
            hidden(context, stored)
            Forms.select("relatedness", label: "Relatedness to the study treatment",
                         options: AdverseEvent.Relatedness.allCases.map { ($0.rawValue, AdverseEventFormModel.relatednessLabels[$0] ?? $0.rawValue) },
                         state: state, required: true, blank: "Choose", selected: stored.value.causalityAssessedBy == nil ? nil : stored.value.relatedness.rawValue)
            Forms.submit("Record assessment", id: "save-causality")
        }
    }

    static func submissionForm(_ stored: Versioned<AdverseEvent>, clock: ReportingClock, context: AppRequestContext, state: FormState) -> Node {
        el("form", ["id": "submission-form", "method": "post", "action": PageRoute.adverseEventSubmission.path(stored.value.id.rawValue), "class": "entry-form"]) {
            el("h2") { "Record the \(clock.label) as submitted" }
            hidden(context, stored)
            el("input", ["type": "hidden", "name": "kind", "value": clock.kind == .initial ? "initial" : "follow-up"])
            Forms.input("submittedOn", label: "Submitted on", hint: "YYYY-MM-DD", state: state, required: true)
            Forms.input("reference", label: "Reference (sponsor case or FDA acknowledgement number)", state: state, required: true)
            Forms.submit("Record submission", id: "save-submission")
        }
    }

    static func followUpForm(_ stored: Versioned<AdverseEvent>, context: AppRequestContext, state: FormState) -> Node {
        el("form", ["id": "follow-up-form", "method": "post", "action": PageRoute.adverseEventFollowUp.path(stored.value.id.rawValue), "class": "entry-form"]) {
            el("h2") { "Follow-up information received" }
            hidden(context, stored)
            Forms.input("receivedOn", label: "Received on (starts a 15-day clock)", hint: "YYYY-MM-DD", state: state, required: true)
            Forms.submit("Record follow-up information", id: "save-follow-up")
        }
    }

    /// The printable draft: the fields Restora knows, the suspect products, and what the reporter completes.
    static func draft(_ d: AdverseEventReportDraft, event: Versioned<AdverseEvent>, participant: Participant, context: AppRequestContext) -> Node {
        // Printed and sent outside the clinic: no breadcrumb with the participant's name and MRN (minimum necessary).
        Layout.page(title: "Report draft", context: context) {
            el("p", ["class": "breadcrumb"]) { el("a", ["href": WebPath.adverseEvent(event.value.id)]) { "Adverse event \(event.value.id.rawValue)" } }
            el("h1") { "Report draft: \(d.reportLabel ?? "adverse event report") (\(d.reportType))" }
            if let due = d.reportDueOn { el("p", ["class": "clock"]) { "Due \(due)." } }
            el("table", ["id": "report-draft-fields"]) {
                el("thead") { el("tr") { el("th") { "Form item" }; el("th") { "Field" }; el("th") { "Value" } } }
                el("tbody") {
                    d.fields.map { f in el("tr") { el("td") { f.form }; el("td") { f.label }; el("td") { f.value } } }
                }
            }
            el("h2") { "Suspect products (CIOMS 14-19 / 3500A C)" }
            if d.suspectProducts.isEmpty {
                Layout.empty("No study treatment recorded.")
            } else {
                el("ul") { d.suspectProducts.map { p in el("li") { [p.name, p.dose, p.route, p.start.map { "from \($0)" }, p.stop.map { "to \($0)" }].compactMap { $0 }.joined(separator: ", ") } } }
            }
            el("h2") { "To complete by the reporter" }
            el("ul", ["id": "report-draft-not-known"]) { d.notKnown.map { item in el("li") { item } } }
            el("p") { el("a", ["href": WebPath.adverseEvent(event.value.id)]) { "Back to the adverse event" } }
        }
    }
}
