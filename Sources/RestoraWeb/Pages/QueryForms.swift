import Foundation
import RestoraDomain

/// The data-query forms of the participant page (docs/sdv.md): raise (pick the record and the field), and per
/// query the steps its state allows this user — answer (the site, while open), close (the monitor, while open or
/// answered), re-open with a note (the monitor, once answered or closed).
enum QueryForms {
    /// `form#raise-query`: `record` (`kind/id`, or blank for the participant as a whole), `field`, `question`.
    static func raise(_ participant: Identifier<Participant>, records: [SourceRecord], state: FormState, context: AppRequestContext) -> Node {
        let fields = Array(Set(records.flatMap(\.fields))).sorted()
        return el("form", ["id": "raise-query", "class": "raise-query", "method": "post", "action": PageRoute.raiseQueryPage.path(participant.rawValue)]) {
            el("h3") { "Raise a query" }
            Forms.generalErrors(state)
            Forms.csrf(context)
            Forms.select("record", label: "Record", options: records.map { ("\($0.kind)/\($0.id)", "\($0.label) (\($0.kind))") }, state: state,
                         blank: "The participant as a whole")
            el("div", ["class": state.errors["field"] == nil ? "field" : "field has-error"]) {
                el("label", ["for": "query-field"]) { "Field" }
                el("input", ["id": "query-field", "name": "field", "type": "text", "list": "query-fields", "value": state.form.typed("field"),
                             "aria-describedby": "query-field-hint"])
                el("p", ["id": "query-field-hint", "class": "hint"]) { "The field of the record the question is about, e.g. value or unit (optional)" }
                if let error = state.errors["field"] { el("p", ["class": "field-error"]) { error } }
            }
            el("datalist", ["id": "query-fields"]) { fields.map { name in el("option", ["value": name]) } }
            Forms.textarea("question", label: "Question", state: state, required: true)
            Forms.submit("Raise query", id: "raise-query-button")
        }
    }

    static func actions(_ stored: Versioned<DataQuery>, mayRaise: Bool, mayAnswer: Bool, context: AppRequestContext) -> Node {
        let q = stored.value
        return el("div", ["class": "query-actions"]) {
            if mayAnswer && q.status == .open { step("answer", route: .answerQueryPage, stored, field: "answer", label: "Answer", required: true, context: context) }
            if mayRaise && q.status != .closed { step("close", route: .closeQueryPage, stored, field: "note", label: "Closing note (optional)", required: false, context: context) }
            if mayRaise && q.status != .open { step("reopen", route: .reopenQueryPage, stored, field: "note", label: "Why re-open", required: true, context: context) }
        }
    }

    /// One step's inline form: `form.<name>-form` with the text field and `button.<name>-button`.
    static func step(
        _ name: String, route: PageRoute, _ stored: Versioned<DataQuery>, field: String, label: String, required: Bool, context: AppRequestContext
    ) -> Node {
        let id = "\(name)-\(field)-\(stored.value.id.rawValue)"
        return el("form", ["class": "\(name)-form inline", "method": "post", "action": route.path(stored.value.id.rawValue)]) {
            Forms.csrf(context)
            el("input", ["type": "hidden", "name": "version", "value": String(stored.version)])
            el("label", ["for": id, "class": "visually-hidden"]) { label }
            Node.element("input", ["id": id, "name": field, "type": "text", "class": "\(name)-text", "placeholder": label],
                         flags: ["required": required])
            el("button", ["type": "submit", "class": "\(name)-button secondary"]) { name == "reopen" ? "Re-open" : name.capitalized }
        }
    }

    /// The page a refused form answers with (422): the query or the raise form again, the error named.
    static func refused(title: String, _ state: FormState, context: AppRequestContext, back: String, @NodeBuilder form: () -> [Node]) -> Node {
        Layout.page(title: title, context: context) {
            el("h1") { title }
            Forms.generalErrors(state)
            state.errors.sorted { $0.key < $1.key }.map { field, message in el("p", ["class": "field-error", "role": "alert"]) { "\(field): \(message)" } }
            form()
            el("p") { el("a", ["href": back]) { "Back to the participant" } }
        }
    }
}
