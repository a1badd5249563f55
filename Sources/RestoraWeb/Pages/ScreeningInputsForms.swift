import Foundation
import RestoraDomain

/// Screening assessments (`form#screening-assessment-form`): PHQ-9 total, alcoholic drinks per day,
/// testicular volumes, karyotype and Y-chromosome microdeletion — each an observation the criteria read
/// (REFERENCE.md A2 RA-4, D1), stored as one panel through `ClinicalEntry` (which checks their ranges:
/// `ScreeningAssessments`).
enum AssessmentFormModel {
    static let formID = "screening-assessment-form"
    static let dateFields = ["effective"]
    static let valueFields = ["phq9", "alcoholDrinksPerDay", "testicularVolumeLeft", "testicularVolumeRight", "karyotype", "yMicrodeletion"]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordAssessments(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<[Observation], FormRefusal> {
        var reader = FieldReader(form)
        let date = reader.date("effective", today: subject.today)
        let phq9 = reader.number("phq9", required: false, range: AllowedRange(lower: 0, upper: 27, unit: "points"))
        if let phq9, phq9 != phq9.rounded() { reader.fail("phq9", "A PHQ-9 total is a whole number from 0 to 27; got \(NumberText.plain(phq9))") }
        let alcohol = reader.number("alcoholDrinksPerDay", required: false, range: AllowedRange(lower: 0, upper: 100, unit: "drinks per day"))
        let volumeRange = AllowedRange(lower: 0, upper: 100, unit: "mL")
        let left = reader.number("testicularVolumeLeft", required: false, range: volumeRange)
        let right = reader.number("testicularVolumeRight", required: false, range: volumeRange)
        let karyotype = reader.choice("karyotype", required: false) { code in ScreeningAssessments.karyotypeValues.first { $0.code == code } }
        let yDeletion = reader.choice("yMicrodeletion", required: false) { code in ScreeningAssessments.yMicrodeletionValues.first { $0.code == code } }
        let enrolment = EntryPage.enrolment(&reader, subject)
        if reader.isValid, !valueFields.contains(where: { form[$0] != nil }) {
            reader.fail("phq9", "Enter at least one assessment")
        }
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let date else { return .failure(FormRefusal(state: state)) }
        let panel = "screening-" + (FormNonce.of(form) ?? ids.next())
        func observation(_ code: Coding, _ value: ObservationValue, bodySite: String? = nil) -> Observation {
            Observation(id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment, panelID: panel,
                        code: code, value: value, effective: EntryPage.instant(date), bodySite: bodySite)
        }
        var observations: [Observation] = []
        if let phq9 { observations.append(observation(ClinicalCodes.phq9, .integer(Int(phq9)))) }
        if let alcohol { observations.append(observation(ClinicalCodes.alcohol, .quantity(Quantity(alcohol, ScreeningAssessments.alcoholUnit)))) }
        if let left { observations.append(observation(ClinicalCodes.testicularVolume, .quantity(Quantity(left, "mL")), bodySite: "left")) }
        if let right { observations.append(observation(ClinicalCodes.testicularVolume, .quantity(Quantity(right, "mL")), bodySite: "right")) }
        if let karyotype { observations.append(observation(ClinicalCodes.karyotype, .coded(karyotype))) }
        if let yDeletion { observations.append(observation(ClinicalCodes.yMicrodeletion, .coded(yDeletion))) }
        return .success(observations)
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Record screening assessments", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "What the programs' eligibility criteria read; leave empty what was not assessed.") {
            EntryPage.dateInput("effective", label: "Assessed on", state: state)
            Forms.decimalInput("phq9", label: "PHQ-9 total score", unit: "0–27", hint: "The isotretinoin program excludes a score above 15 within 30 days (REFERENCE.md A2)",
                               state: state, inputMode: "numeric")
            EntryPage.numberInput("alcoholDrinksPerDay", label: "Alcoholic drinks per day", unit: "drinks/day", state: state,
                                  hint: "More than 4 per day excludes from the isotretinoin program (REFERENCE.md A2)")
            EntryPage.numberInput("testicularVolumeLeft", label: "Testicular volume, left", unit: "mL", state: state)
            EntryPage.numberInput("testicularVolumeRight", label: "Testicular volume, right", unit: "mL", state: state)
            Forms.select("karyotype", label: "Karyotype", options: ScreeningAssessments.karyotypeValues.map { ($0.code, $0.display ?? $0.code) },
                         state: state, blank: "Not done")
            Forms.select("yMicrodeletion", label: "Y-chromosome microdeletion", options: ScreeningAssessments.yMicrodeletionValues.map { ($0.code, $0.display ?? $0.code) },
                         state: state, blank: "Not done")
            EntryPage.enrolmentSelect(subject, state: state)
        }
    }
}

