import Foundation
import RestoraDomain

/// What the prescribing form knows: the participant, their enrolments, and per enrolment the drug regimen
/// of its program's protocol (the form's defaults).
struct PrescribeSubject: Sendable {
    var entry: EntrySubject
    /// Enrolment id → the protocol's drug intervention and regimen.
    var regimens: [String: (intervention: Intervention, regimen: DrugRegimen)]
}

/// Prescribing a course (`form#prescribe-form`, issue #14 item 5): drug, dose, route, frequency (times a day
/// or a week), start and planned stop, defaulted from the protocol's regimen of the chosen enrolment. The
/// protocol's limits are `MedicationEntry`'s: a refusal comes back next to the field it names.
enum PrescribeFormModel {
    static let formID = "prescribe-form"
    static let periods: [(String, String)] = [("day", "a day"), ("week", "a week")]
    static let doseRange = AllowedRange(lower: 0, lowerInclusive: false, upper: 100_000, unit: "")
    static let timesRange = AllowedRange(lower: 1, upper: 7, unit: "")

    /// A fresh form: the first enrolment with a drug regimen, and that regimen's values.
    static func initialState(_ subject: PrescribeSubject, enrolment preset: String?) -> FormState {
        let chosen = preset.flatMap { subject.regimens[$0] == nil ? nil : $0 }
            ?? subject.entry.enrolments.first { subject.regimens[$0.id] != nil }?.id
        var values = ["start": subject.entry.today.description]
        if let chosen, let (_, regimen) = subject.regimens[chosen] {
            values["enrolmentID"] = chosen
            values["drugCode"] = regimen.drug.code
            values["drugName"] = regimen.drug.display ?? ""
            values["dose"] = NumberText.plain(regimen.dose.value)
            values["doseUnit"] = regimen.dose.unit
            values["route"] = regimen.route
            values["dosesPerPeriod"] = String(regimen.frequency.dosesPerPeriod)
            values["period"] = regimen.frequency.period.rawValue
            values["plannedStop"] = RegimenLimits.lastDay(of: regimen, from: subject.entry.today).description
        }
        return FormState(form: FormData(values))
    }

    static func validate(_ form: FormData, subject: PrescribeSubject, ids: any IDGenerator) -> Result<MedicationCourse, FormRefusal> {
        var reader = FieldReader(form)
        let enrolment = reader.choice("enrolmentID", message: "Choose the enrolment the course is prescribed under") { text in
            subject.entry.enrolments.contains { $0.id == text } ? Identifier<Enrolment>(text) : nil
        }
        let code = reader.text("drugCode", required: true, maxLength: 20, message: "Enter the drug's RxNorm code, e.g. 6064")
        if let code, !code.allSatisfy(\.isNumber) { reader.fail("drugCode", "An RxNorm code is digits only, e.g. 6064") }
        let name = reader.text("drugName", required: false, maxLength: 100)
        let dose = reader.number("dose", required: true, range: doseRange)
        let unit = reader.text("doseUnit", required: true, maxLength: 20, message: "Enter the dose unit, e.g. mg")
        let route = reader.text("route", required: true, maxLength: 50, message: "Enter the route, e.g. oral")
        let times = reader.number("dosesPerPeriod", required: true, range: timesRange)
        if let times, times != times.rounded() { reader.fail("dosesPerPeriod", "Enter a whole number of doses") }
        let period = reader.choice("period", message: "Choose a day or a week") { DoseFrequency.Period(rawValue: $0) }
        let start = calendarDate(&reader, "start", required: true)
        let stop = calendarDate(&reader, "plannedStop", required: false)
        if let start, let stop, stop < start { reader.fail("plannedStop", "The planned stop is before the start") }
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let enrolment, let code, let dose, let unit, let route, let times, let period, let start else {
            return .failure(FormRefusal(state: state))
        }
        return .success(MedicationCourse(
            id: Identifier(ids.next()), participantID: subject.entry.participant.id, enrolmentID: enrolment,
            drug: Coding(.rxnorm, code, display: name), dose: Quantity(dose, unit), route: route,
            frequency: DoseFrequency(Int(times), per: period), start: start, plannedStop: stop))
    }

    /// A date that may lie ahead (a start or planned stop), as YYYY-MM-DD.
    static func calendarDate(_ reader: inout FieldReader, _ field: String, required: Bool) -> CalendarDate? {
        guard let text = reader.form[field] else {
            if required { reader.fail(field, "Enter a date (YYYY-MM-DD)") }
            return nil
        }
        guard let date = CalendarDate(text), date.year >= 1900, date.year < 2200 else {
            reader.fail(field, "Enter a date as YYYY-MM-DD")
            return nil
        }
        return date
    }

