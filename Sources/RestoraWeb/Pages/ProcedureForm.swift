import Foundation
import RestoraDomain

/// A procedure step (`form#procedure-form`): tissue harvest, cell processing, image-guided injection of the
/// participant's own cells, sperm retrieval, biopsy (REFERENCE.md D1). The form checks each field; the
/// chain's rules (only a released lot of this participant is injected, once) are `CellTherapyEntry`'s.
enum ProcedureFormModel {
    static let formID = "procedure-form"
    static let dateFields = ["performed"]

    static func path(_ participant: Identifier<Participant>) -> String { WebPath.recordProcedure(participant) }

    static let kindLabels: [Procedure.Kind: String] = [
        .tissueHarvest: "Tissue harvest (bone-marrow aspirate, lipoaspirate)", .cellProcessing: "Cell processing",
        .injection: "Injection of the participant's own cells", .spermRetrieval: "Sperm retrieval (TESE, micro-TESE)",
        .biopsy: "Biopsy", .other: "Other",
    ]
    static let lateralities = ["left", "right", "bilateral"]
    static let sourceTissueLabels = [("bone-marrow-aspirate", "Bone-marrow aspirate"), ("adipose-lipoaspirate", "Adipose lipoaspirate")]
    static let volumeRange = AllowedRange(lower: 0, lowerInclusive: false, upper: 1_000, unit: "mL")

    static func validate(_ form: FormData, subject: EntrySubject, ids: any IDGenerator) -> Result<Procedure, FormRefusal> {
        var reader = FieldReader(form)
        let kind = reader.choice("kind", message: "Choose the kind of procedure") { Procedure.Kind(rawValue: $0) }
        let performed = reader.date("performed", today: subject.today)
        let site = reader.text("anatomicalSite", required: false, maxLength: 200)
        let laterality = reader.choice("laterality", required: false) { lateralities.contains($0) ? $0 : nil }
        let guidance = reader.choice("imagingGuidance", required: false) { Procedure.ImagingGuidance(rawValue: $0) }
        let anaesthesia = reader.choice("anaesthesia", required: false) { Procedure.Anaesthesia(rawValue: $0) }
        let tissue = reader.choice("sourceTissue", required: false) { text in sourceTissueLabels.contains { $0.0 == text } ? text : nil }
        let volume = reader.number("volumeML", required: false, range: volumeRange)
        let lot = reader.choice("cellProductID", required: false, message: "Choose one of this participant's lots") { text in
            subject.lots.first { $0.id == text }
        }
        let outcome = reader.text("outcome", required: false, maxLength: 500)
        let note = reader.text("note", required: false, maxLength: 1_000)
        let enrolment = EntryPage.enrolment(&reader, subject)
        switch kind {
        case .tissueHarvest?:
            if tissue == nil { reader.fail("sourceTissue", "Choose the tissue harvested") }
            if site == nil { reader.fail("anatomicalSite", "Enter where the tissue was taken, e.g. posterior iliac crest") }
        case .injection?:
            if form["cellProductID"] == nil { reader.fail("cellProductID", "Choose the lot injected") }
            if site == nil { reader.fail("anatomicalSite", "Enter where the cells were injected as the protocol names the site, e.g. right hip, left testis") }
            if volume == nil { reader.fail("volumeML", "Enter the volume injected") }
        default:
            break
        }
        // A lot not yet released (or rejected) is refused here already, next to the field. An administered lot
        // is left to `CellTherapyEntry`, which tells a resubmitted form (answered as saved) from a second injection.
        if kind == .injection, let lot, ![.released, .administered].contains(lot.status) {
            let state = [CellProduct.ReleaseStatus.inProcess: "still in process", .quarantine: "in quarantine", .rejected: "rejected"][lot.status]
            reader.fail("cellProductID", "Lot \(lot.lot) is \(state ?? lot.status.rawValue), not released: it cannot be injected")
        }
        let state = FormState(form: form, errors: reader.errors)
        guard state.isValid, let kind, let performed else { return .failure(FormRefusal(state: state)) }
        return .success(Procedure(
            id: Identifier(ids.next()), participantID: subject.participant.id, enrolmentID: enrolment, kind: kind,
            performed: EntryPage.instant(performed), anatomicalSite: site, laterality: laterality, imagingGuidance: guidance,
            anaesthesia: anaesthesia, sourceTissue: tissue, volumeML: volume, cellProductID: lot.map { Identifier($0.id) },
            outcome: outcome, note: note))
    }

    static func view(context: AppRequestContext, subject: EntrySubject, state: FormState, ids: any IDGenerator) -> Node {
        EntryPage.view(title: "Record a procedure", context: context, subject: subject, state: state, formID: formID,
                       action: path(subject.participant.id), ids: ids,
                       intro: "Recording the injection of a released lot marks the lot administered in its chain of custody. "
                           + "A harvest, processing or injection is judged against the protocol of its enrolment: site, volume, guidance and anaesthesia.") {
            fields(subject: subject, state: state)
            // Issue #14: a procedure outside the protocol is refused next to the field; an investigator may let it
            // through by signing a protocol deviation.
            if context.user?.role == .investigator { DeviationFields.fields(state: state) }
        }
    }

    @NodeBuilder static func fields(subject: EntrySubject, state: FormState) -> [Node] {
        Forms.select("kind", label: "Procedure", options: Procedure.Kind.allCases.map { ($0.rawValue, kindLabels[$0] ?? $0.rawValue) },
                     state: state, required: true, blank: "Choose the procedure")
        EntryPage.dateInput("performed", label: "Performed on", state: state)
        Forms.input("anatomicalSite", label: "Anatomical site", hint: "Required for a harvest or an injection; as the protocol names it (the side may be added), e.g. posterior iliac crest, right hip, left testis",
                    state: state)
        Forms.select("laterality", label: "Side", options: lateralities.map { ($0, $0.capitalized) }, state: state, blank: "Not applicable")
        Forms.select("imagingGuidance", label: "Imaging guidance",
                     options: Procedure.ImagingGuidance.allCases.map { ($0.rawValue, $0 == .ct ? "CT" : $0.rawValue.capitalized) },
                     state: state, blank: "Not recorded")
        Forms.select("anaesthesia", label: "Anaesthesia", options: Procedure.Anaesthesia.allCases.map { ($0.rawValue, $0.rawValue.capitalized) },
                     state: state, blank: "Not recorded")
        Forms.select("sourceTissue", label: "Tissue harvested", options: sourceTissueLabels, state: state,
                     blank: "Only for a tissue harvest")
        EntryPage.numberInput("volumeML", label: "Volume", unit: "mL", state: state)
        Forms.select("cellProductID", label: "Cell product lot", options: subject.lots.map { ($0.id, $0.label) }, state: state,
                     blank: subject.lots.isEmpty ? "No cell products registered" : "None")
        Forms.input("outcome", label: "Outcome", hint: "e.g. completed without complication", state: state)
        Forms.textarea("note", label: "Note", state: state)
        EntryPage.enrolmentSelect(subject, state: state)
    }
}
