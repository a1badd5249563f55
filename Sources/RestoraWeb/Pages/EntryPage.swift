import Foundation
import RestoraDomain

/// What a data-entry form knows about the participant it records for.
struct EntrySubject: Sendable {
    /// A choice in a select: an enrolment, a harvest.
    struct Option: Sendable, Hashable {
        var id: String
        var label: String
    }

    /// One of this participant's cell products, as a lot to choose.
    struct LotOption: Sendable, Hashable {
        var id: String
        var lot: String
        var status: CellProduct.ReleaseStatus
        var label: String { "Lot \(lot) (\(status.rawValue))" }
    }

    var participant: Participant
    var enrolments: [Option]
    var now: Date
    /// The participant's cell products and tissue harvests (for the procedure and cell-product forms).
    var lots: [LotOption] = []
    var harvests: [Option] = []

    var today: CalendarDate { CalendarDate(now) }
}

/// A form that did not validate: the typed values, a message per field, nothing written.
struct FormRefusal: Error, Sendable {
    var state: FormState
}

/// The frame every data-entry page shares: who the record is for, the form with `_csrf` and `_nonce`, the
/// fields, Save and Cancel. Forms carry `novalidate`: the server's messages (next to each field) are the
/// ones shown, the same in every browser.
enum EntryPage {
    static func view(
        title: String, context: AppRequestContext, subject: EntrySubject, state: FormState, formID: String,
        action: String, ids: any IDGenerator, intro: String? = nil, @NodeBuilder fields: () -> [Node]
    ) -> Node {
        Layout.page(title: title, context: context) {
            el("p", ["class": "breadcrumb"]) {
                ParticipantText.crumb(subject.participant)
            }
            el("h1") { title }
            if let intro { el("p", ["class": "muted"]) { intro } }
            Forms.generalErrors(state)
            Node.element("form", ["id": formID, "method": "post", "action": action, "class": "entry-form"], flags: ["novalidate": true]) {
                Forms.controls(context, state: state, ids: ids)
                fields()
                el("div", ["class": "form-actions"]) {
                    Forms.submit("Save")
                    el("a", ["class": "cancel", "href": WebPath.participant(subject.participant.id)]) { "Cancel" }
                }
            }
        }
    }

    /// The optional enrolment the record belongs to; left empty, the rules of every open enrolment apply.
    static func enrolmentSelect(_ subject: EntrySubject, state: FormState) -> Node {
        Forms.select("enrolmentID", label: "Enrolment", options: subject.enrolments.map { ($0.id, $0.label) }, state: state,
                     blank: "Not tied to one enrolment (the rules of every open enrolment apply)")
    }

    /// A date field typed as YYYY-MM-DD (a text input: the same in every browser and easy to type).
    static func dateInput(_ name: String, label: String, state: FormState) -> Node {
        Forms.input(name, label: label, hint: "YYYY-MM-DD", state: state, required: true)
    }

    /// A number field with its unit in the label.
    static func numberInput(_ name: String, label: String, unit: String?, state: FormState, required: Bool = false, hint: String? = nil) -> Node {
        Forms.decimalInput(name, label: label, unit: unit, hint: hint, state: state, required: required)
    }

    static func checkbox(_ name: String, label: String, state: FormState) -> Node {
        let error = state.errors[name]
        return el("div", ["class": error == nil ? "field checkbox" : "field checkbox has-error"]) {
            Node.element("input", ["id": name, "name": name, "type": "checkbox", "value": "yes",
                                   "aria-invalid": error == nil ? nil : "true"], flags: ["checked": state.form[name] != nil])
            el("label", ["for": name]) { label }
            if let error { el("p", ["id": "\(name)-error", "class": "field-error"]) { error } }
        }
    }

    /// The enrolment chosen in the form: nil when none, a message next to the field when not this participant's.
    static func enrolment(_ reader: inout FieldReader, _ subject: EntrySubject) -> Identifier<Enrolment>? {
        reader.choice("enrolmentID", required: false, message: "Choose one of this participant's enrolments") { text in
            subject.enrolments.contains { $0.id == text } ? Identifier<Enrolment>(text) : nil
        }
    }

    /// The instant stored for a date-only entry: the start of that day (UTC), so it reads back as the same date.
    static func instant(_ date: CalendarDate) -> Date { date.startOfDayUTC }

    /// A fresh form: the nonce is minted by `Forms.controls`; dates default to today.
    static func fresh(_ subject: EntrySubject, dateFields: [String], extra: [String: String] = [:]) -> FormState {
        var values = extra
        for field in dateFields { values[field] = subject.today.description }
        return FormState(form: FormData(values))
    }
}