/// A concomitant medication (`form#concomitant-medication-form`): a drug from the short list of those the
/// programs' criteria name (with its class), or any RxNorm code with a class; stored through
/// `ScreeningInputsEntry`, which checks the code and the dates.
enum ConcomitantMedicationFormModel {
    static let formID = "concomitant-medication-form"
    static let dateFields: [String] = []

    struct Drug: Sendable {
        var code: String
        var name: String
        var drugClass: String
    }

    /// RxNorm ingredient codes (RXCUI) of the drugs the criteria name. Only isotretinoin 6064 is confirmed in
    /// REFERENCE.md F3; the others are the published ingredient codes, and any code can be typed instead.
    static let drugs: [Drug] = [
        Drug(code: "6064", name: "isotretinoin", drugClass: "retinoid"),
        Drug(code: "10753", name: "tretinoin", drugClass: "retinoid"),
        Drug(code: "16818", name: "acitretin", drugClass: "retinoid"),
        Drug(code: "11246", name: "vitamin A", drugClass: "vitamin-a"),
        Drug(code: "10395", name: "tetracycline", drugClass: "tetracycline"),
        Drug(code: "3640", name: "doxycycline", drugClass: "tetracycline"),
        Drug(code: "6980", name: "minocycline", drugClass: "tetracycline"),
        Drug(code: "8183", name: "phenytoin", drugClass: "phenytoin"),
        Drug(code: "10379", name: "testosterone", drugClass: "anabolic-steroid"),
        Drug(code: "11289", name: "warfarin", drugClass: "anticoagulant"),
        Drug(code: "1364430", name: "apixaban", drugClass: "anticoagulant"),
        Drug(code: "1114195", name: "rivaroxaban", drugClass: "anticoagulant"),
        Drug(code: "993449", name: "denosumab", drugClass: "denosumab"),
        Drug(code: "46041", name: "alendronate", drugClass: "bisphosphonate"),
        Drug(code: "77655", name: "zoledronic acid", drugClass: "bisphosphonate"),
        Drug(code: "73056", name: "risedronate", drugClass: "bisphosphonate"),
        Drug(code: "4083", name: "estradiol", drugClass: "hrt"),
    ]

