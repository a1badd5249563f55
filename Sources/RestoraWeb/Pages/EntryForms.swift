import Foundation
import RestoraDomain

/// Semen analysis (`form#semen-form`): one observation per measured value, sharing a panel and the specimen.
/// Every value of the panel is judged before any is written.
enum SemenFormModel {
    static let formID = "semen-form"
    static let dateFields = ["effective"]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordSemen(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<[Observation], FormRefusal> {
        var reader = FieldReader(form)
        let date = reader.date("effective", today: subject.today)
        var values: [String: Double] = [:]
        for measure in EntryMeasures.semen {
            values[measure.key] = reader.number(measure.key, required: false, range: measure.units[0].range)
        }
        let enrolment = EntryPage.enrolment(&reader, subject)
        let pellet = SemenPellet.read(&reader)
        if let progressive = values["progressiveMotility"], let total = values["totalMotility"], progressive > total {
            reader.fail("progressiveMotility",
                        "Progressive motility (\(NumberText.plain(progressive)) %) cannot be above total motility (\(NumberText.plain(total)) %)")
        }
        if reader.isValid, values.isEmpty {
            reader.fail("volume", "Enter at least one measured value")
        }
        // The domain's own check of the analysis (ranges, PR ≤ PR+NP) as the last word.
        let analysis = SemenAnalysis(
            collected: date, volumeML: values["volume"], concentrationMillionPerML: values["concentration"],
            totalMotilityPercent: values["totalMotility"], progressiveMotilityPercent: values["progressiveMotility"],
            normalFormsPercent: values["normalForms"], pellet: pellet)
        var state = FormState(form: form, errors: reader.errors)
        if state.isValid {
            do { try analysis.validate() } catch let error as DomainError {
                FieldErrors.apply(error, to: &state, fields: Set(EntryMeasures.semen.map(\.key)))
            } catch {
                state.general.append("The analysis could not be checked")
            }
        }
        guard state.isValid, let date else { return .failure(FormRefusal(state: state)) }
        let panel = "semen-" + (FormNonce.of(form) ?? ids.next())
        let effective = EntryPage.instant(date)
        let specimen = SemenPellet.specimen(collected: effective, pellet: pellet)
        var observations = EntryMeasures.semen.compactMap { measure -> Observation? in
            guard let value = values[measure.key] else { return nil }
            return Observation(
                id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment, panelID: panel,
                code: measure.code, value: .quantity(Quantity(value, measure.units[0].ucum)), effective: effective, specimen: specimen)
        }
        if let classification = SemenPellet.classification(analysis) {
            observations.append(Observation(id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment,
                                            panelID: panel, code: ClinicalCodes.semenClassification, value: .coded(classification),
                                            effective: effective, specimen: specimen))
        }
        return .success(observations)
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Record a semen analysis", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "Enter the values the laboratory measured; leave a value empty when it was not measured.") {
            fields(subject: subject, state: state)
        }
    }

    @NodeBuilder static func fields(subject: EntrySubject, state: FormState) -> [Node] {
        EntryPage.dateInput("effective", label: "Collected on", state: state)
        EntryMeasures.semen.map { measure in
            EntryPage.numberInput(measure.key, label: measure.label, unit: measure.units[0].label, state: state)
        }
        SemenPellet.fields(state: state)
        EntryPage.enrolmentSelect(subject, state: state)
    }
}

/// One laboratory value (`form#lab-form`): a test of the catalogue, its value in a unit that test accepts.
enum LabFormModel {
    static let formID = "lab-form"
    static let dateFields = ["effective"]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordLab(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<Observation, FormRefusal> {
        var reader = FieldReader(form)
        let test = reader.choice("test", message: "Choose the test") { EntryMeasures.lab(key: $0) }
        var unit: MeasureUnit?
        if let typed = form["unit"] {
            if let test {
                unit = test.unit(typed)
                if unit == nil { reader.fail("unit", "\(test.label) is entered in \(test.unitsText), not \(unitLabel(typed))") }
            } else {
                unit = EntryMeasures.allLabUnits.first { $0.ucum == typed }
                if unit == nil { reader.fail("unit", "Choose one of the listed units") }
            }
        } else {
            reader.fail("unit", "Choose the unit")
        }
        let value = reader.number("value", required: true, range: unit?.range ?? .nonNegative(""))
        let uln = reader.number("upperLimitOfNormal", required: false, range: .positive(unit?.label ?? "the value's unit"))
        let date = reader.date("effective", today: subject.today)
        let enrolment = EntryPage.enrolment(&reader, subject)
        var state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let test, let unit, let value, let date else { return .failure(FormRefusal(state: state)) }
        let observation = Observation(
            id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment,
            code: test.code, value: .quantity(Quantity(value, unit.ucum)), effective: EntryPage.instant(date),
            specimen: SpecimenDetails(type: "serum"), upperLimitOfNormal: uln)
        // The CTCAE grading's own unit and value checks (the API's rule), as the last word.
        do { _ = try ObservationInterpretation.of(observation) } catch let error as DomainError {
            FieldErrors.apply(error, to: &state, fields: ["value", "unit", "upperLimitOfNormal"],
                              fieldMap: ["value.quantity.unit": "unit", "value.quantity.value": "value"])
            return .failure(FormRefusal(state: state))
        } catch {
            state.general.append("The value could not be checked")
            return .failure(FormRefusal(state: state))
        }
        return .success(observation)
    }

    static func unitLabel(_ ucum: String) -> String {
        EntryMeasures.allLabUnits.first { $0.ucum == ucum }?.label ?? ucum
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Record a laboratory value", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "Graded laboratory values raise the protocol's safety alerts when they reach the grade its rules name.") {
            fields(subject: subject, state: state)
        }
    }

