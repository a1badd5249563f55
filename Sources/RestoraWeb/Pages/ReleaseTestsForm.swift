import Foundation
import RestoraDomain

/// The lot a release-testing page is about, with the specification its results are judged by.
struct CellProductSubject: Sendable {
    var product: Versioned<CellProduct>
    var participant: Participant
    var specification: ReleaseSpecification
    var specificationSource: String
    var now: Date


    /// Each marker the specification's identity lines name, once, in their order ("CD14", "CD11b" both
    /// listed), with the line that sets its limit.
    var markerLines: [(marker: String, line: MarkerRequirement)] {
        var result: [(marker: String, line: MarkerRequirement)] = []
        for line in specification.identity {
            for marker in line.markers where !result.contains(where: { $0.marker == marker }) { result.append((marker, line)) }
        }
        return result
    }

    var markers: [String] { markerLines.map(\.marker) }
}

/// Release-test results of a lot (`form#release-tests-form`, REFERENCE.md D2): surface markers, viability,
/// sterility, endotoxin with its unit, mycoplasma, dose. A result not yet available is left empty; the
/// decision then names it as missing. Saved under the lot's version (`_version`); changing results already
/// entered needs a reason.
enum ReleaseTestsFormModel {
    static let formID = "release-tests-form"
    static let weightRange = AllowedRange(lower: 0, lowerInclusive: false, upper: 500, unit: "kg")
    static let pending = ("", "Not read yet")

    static func markerField(_ marker: String) -> String { "marker-" + marker }

    /// The form filled with the lot's stored results.
    static func initialState(_ subject: CellProductSubject) -> FormState {
        let tests = subject.product.value.releaseTests
        var values: [String: String] = ["_version": "\(subject.product.version)"]
        for marker in subject.markers {
            let normalized = MarkerRequirement.normalize(marker)
            if let value = tests.markersPercent.first(where: { MarkerRequirement.normalize($0.key) == normalized })?.value {
                values[markerField(marker)] = NumberText.plain(value)
            }
        }
        func put(_ key: String, _ value: Double?) { if let value { values[key] = NumberText.plain(value) } }
        put("viabilityPercent", tests.viabilityPercent)
        put("endotoxinValue", tests.endotoxin?.value)
        put("doseCells", tests.doseCells)
        put("participantWeightKg", tests.participantWeightKg)
        put("productVolumeML", tests.productVolumeML)
        if let unit = tests.endotoxin.flatMap({ EndotoxinUnit(spelling: $0.unit) }) { values["endotoxinUnit"] = unit.rawValue }
        if let sterile = tests.sterilityNoGrowth { values["sterility"] = sterile ? "no-growth" : "growth" }
        if let negative = tests.mycoplasmaNegative { values["mycoplasma"] = negative ? "negative" : "positive" }
        return FormState(form: FormData(values))
    }

    static func validate(_ form: FormData, subject: CellProductSubject) -> Result<(tests: ReleaseTestResults, version: Int, reason: String?), FormRefusal> {
        var reader = FieldReader(form)
        var markers: [String: Double] = [:]
        for marker in subject.markers {
            markers[marker] = reader.number(markerField(marker), required: false, range: .percent)
        }
        let viability = reader.number("viabilityPercent", required: false, range: .percent)
        let sterility = reader.choice("sterility", required: false) { ["no-growth": true, "growth": false][$0] }
        let mycoplasma = reader.choice("mycoplasma", required: false) { ["negative": true, "positive": false][$0] }
        let endotoxin = reader.number("endotoxinValue", required: false, range: .nonNegative("EU"))
        let unit = reader.choice("endotoxinUnit", required: false, message: "Choose EU/kg, EU/mL or EU per dose") { EndotoxinUnit(rawValue: $0) }
        if form["endotoxinValue"] != nil, form["endotoxinUnit"] == nil { reader.fail("endotoxinUnit", "Choose the unit the laboratory reported") }
        let dose = reader.number("doseCells", required: false, range: CellProductFormModel.cellsRange)
        let weight = reader.number("participantWeightKg", required: false, range: weightRange)
        let volume = reader.number("productVolumeML", required: false, range: ProcedureFormModel.volumeRange)
        let version = reader.choice("_version", message: "Reload the page: the form has no version") { Int($0) }
        let reason = reader.text("reason", required: false, maxLength: 500)
        var state = FormState(form: form, errors: reader.errors)
        if state.errors["_version"] != nil { state.general.append("Reload the page: the form lost the lot's version.") }
        guard state.isValid, let version else { return .failure(FormRefusal(state: state)) }
        let tests = ReleaseTestResults(
            markersPercent: markers, viabilityPercent: viability, sterilityNoGrowth: sterility,
            endotoxin: endotoxin.flatMap { value in unit.map { Quantity(value, $0.rawValue) } }, mycoplasmaNegative: mycoplasma,
            doseCells: dose, participantWeightKg: weight, productVolumeML: volume)
        return .success((tests, version, reason))
    }

