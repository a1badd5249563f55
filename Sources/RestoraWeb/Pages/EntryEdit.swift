import Foundation
import RestoraDomain

/// Correcting a recorded observation (`form#edit-form`): its value (and unit) and date, with a required
/// reason for the audit trail and the version it was read at, so a change made meanwhile is never overwritten.
enum EditObservationModel {
    static let formID = "edit-form"
    static let reasonRequired = "A reason is required to change recorded data"
    static let changedMeanwhile =
        "This record was changed by someone else after you opened it. The current values are shown below: check them and apply your change again."

    static func path(_ id: Identifier<Observation>) -> String { WebPath.editObservation(id) }

    /// What the value field holds for an observation, and whether the form can change it.
    static func valueText(_ value: ObservationValue) -> String? {
        switch value {
        case let .quantity(q): return NumberText.plain(q.value)
        case let .integer(i): return String(i)
        case let .text(t): return t
        case .coded, .boolean: return nil
        }
    }

    static func readOnlyText(_ value: ObservationValue) -> String {
        switch value {
        case let .coded(c): return c.display ?? c.code
        case let .boolean(b): return b ? "yes" : "no"
        default: return valueText(value) ?? ""
        }
    }

    /// The form as it opens: the stored values and version.
    static func initialState(_ record: Versioned<Observation>) -> FormState {
        var values = ["effective": record.value.effectiveDate.description, "version": String(record.version)]
        values["value"] = valueText(record.value.value)
        if let quantity = record.value.value.quantity { values["unit"] = quantity.unit }
        if let uln = record.value.upperLimitOfNormal { values["upperLimitOfNormal"] = NumberText.plain(uln) }
        return FormState(form: FormData(values))
    }

    /// A CTCAE-graded laboratory test: its correction may also fix the ULN recorded with it (REFERENCE.md E1).
    static func takesULN(_ observation: Observation) -> Bool {
        guard observation.value.quantity != nil, let term = CTCAELabCodes.term(for: observation.code) else { return false }
        return !term.isClinicianGraded
    }

    struct Change: Sendable {
        var observation: Observation
        var expectedVersion: Int
        var reason: String
    }

    static func validate(_ form: FormData, record: Versioned<Observation>, today: CalendarDate) -> Result<Change, FormRefusal> {
        var reader = FieldReader(form)
        var observation = record.value
        let measure = EntryMeasures.measure(for: observation.code)
        switch observation.value {
        case let .quantity(current):
            let units = measure?.units ?? [MeasureUnit(ucum: current.unit, label: current.unit, range: AllowedRange(lower: -Double.greatestFiniteMagnitude, unit: current.unit))]
            let typedUnit = form["unit"] ?? current.unit
            let unit = units.first { $0.ucum == typedUnit }
            if unit == nil { reader.fail("unit", "\(measure?.label ?? "This value") is entered in \(units.map(\.label).joined(separator: " or "))") }
            if let value = reader.number("value", required: true, range: unit?.range), let unit {
                observation.value = .quantity(Quantity(value, unit.ucum))
            }
            if takesULN(record.value) {
                // Emptied on purpose, the ULN is removed (the audit trail keeps the old one).
                observation.upperLimitOfNormal = reader.number("upperLimitOfNormal", required: false, range: .positive(unit?.label ?? current.unit))
            }
        case .integer:
            if let value = reader.number("value", required: true) {
                if value == value.rounded(), abs(value) < 1e9 { observation.value = .integer(Int(value)) } else { reader.fail("value", "Enter a whole number") }
            }
        case .text:
            if let text = reader.text("value", required: true, maxLength: 500) { observation.value = .text(text) }
        case .coded, .boolean:
            break
        }
        if let date = reader.date("effective", today: today) {
            // Keep the stored time of day when the date is unchanged.
            if date != observation.effectiveDate { observation.effective = EntryPage.instant(date) }
        }
        let reason = reader.text("reason", required: true, maxLength: 500, message: reasonRequired)
        let version = form["version"].flatMap { Int($0) }
        var state = FormState(form: form, errors: reader.errors)
        if version == nil { state.general.append("The form is missing the record's version; open it again from the participant page.") }
        guard state.isValid, let reason, let version else { return .failure(FormRefusal(state: state)) }
        do { _ = try ObservationInterpretation.of(observation) } catch let error as DomainError {
            FieldErrors.apply(error, to: &state, fields: ["value", "unit"], fieldMap: ["value.quantity.unit": "unit", "value.quantity.value": "value"])
            return .failure(FormRefusal(state: state))
        } catch {
            state.general.append("The value could not be checked")
            return .failure(FormRefusal(state: state))
        }
        return .success(Change(observation: observation, expectedVersion: version, reason: reason))
    }

    static func view(
        context: AppRequestContext, subject: EntrySubject, record: Versioned<Observation>, state: FormState, ids: any IDGenerator
    ) -> Node {
        let observation = record.value
        let measure = EntryMeasures.measure(for: observation.code)
        let label = measure?.label ?? observation.code.display ?? observation.code.code
        return EntryPage.view(title: "Correct \(label)", context: context, subject: subject, state: state, formID: formID,
                              action: path(observation.id), ids: ids,
                              intro: "Recorded \(observation.effectiveDate) (version \(record.version)). The change and its reason go to the audit trail.") {
            fields(record: record, state: state)
        }
    }

    @NodeBuilder static func fields(record: Versioned<Observation>, state: FormState) -> [Node] {
        let observation = record.value
        let measure = EntryMeasures.measure(for: observation.code)
        let label = measure?.label ?? observation.code.display ?? observation.code.code
        el("input", ["type": "hidden", "name": "version", "value": state.form.typed("version")])
        switch observation.value {
        case let .quantity(current):
            let units: [(value: String, label: String)] = measure?.units.map { ($0.ucum, $0.label) } ?? [(current.unit, current.unit)]
            EntryPage.numberInput("value", label: label, unit: nil, state: state, required: true)
            Forms.select("unit", label: "Unit", options: units, state: state, required: true)
            if takesULN(observation) {
                EntryPage.numberInput("upperLimitOfNormal", label: "Upper limit of normal (ULN)", unit: "in the unit above", state: state,
                                      hint: "As printed on the laboratory report; empty when the report gives none")
            }
        case .integer:
            EntryPage.numberInput("value", label: label, unit: nil, state: state, required: true)
        case .text:
            Forms.input("value", label: label, state: state, required: true)
        case .coded, .boolean:
            el("p", ["class": "read-only"]) { "\(label): \(readOnlyText(observation.value)) (this value cannot be changed here)" }
        }
        EntryPage.dateInput("effective", label: "Date", state: state)
        Forms.textarea("reason", label: "Reason for the change", state: state, required: true,
                       hint: "e.g. transcription error: the laboratory report says 45 %")
    }
}