    /// The units offered: the chosen test's (all units before a test is chosen). A unit the server refused
    /// stays selected, with its message, so what was chosen is not lost.
    static func units(_ state: FormState) -> [MeasureUnit] {
        let test = state.form["test"].flatMap { EntryMeasures.lab(key: $0) }
        var units = test?.units ?? EntryMeasures.allLabUnits
        if let typed = state.form["unit"], !units.contains(where: { $0.ucum == typed }),
           let known = EntryMeasures.allLabUnits.first(where: { $0.ucum == typed }) {
            units.append(known)
        }
        return units
    }

    @NodeBuilder static func fields(subject: EntrySubject, state: FormState) -> [Node] {
        Forms.select("test", label: "Test", options: EntryMeasures.labs.map { ($0.key, $0.label) }, state: state,
                     required: true, blank: "Choose the test")
        el("p", ["class": "hint lab-tests"]) {
            "Units per test: "
            EntryMeasures.labs.map { measure in
                el("a", ["class": "lab-test-link", "href": path(subject.participant.id) + "?test=" + measure.key]) {
                    "\(measure.label): \(measure.unitsText)"
                }
            }
        }
        EntryPage.numberInput("value", label: "Value", unit: nil, state: state, required: true)
        Forms.select("unit", label: "Unit", options: units(state).map { ($0.ucum, $0.label) }, state: state, required: true,
                     blank: "Choose the unit")
        EntryPage.numberInput("upperLimitOfNormal", label: "Upper limit of normal (ULN)", unit: "in the unit above", state: state,
                              hint: "As printed on the laboratory report. CTCAE grades ALT, AST, bilirubin, GGT, ALP and cholesterol relative to it; against the participant's first value of the test as baseline.")
        EntryPage.dateInput("effective", label: "Sampled on", state: state)
        EntryPage.enrolmentSelect(subject, state: state)
    }
}

/// A DXA scan at one site (`form#dxa-form`): BMD and T-score as the scanner reports them.
enum DXAFormModel {
    static let formID = "dxa-form"
    static let dateFields = ["effective"]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordDXA(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<[Observation], FormRefusal> {
        var reader = FieldReader(form)
        let site = reader.choice("site", message: "Choose the skeletal site") { text in
            SkeletalSite(rawValue: text).flatMap { EntryMeasures.dxaSites.contains($0) ? $0 : nil }
        }
        let bmd = reader.number("bmd", required: false, range: EntryMeasures.bmdUnit.range)
        let tScore = reader.number("tScore", required: false, range: EntryMeasures.tScoreUnit.range)
        if form["bmd"] == nil, form["tScore"] == nil {
            reader.fail("bmd", "Enter the BMD, the T-score or both")
        }
        let date = reader.date("effective", today: subject.today)
        let enrolment = EntryPage.enrolment(&reader, subject)
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let site, let date else { return .failure(FormRefusal(state: state)) }
        let panel = "dxa-" + (FormNonce.of(form) ?? ids.next())
        let measures = EntryMeasures.dxa(site)
        return .success(zip(measures, [bmd, tScore]).compactMap { measure, value in
            guard let value else { return nil }
            return Observation(
                id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment, panelID: panel,
                code: measure.code, value: .quantity(Quantity(value, measure.units[0].ucum)), effective: EntryPage.instant(date),
                bodySite: site.displayName)
        })
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Record a DXA scan", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "One site per entry, as printed on the scanner report.") {
            fields(subject: subject, state: state)
        }
    }

    @NodeBuilder static func fields(subject: EntrySubject, state: FormState) -> [Node] {
        Forms.select("site", label: "Site", options: EntryMeasures.dxaSites.map { ($0.rawValue, $0.displayName) }, state: state,
                     required: true, blank: "Choose the site")
        EntryPage.numberInput("bmd", label: "BMD", unit: EntryMeasures.bmdUnit.label, state: state)
        EntryPage.numberInput("tScore", label: "T-score", unit: EntryMeasures.tScoreUnit.label, state: state)
        EntryPage.dateInput("effective", label: "Scanned on", state: state)
        EntryPage.enrolmentSelect(subject, state: state)
    }
}

