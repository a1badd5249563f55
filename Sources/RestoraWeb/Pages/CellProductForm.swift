import Foundation
import RestoraDomain

/// Registering a cell product (`form#cell-product-form`): the lot printed on the label, the tissue it comes
/// from and its harvest, and the counts of the processing laboratory (REFERENCE.md D1, D2). A new lot is
/// "in process" until its release tests are entered.
enum CellProductFormModel {
    static let formID = "cell-product-form"
    static let dateFields: [String] = []
    static let cellsRange = AllowedRange(lower: 0, upper: 1e13, unit: "cells")

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.registerCellProduct(participant) }

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<CellProduct, FormRefusal> {
        var reader = FieldReader(form)
        let lot = reader.text("lot", required: true, maxLength: 60, message: "Enter the lot number printed on the label")
        if let lot, !lot.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
            reader.fail("lot", "Use letters, digits and - _ . / only, as printed on the label")
        }
        let tissue = reader.choice("sourceTissue", message: "Choose the tissue the cells come from") { text in
            ProcedureFormModel.sourceTissueLabels.contains { $0.0 == text } ? text : nil
        }
        let harvest = reader.choice("harvestProcedureID", required: false, message: "Choose one of this participant's harvests") { text in
            subject.harvests.contains { $0.id == text } ? Identifier<Procedure>(text) : nil
        }
        let total = reader.number("totalCells", required: false, range: cellsRange)
        let viable = reader.number("viableCells", required: false, range: cellsRange)
        let viability = reader.number("viabilityPercent", required: false, range: .percent)
        if let total, let viable, viable > total {
            reader.fail("viableCells", "Viable cells (\(NumberText.scientific(viable))) cannot be more than the total (\(NumberText.scientific(total)))")
        }
        let enrolment = EntryPage.enrolment(&reader, subject)
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let lot, let tissue else { return .failure(FormRefusal(state: state)) }
        return .success(CellProduct(
            id: Identifier(ids.next()), lot: lot, participantID: subject.participant.id, enrolmentID: enrolment,
            sourceTissue: tissue, harvestProcedureID: harvest, totalCells: total, viableCells: viable, viabilityPercent: viability))
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Register a cell product", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "An autologous lot goes back only into this participant. It is released only after its release tests are judged.") {
            fields(subject: subject, state: state)
        }
    }

    @NodeBuilder static func fields(subject: EntrySubject, state: FormState) -> [Node] {
        Forms.input("lot", label: "Lot number", hint: "As printed on the label; unique", state: state, required: true)
        Forms.select("sourceTissue", label: "Source tissue", options: ProcedureFormModel.sourceTissueLabels, state: state,
                     required: true, blank: "Choose the tissue")
        Forms.select("harvestProcedureID", label: "Harvest", options: subject.harvests.map { ($0.id, $0.label) }, state: state,
                     blank: subject.harvests.isEmpty ? "No harvest recorded" : "Not linked")
        EntryPage.numberInput("totalCells", label: "Total cells", unit: "cells, e.g. 1.2e8", state: state)
        EntryPage.numberInput("viableCells", label: "Viable cells", unit: "cells", state: state)
        EntryPage.numberInput("viabilityPercent", label: "Viability", unit: "%", state: state)
        EntryPage.enrolmentSelect(subject, state: state)
    }
}