    /// The classes the protocol criteria speak of (protocols/*.yaml `medication.classes`) and the adjuncts.
    static let classes = ["retinoid", "vitamin-a", "tetracycline", "phenytoin", "anabolic-steroid", "anticoagulant",
                          "teriparatide", "abaloparatide", "romosozumab", "denosumab", "bisphosphonate", "hrt", "other"]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordConcomitantMedication(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<ConcomitantMedication, FormRefusal> {
        var reader = FieldReader(form)
        let listed = reader.choice("drug", message: "Choose the drug, or \u{201C}Another RxNorm code\u{201D}") { code -> Drug?? in
            code == "other" ? .some(nil) : drugs.first { $0.code == code }.map { .some($0) }
        }
        var drug: Coding?
        if let listed {
            if let known = listed {
                drug = Coding(.rxnorm, known.code, display: known.name)
            } else {
                let code = reader.text("rxnormCode", required: true, maxLength: 10, message: "Enter the RxNorm code (digits)")
                let name = reader.text("drugName", required: true, maxLength: 200, message: "Enter the drug's name")
                if let code, let name { drug = Coding(.rxnorm, code, display: name) }
            }
        }
        let chosenClass = reader.choice("drugClass", required: listed.map { $0 == nil } ?? false,
                                        message: "Choose the class the protocol criteria use") { classes.contains($0) ? $0 : nil }
        let drugClass = chosenClass.map { $0 == "other" ? nil : $0 } ?? listed.flatMap { $0?.drugClass }
        let dose = reader.text("dose", required: false, maxLength: 200)
        let start = reader.date("start", today: subject.today, required: false)
        var stop: CalendarDate?
        if let text = form["stop"] {
            stop = CalendarDate(text)
            if stop == nil { reader.fail("stop", "Enter a date as YYYY-MM-DD, e.g. \(subject.today)") }
        }
        var state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let drug else { return .failure(FormRefusal(state: state)) }
        let medication = ConcomitantMedication(drug: drug, drugClass: drugClass, dose: dose, start: start, stop: stop,
                                               adjunct: reader.checkbox("adjunct"))
        // The service's own checks (RxNorm code, dates) as the last word, next to the form's fields.
        do {
            return .success(try ScreeningInputsEntry.check(medication, today: subject.today))
        } catch let error as DomainError {
            FieldErrors.apply(error, to: &state, fields: ["start", "stop", "dose", "drugClass"],
                              fieldMap: ["drug.code": "rxnormCode", "drug.system": "drug", "drug.display": "drugName"])
        } catch {
            state.general.append("The medication could not be checked")
        }
        return .failure(FormRefusal(state: state))
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Record a concomitant medication", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "A medicine taken besides the protocol treatment. Screening reads it by class; the osteoporosis report counts adjunct therapies.") {
            Forms.select("drug", label: "Drug", options: drugs.map { ($0.code, "\($0.name) (RxNorm \($0.code), \($0.drugClass))") } + [("other", "Another RxNorm code")],
                         state: state, required: true, blank: "Choose the drug")
            Forms.input("rxnormCode", label: "RxNorm code", hint: "Only for \u{201C}Another RxNorm code\u{201D}: the ingredient's RXCUI, digits", state: state, inputMode: "numeric")
            Forms.input("drugName", label: "Drug name", hint: "Only for \u{201C}Another RxNorm code\u{201D}", state: state)
            Forms.select("drugClass", label: "Class", options: classes.map { ($0, $0) }, state: state,
                         blank: "The listed drug's class")
            Forms.input("dose", label: "Dose", hint: "As prescribed, e.g. 70 mg once weekly", state: state)
            Forms.input("start", label: "Started on", hint: "YYYY-MM-DD; empty when not known", state: state)
            Forms.input("stop", label: "Stopped on", hint: "YYYY-MM-DD; empty while still taken", state: state)
            EntryPage.checkbox("adjunct", label: "Adjunct therapy of the program (osteoporosis: HRT, bisphosphonate)", state: state)
        }
    }
}

/// Menopausal status, a diagnosis or a history item added after registration (`form#participant-facts-form`):
/// one participant change, all parts in one transaction through `ScreeningInputsEntry.amend`.
enum ParticipantFactsFormModel {
    static let formID = "participant-facts-form"
    static let dateFields: [String] = []

