import Foundation
import Hummingbird
import RestoraDomain

/// An adverse event (`form#adverse-event-form`), coded with a CTCAE v5.0 term picked by system organ class
/// (docs/safety.md). Pages run no script, so the grade is limited to the term's grades in two ways: each term
/// names its grades in the picker, and the "Show this term's grades" step (a GET of the same page with
/// `?meddraCode=`) narrows the grade list to them; the server refuses any other grade next to the field.
enum AdverseEventFormModel {
    static let formID = "adverse-event-form"
    static let dateFields = ["onset"]
    static var terms: CTCAETermList { .standard }

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordAdverseEvent(participant) }

    static let relatednessLabels: [AdverseEvent.Relatedness: String] = [
        .notRelated: "Not related", .unlikely: "Unlikely", .possible: "Possible", .probable: "Probable", .definite: "Definite",
    ]
    static let seriousnessLabels: [(AdverseEvent.Seriousness, String)] = [
        (.death, "Results in death"), (.lifeThreatening, "Life-threatening"),
        (.hospitalization, "Requires hospitalisation or prolongs it"), (.disability, "Persistent or significant disability"),
        (.congenitalAnomaly, "Congenital anomaly / birth defect"), (.otherImportant, "Other important medical event"),
    ]

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<AdverseEvent, FormRefusal> {
        var reader = FieldReader(form)
        let code = reader.choice("meddraCode", message: "Pick the CTCAE v5.0 term") { terms.entry(code: $0)?.meddraCode }
        let specify = reader.text("otherSpecify", required: false, maxLength: 200)
        let grade = reader.choice("grade", message: "Choose a CTCAE grade") { Int($0).flatMap { (1...5).contains($0) ? $0 : nil } }
        let relatedness = reader.choice("relatedness", required: false, message: "Choose how related the event is to the treatment") {
            AdverseEvent.Relatedness(rawValue: $0)
        }
        let onset = reader.date("onset", today: subject.today)
        let resolution = reader.date("resolution", today: subject.today, required: false)
        let aware = reader.date("sponsorAwareOn", today: subject.today, required: false)
        let outcome = reader.choice("outcome", required: false) { AdverseEvent.Outcome(rawValue: $0) }
        let action = reader.choice("actionTaken", required: false) { AdverseEvent.ActionTaken(rawValue: $0) }
        let note = reader.text("note", required: false, maxLength: 2000)
        let enrolment = EntryPage.enrolment(&reader, subject)
        let seriousness = seriousnessLabels.map(\.0).filter { reader.checkbox("serious-\($0.rawValue)") }
        var state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let code, let grade, let onset else { return .failure(FormRefusal(state: state)) }
        let event = AdverseEvent(
            id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment,
            term: terms.entry(code: code)?.term ?? "", grade: grade, seriousness: seriousness, relatedness: relatedness ?? .possible,
            onset: onset, resolution: resolution, outcome: outcome ?? (grade == 5 ? .fatal : .unknown), actionTaken: action ?? .none,
            sponsorAwareOn: aware, note: note, meddraCode: code, otherSpecify: specify)
        do {
            // The term rules (grade allowed, "Other, specify") answer next to their fields before the write.
            return .success(try terms.coded(event).validated())
        } catch let error as DomainError {
            FieldErrors.apply(error, to: &state, fields: fieldNames, fieldMap: ["term": "meddraCode"])
        } catch {
            state.general.append("The event could not be checked")
        }
        return .failure(FormRefusal(state: state))
    }

    static let fieldNames: Set<String> = [
        "meddraCode", "otherSpecify", "grade", "relatedness", "onset", "resolution", "sponsorAwareOn", "outcome", "actionTaken",
        "note", "enrolmentID", "expected",
    ]

    /// The write of the form: through `AdverseEventEntry`; a relatedness sent by anyone but an investigator
    /// is refused (403), as on the API.
    static func write(
        _ event: AdverseEvent, user: UserAccount, form: FormData, entry: AdverseEventEntry, context: AppRequestContext
    ) async throws {
        let assessed = !(form["relatedness"] ?? "").isEmpty
        if assessed { try AdverseEventController.requireCausalityAssessor(user) }
        _ = try await entry.record(event, causalityAssessor: assessed ? user.id.rawValue : nil, context: context.audit(user),
                                   idempotencyKey: FormNonce.key(form))
    }

    /// `EntryPage.view` with the term step before the form (forms cannot nest).
    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        let title = "Record an adverse event"
        return Layout.page(title: title, context: context) {
            el("p", ["class": "breadcrumb"]) { ParticipantText.crumb(subject.participant) }
            el("h1") { title }
            termStep(subject: subject, state: state)
            Forms.generalErrors(state)
            Node.element("form", ["id": formID, "method": "post", "action": path(subject.participant.id), "class": "entry-form"],
                         flags: ["novalidate": true]) {
                Forms.controls(context, state: state, ids: ids)
                fields(subject: subject, state: state, investigator: context.user?.role == .investigator)
                el("div", ["class": "form-actions"]) {
                    Forms.submit("Save")
                    el("a", ["class": "cancel", "href": WebPath.participant(subject.participant.id)]) { "Cancel" }
                }
            }
        }
    }

    /// The no-script step that narrows the grade list: a GET form with the term picker.
    static func termStep(subject: EntrySubject, state: FormState) -> Node {
        el("form", ["id": "ctcae-term-step", "method": "get", "action": path(subject.participant.id), "class": "inline-form"]) {
            termPicker(name: "meddraCode", id: "term-step-code", state: state, label: "Pick the term first")
            el("button", ["type": "submit", "class": "secondary"]) { "Show this term's grades" }
        }
    }

    static func termPicker(name: String, id: String, state: FormState, label: String) -> Node {
        let current = state.form.values["meddraCode"] ?? ""
        let error = id == name ? state.errors[name] : nil
        return el("div", ["class": error == nil ? "field" : "field has-error"]) {
            el("label", ["for": id]) { label }
            Node.element("select", ["id": id, "name": name, "aria-invalid": error == nil ? nil : "true",
                                    "aria-describedby": error == nil ? nil : "\(id)-error"], flags: [:]) {
                el("option", ["value": ""]) { "Choose the CTCAE v5.0 term (by system organ class)" }
                terms.systemOrganClasses.map { soc in
                    el("optgroup", ["label": soc]) {
                        terms.entries.filter { $0.systemOrganClass == soc }.map { entry in
                            Node.element("option", ["value": entry.meddraCode], flags: ["selected": entry.meddraCode == current]) {
                                "\(entry.term) — \(gradeText(entry.grades)) (MedDRA \(entry.meddraCode))"
                            }
                        }
                    }
                }
            }
            if let error { el("p", ["id": "\(id)-error", "class": "field-error"]) { error } }
        }
    }

    static func gradeText(_ grades: [Int]) -> String {
        guard let first = grades.first, let last = grades.last else { return "no grades" }
        if grades.count == 1 { return "grade \(first)" }
        return grades == Array(first...last) ? "grades \(first)–\(last)" : "grades " + grades.map(String.init).joined(separator: ", ")
    }

    @NodeBuilder static func fields(subject: EntrySubject, state: FormState, investigator: Bool) -> [Node] {
        let chosen = state.form.values["meddraCode"].flatMap { terms.entry(code: $0) }
        termPicker(name: "meddraCode", id: "meddraCode", state: state, label: "CTCAE v5.0 term *")
        Forms.input("otherSpecify", label: "Describe the event (only with \"… - Other, specify\")", state: state)
        Forms.select("grade", label: chosen.map { "CTCAE grade (\($0.term): \(gradeText($0.grades)))" } ?? "CTCAE grade",
                     options: (chosen?.grades ?? Array(1...5)).map { ("\($0)", "Grade \($0)") }, state: state,
                     required: true, blank: "Choose the grade")
        if let chosen, !chosen.gradeCriteria.isEmpty {
            // The term's grade criteria as the NCI CTCAE v5.0 sheet prints them (REFERENCE.md E1).
            el("dl", ["id": "grade-criteria", "class": "hint"]) {
                chosen.gradeCriteria.map { c in [el("dt") { "Grade \(c.grade)" }, el("dd") { c.criteria }] }.flatMap { $0 }
            }
        }
        el("fieldset", ["id": "seriousness"]) {
            el("legend") { "Seriousness (ICH E2A): tick every criterion met; none = not serious" }
            seriousnessLabels.map { criterion, label in EntryPage.checkbox("serious-\(criterion.rawValue)", label: label, state: state) }
        }
        if investigator {
            Forms.select("relatedness", label: "Causality: relatedness to the study treatment (your assessment)",
                         options: AdverseEvent.Relatedness.allCases.map { ($0.rawValue, relatednessLabels[$0] ?? $0.rawValue) },
                         state: state, blank: "Not assessed yet")
        } else {
            el("p", ["class": "hint", "id": "causality-note"]) {
                "Causality is assessed by an investigator; until then the event counts as possibly related (suspected)."
            }
        }
        EntryPage.dateInput("onset", label: "Start (onset)", state: state)
        Forms.input("resolution", label: "End (resolution)", hint: "YYYY-MM-DD; empty while ongoing", state: state)
        Forms.input("sponsorAwareOn", label: "Awareness date (day 0 of the reporting clock)",
                    hint: "YYYY-MM-DD; required for a serious, unexpected, suspected event", state: state)
        Forms.select("outcome", label: "Outcome", options: AdverseEvent.Outcome.allCases.map { ($0.rawValue, $0.rawValue) },
                     state: state, blank: "Unknown")
        Forms.select("actionTaken", label: "Action taken with the study treatment",
                     options: AdverseEvent.ActionTaken.allCases.map { ($0.rawValue, $0.rawValue) }, state: state, blank: "None")
        Forms.textarea("note", label: "Note", state: state)
        EntryPage.enrolmentSelect(subject, state: state)
        el("p", ["class": "hint"]) {
            "Expectedness is judged by Restora from the term and the program's reference safety information. Terms: \(terms.origin)."
        }
    }
}