    static func view(context: AppRequestContext, subject: PrescribeSubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Prescribe a medication course", context: context, subject: subject.entry, state: state, formID: formID,
                       action: WebPath.prescribe(subject.entry.participant.id), ids: ids,
                       intro: "Only an investigator prescribes. The form starts from the protocol's regimen; anything outside it is refused "
                           + "with the protocol's rule, unless you sign a protocol deviation below.") {
            regimenNote(subject)
            Forms.select("enrolmentID", label: "Enrolment", options: subject.entry.enrolments.map { ($0.id, $0.label) }, state: state,
                         required: true, blank: "Choose the enrolment")
            Forms.input("drugCode", label: "Drug (RxNorm code)", hint: "e.g. 6064 for isotretinoin (REFERENCE.md F3)", state: state, required: true)
            Forms.input("drugName", label: "Drug name", state: state)
            Forms.decimalInput("dose", label: "Dose", hint: "A decimal comma is accepted", state: state, required: true)
            Forms.input("doseUnit", label: "Dose unit", hint: "e.g. mg", state: state, required: true)
            Forms.input("route", label: "Route", hint: "e.g. oral", state: state, required: true)
            Forms.decimalInput("dosesPerPeriod", label: "Doses", hint: "How many times a day or a week", state: state, required: true, inputMode: "numeric")
            Forms.select("period", label: "Per", options: periods, state: state, required: true)
            EntryPage.dateInput("start", label: "Start", state: state)
            Forms.input("plannedStop", label: "Planned stop (last day)", hint: "YYYY-MM-DD; left empty, the protocol's duration", state: state)
            if context.user?.role == .investigator { DeviationFields.fields(state: state) }
        }
    }

    /// The protocol regimen of each enrolment that has one, as a reminder beside the form.
    static func regimenNote(_ subject: PrescribeSubject) -> Node {
        let lines = subject.entry.enrolments.compactMap { option -> String? in
            guard let (intervention, regimen) = subject.regimens[option.id] else { return nil }
            return "\(option.label): \(intervention.title) — \(regimen.dose) \(regimen.route) \(regimen.frequency) for \(regimen.durationWeeks) weeks"
        }
        guard !lines.isEmpty else { return Layout.empty("None of this participant's programs prescribes a drug course.") }
        return el("ul", ["class": "regimens"]) { lines.map { line in el("li") { line } } }
    }
}

/// The small forms of a course's page: dispense a supply, count the units returned, change the status.
enum CourseForms {
    static let unitsRange = AllowedRange(lower: 1, upper: Double(MedicationEntry.maxUnitsPerDispensing), unit: "units")
    static let daysRange = AllowedRange(lower: 1, upper: 30, unit: "days")
    static let returnedRange = AllowedRange(lower: 0, upper: Double(MedicationEntry.maxUnitsPerDispensing), unit: "units")

    static func whole(_ reader: inout FieldReader, _ field: String, range: AllowedRange, required: Bool = true) -> Int? {
        guard let value = reader.number(field, required: required, range: range) else { return nil }
        guard value == value.rounded() else {
            reader.fail(field, "Enter a whole number")
            return nil
        }
        return Int(value)
    }

    static func version(_ reader: inout FieldReader) -> Int? {
        guard let version = reader.form["_version"].flatMap(Int.init) else {
            reader.fail("_version", "Reload the page: the form lost the course's version.")
            return nil
        }
        return version
    }

    static func dispensing(_ form: FormData, today: CalendarDate) -> Result<(Dispensing, Int), FormRefusal> {
        var reader = FieldReader(form)
        let date = reader.date("date", today: today)
        let units = whole(&reader, "unitsDispensed", range: unitsRange)
        let days = whole(&reader, "daysCovered", range: daysRange)
        let lot = reader.text("lot", required: false, maxLength: 50)
        let version = version(&reader)
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let date, let units, let days, let version else { return .failure(FormRefusal(state: state)) }
        return .success((Dispensing(date: date, unitsDispensed: units, daysCovered: days, lot: lot), version))
    }

    static func returned(_ form: FormData) -> Result<(index: Int, units: Int, version: Int), FormRefusal> {
        var reader = FieldReader(form)
        let index = reader.form["dispensing"].flatMap(Int.init)
        if index == nil { reader.fail("unitsReturned", "Reload the page: the form lost which supply it counts.") }
        let units = whole(&reader, "unitsReturned", range: returnedRange)
        let version = version(&reader)
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let index, let units, let version else { return .failure(FormRefusal(state: state)) }
        return .success((index, units, version))
    }

    static func status(_ form: FormData, course: MedicationCourse, today: CalendarDate)
        -> Result<(status: MedicationCourse.Status, date: CalendarDate, reason: String, version: Int), FormRefusal> {
        var reader = FieldReader(form)
        let status = reader.choice("status", message: "Choose what happens to the course") { text in
            MedicationCourse.Status(rawValue: text).flatMap { MedicationEntry.allowedChanges[course.status]?.contains($0) == true ? $0 : nil }
        }
        let date = reader.date("statusDate", today: today)
        let reason = reader.text("reason", required: true, maxLength: 500, message: "Say why")
        let version = version(&reader)
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let status, let date, let reason, let version else { return .failure(FormRefusal(state: state)) }
        return .success((status, date, reason, version))
    }
}