    /// The history codes the protocol criteria read (protocols/*.yaml `history.codes`), with their kind.
    static let historyCodes: [(code: String, label: String, kind: HistoryItem.Kind)] = [
        ("illicit-drug-use", "Illicit drug use", .exposure),
        ("serious-psychiatric-illness", "Serious psychiatric illness", .condition),
        ("other-trial-participation", "Taking part in another interventional trial", .other),
        ("testicular-surgery", "Prior testicular surgery", .procedure),
        ("fragility-fracture", "Fragility fracture", .fracture),
    ]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.participantFacts(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<[ScreeningInputsEntry.ParticipantChange], FormRefusal> {
        var reader = FieldReader(form)
        var changes: [ScreeningInputsEntry.ParticipantChange] = []
        if let status = reader.choice("postmenopausal", required: false, message: "Choose the menopausal status", { text -> Bool?? in
            switch text { case "yes": .some(true); case "no": .some(false); case "unknown": .some(nil); default: nil }
        }) {
            changes.append(.postmenopausal(status))
        }
        if form["diagnosisCode"] != nil || form["diagnosisName"] != nil || form["diagnosisOnset"] != nil {
            let code = reader.text("diagnosisCode", required: true, maxLength: 10, message: "Enter the ICD-10-CM code, e.g. N46.01")
            let name = reader.text("diagnosisName", required: false, maxLength: 200)
            let onset = reader.date("diagnosisOnset", today: subject.today, required: false)
            if let code { changes.append(.diagnosis(Diagnosis(code: Coding(.icd10cm, code, display: name), onset: onset))) }
        }
        if form["historyCode"] != nil || form["historyDescription"] != nil || form["historyDate"] != nil {
            let item = reader.choice("historyCode", message: "Choose what the history item is") { code in historyCodes.first { $0.code == code } }
            let description = reader.text("historyDescription", required: false, maxLength: 200)
            let date = reader.date("historyDate", today: subject.today, required: false)
            if let item {
                changes.append(.history(HistoryItem(kind: item.kind, code: Coding(.restora, item.code, display: item.label),
                                                    description: description ?? item.label, date: date)))
            }
        }
        if reader.isValid, changes.isEmpty { reader.fail("postmenopausal", "Enter a menopausal status, a diagnosis or a history item") }
        var state = FormState(form: form, errors: reader.errors)
        if state.isValid {
            // The service's own checks (ICD-10-CM shape, dates) as the last word, next to the form's fields.
            for change in changes {
                do { _ = try ScreeningInputsEntry.check(change, today: subject.today) } catch let error as DomainError {
                    let prefix: String
                    switch change { case .diagnosis: prefix = "diagnosis"; case .history: prefix = "history"; case .postmenopausal: prefix = "" }
                    let map = ["code": prefix + "Code", "code.system": prefix + "Code", "onset": "diagnosisOnset", "date": "historyDate",
                               "description": "historyDescription"]
                    FieldErrors.apply(error, to: &state, fields: [], fieldMap: map)
                } catch {
                    state.general.append("The entry could not be checked")
                }
            }
        }
        guard state.isValid else { return .failure(FormRefusal(state: state)) }
        return .success(changes)
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        let current = subject.participant.postmenopausal.map { $0 ? "postmenopausal" : "not postmenopausal" } ?? "not recorded"
        return EntryPage.view(title: "Menopausal status, diagnosis or history", context: context, subject: subject, state: state, formID: formID,
                              action: path(subject.participant.id), ids: ids,
                              intro: "Facts the eligibility criteria read that were not known at registration. Menopausal status now: \(current).") {
            Forms.select("postmenopausal", label: "Menopausal status", options: [("yes", "Postmenopausal"), ("no", "Not postmenopausal"), ("unknown", "Not recorded")],
                         state: state, blank: "Leave as it is")
            Forms.input("diagnosisCode", label: "Add a diagnosis: ICD-10-CM code", hint: "e.g. N46.01 organic azoospermia, M81.0 osteoporosis (REFERENCE.md F2)", state: state)
            Forms.input("diagnosisName", label: "Diagnosis name", state: state)
            Forms.input("diagnosisOnset", label: "Diagnosed on", hint: "YYYY-MM-DD; optional", state: state)
            Forms.select("historyCode", label: "Add a history item", options: historyCodes.map { ($0.code, $0.label) }, state: state, blank: "None")
            Forms.input("historyDescription", label: "History details", hint: "e.g. cannabis weekly until 2024", state: state)
            Forms.input("historyDate", label: "History date", hint: "YYYY-MM-DD; optional", state: state)
        }
    }
}
