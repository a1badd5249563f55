import Foundation
import RestoraDomain

/// One step in a lot's chain of custody (`form#custody-form` on the lot page): received, processing,
/// sampling, quarantine, transfer, thawing or destruction, with when and where (REFERENCE.md D1). Release,
/// rejection and administration are not offered: they are written by the release decision and the injection.
/// Steps are appended in time order, never rewritten; nothing follows a destruction.
enum CustodyStepForm {
    static let formID = "custody-form"
    static let kinds: [CustodyEvent.Kind] = [.received, .processingStarted, .processed, .sampled, .quarantined, .transferred, .thawed, .destroyed]
    static let labels: [CustodyEvent.Kind: String] = [
        .received: "Received", .processingStarted: "Processing started", .processed: "Processed", .sampled: "Sampled for testing",
        .quarantined: "Quarantined", .transferred: "Transferred", .thawed: "Thawed", .destroyed: "Destroyed",
    ]

    static func fresh(_ subject: CellProductSubject) -> FormState {
        FormState(form: FormData(["at": CalendarDate(subject.now).description, "_version": "\(subject.product.version)"]))
    }

    /// The step to append (with the instant it is stored at) and the version it was entered against.
    static func validate(_ form: FormData, subject: CellProductSubject, actor: Actor) -> Result<(event: CustodyEvent, version: Int), FormRefusal> {
        var reader = FieldReader(form)
        let today = CalendarDate(subject.now)
        let kind = reader.choice("kind", message: "Choose the custody step") { text in
            CustodyEvent.Kind(rawValue: text).flatMap { kinds.contains($0) ? $0 : nil }
        }
        let date = reader.date("at", today: today)
        let last = subject.product.value.custody.last
        if let date, let last, date < CalendarDate(last.at) {
            reader.fail("at", "The date is before the lot's last custody step (\(last.kind.rawValue) on \(CalendarDate(last.at)))")
        }
        let location = reader.text("location", required: false, maxLength: 200)
        let note = reader.text("note", required: false, maxLength: 500)
        let version = reader.choice("_version", message: "Reload the page: the form has no version") { Int($0) }
        var state = FormState(form: form, errors: reader.errors)
        if state.errors["_version"] != nil { state.general.append("Reload the page: the form lost the lot's version.") }
        if subject.product.value.custody.contains(where: { $0.kind == .destroyed }) {
            state.general.append("Lot \(subject.product.value.lot) was destroyed: no further custody step can be recorded.")
        }
        guard state.isValid, let kind, let date, let version else { return .failure(FormRefusal(state: state)) }
        // A date-only step is stored at noon UTC (now, for today), never before the last step's instant.
        var at = date == today ? subject.now : date.startOfDayUTC.addingTimeInterval(12 * 3600)
        if let last, at < last.at { at = last.at }
        return .success((CustodyEvent(kind: kind, at: at, actor: actor, location: location, note: note), version))
    }

    /// The same step entered again (a double submit): same kind, day and place as the lot's last step.
    static func repeats(_ event: CustodyEvent, last: CustodyEvent?) -> Bool {
        guard let last else { return false }
        return last.kind == event.kind && CalendarDate(last.at) == CalendarDate(event.at) && last.location == event.location
    }

    static func view(_ subject: CellProductSubject, state: FormState, context: AppRequestContext) -> Node {
        el("form", ["id": formID, "method": "post", "action": PageRoute.custodyStep.path(subject.product.value.id.rawValue), "class": "entry-form"]) {
            Forms.csrf(context)
            el("input", ["type": "hidden", "name": "_version", "value": state.form.typed("_version")])
            Forms.generalErrors(state)
            Forms.select("kind", label: "Step", options: kinds.map { ($0.rawValue, labels[$0] ?? $0.rawValue) }, state: state,
                         required: true, blank: "Choose the step")
            EntryPage.dateInput("at", label: "On", state: state)
            Forms.input("location", label: "Where", hint: "e.g. GMP cell laboratory, cryostore tank 2", state: state)
            Forms.input("note", label: "Note", state: state)
            el("div", ["class": "form-actions"]) { Forms.submit("Record custody step", id: "record-custody") }
        }
    }
}