    static func view(context: AppRequestContext, subject: CellProductSubject, state: FormState, ids: any IDGenerator) -> Node {
        let product = subject.product.value
        let title = "Release tests of lot \(product.lot)"
        return Layout.page(title: title, context: context) {
            el("p", ["class": "breadcrumb"]) {
                ParticipantText.crumb(subject.participant)
                " › "
                el("a", ["href": WebPath.cellProduct(product.id)]) { "Lot \(product.lot)" }
            }
            el("h1") { title }
            el("p", ["class": "muted"]) {
                "Judged against the \(subject.specificationSource). Leave a result empty until the laboratory has read it."
            }
            Forms.generalErrors(state)
            Node.element("form", ["id": formID, "method": "post", "action": WebPath.releaseTests(product.id), "class": "entry-form"],
                         flags: ["novalidate": true]) {
                Forms.controls(context, state: state, ids: ids)
                el("input", ["type": "hidden", "name": "_version", "value": state.form.typed("_version")])
                fields(subject: subject, state: state)
                el("div", ["class": "form-actions"]) {
                    Forms.submit("Save results")
                    el("a", ["class": "cancel", "href": WebPath.cellProduct(product.id)]) { "Cancel" }
                }
            }
        }
    }

    @NodeBuilder static func fields(subject: CellProductSubject, state: FormState) -> [Node] {
        el("fieldset") {
            el("legend") { "Identity: % of cells positive (flow cytometry)" }
            subject.markerLines.map { marker, line in
                EntryPage.numberInput(markerField(marker), label: marker, unit: "% positive; " + requirement(line), state: state)
            }
        }
        EntryPage.numberInput("viabilityPercent", label: "Viability", unit: "%, at least \(NumberText.plain(subject.specification.minimumViabilityPercent))", state: state)
        Forms.select("sterility", label: "Sterility culture", options: [("no-growth", "No growth"), ("growth", "Growth")], state: state,
                     blank: pending.1)
        EntryPage.numberInput("endotoxinValue", label: "Endotoxin",
                              unit: "limit \(NumberText.plain(subject.specification.endotoxinLimit.value)) \(subject.specification.endotoxinLimit.unit.rawValue)",
                              state: state)
        Forms.select("endotoxinUnit", label: "Endotoxin unit", options: EndotoxinUnit.allCases.map { ($0.rawValue, unitLabel($0)) }, state: state,
                     blank: "Choose the unit reported")
        Forms.select("mycoplasma", label: "Mycoplasma", options: [("negative", "Negative"), ("positive", "Positive")], state: state,
                     blank: pending.1)
        EntryPage.numberInput("doseCells", label: "Cells in the dose", unit: "cells, e.g. 1.2e8", state: state)
        EntryPage.numberInput("participantWeightKg", label: "Participant weight", unit: "kg; for limits per kg", state: state)
        EntryPage.numberInput("productVolumeML", label: "Final product volume", unit: "mL; converts EU/mL", state: state)
        if subject.product.value.releaseTests != ReleaseTestResults() {
            Forms.textarea("reason", label: "Reason for the change", state: state,
                           hint: "Required when results already entered change, e.g. corrected transcription of the CoA")
        }
    }

    static func requirement(_ line: MarkerRequirement) -> String {
        [line.minimumPercent.map { "at least \(NumberText.plain($0))" }, line.maximumPercent.map { "at most \(NumberText.plain($0))" }]
            .compactMap { $0 }.joined(separator: ", ")
    }

    static func unitLabel(_ unit: EndotoxinUnit) -> String {
        switch unit {
        case .euPerKilogram: return "EU/kg (per kg body weight)"
        case .euPerMillilitre: return "EU/mL (of the product)"
        case .euPerDose: return "EU (total in the dose)"
        }
    }
}
