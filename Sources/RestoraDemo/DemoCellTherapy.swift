import Foundation
import RestoraDomain

/// One autologous chain: harvest → GMP processing → release testing → injection (REFERENCE.md D1, D2).
/// The release decision is the domain's, against the protocol's `release:` specification; a lot meant to
/// fail must be rejected by it, a lot meant to pass must be released, or generation stops.
struct DemoCellChain {
    var tissue: String
    var harvestSite: String
    var harvestVolumeML: Double
    var injectionSite: String
    var guidance: Procedure.ImagingGuidance
    var injectionVolumeML: Double
    var doseCells: Double
    var weightKg: Double
    var failViability = false
    /// Harvest to end of processing (release testing on the final product).
    var processingDays = 21

    static let lab = Actor(userID: "demo-cell-lab", role: "cell-therapy-lab")
    static let surgeon = Actor(userID: "demo-investigator", role: "investigator")

    /// Records the procedures on `builder` and returns the lot; `injection` nil = not (yet) injected.
    func run(_ b: inout DemoRecordBuilder, context: inout DemoContext, lot: String, harvest: CalendarDate,
             injection: CalendarDate?) throws -> CellProduct {
        let productID = Identifier<CellProduct>("\(b.participantID.rawValue)-\(lot.lowercased())")
        let harvestID = Identifier<Procedure>(b.nextID("harvest"))
        b.procedure(Procedure(
            id: harvestID, participantID: b.participantID, enrolmentID: b.enrolmentID, kind: .tissueHarvest,
            // The harvest comes before its lot exists, so it names none: the lot names its harvest
            // (`harvestProcedureID`), as in the web app, where a lot is registered after its harvest.
            performed: DemoRecordBuilder.instant(harvest), performer: Self.surgeon, anatomicalSite: harvestSite,
            anaesthesia: .local, sourceTissue: tissue, volumeML: harvestVolumeML,
            outcome: "uneventful", note: DemoLabel.text))
        let processed = harvest.adding(days: processingDays)
        b.procedure(Procedure(
            id: Identifier(b.nextID("processing")), participantID: b.participantID, enrolmentID: b.enrolmentID,
            kind: .cellProcessing, performed: DemoRecordBuilder.instant(harvest.adding(days: 1)), performer: Self.lab,
            sourceTissue: tissue, cellProductID: productID, outcome: "expanded to passage 2", note: DemoLabel.text))
        let viability = failViability ? context.rng.rounded(58...66, places: 0) : context.rng.rounded(82...95, places: 0)
        let tests = ReleaseTestResults(
            markersPercent: ["CD73": context.rng.rounded(96...99.5, places: 1), "CD90": context.rng.rounded(95.5...99.5, places: 1),
                             "CD105": context.rng.rounded(95.2...99, places: 1), "CD45": context.rng.rounded(0.1...1.5, places: 1),
                             "CD34": context.rng.rounded(0.1...1.2, places: 1), "CD14": context.rng.rounded(0.1...1.0, places: 1),
                             "CD19": context.rng.rounded(0.1...0.8, places: 1), "HLA-DR": context.rng.rounded(0.1...1.5, places: 1)],
            viabilityPercent: viability, sterilityNoGrowth: true, endotoxin: Quantity(context.rng.rounded(0.2...1.5, places: 2), "EU/kg"),
            mycoplasmaNegative: true, doseCells: doseCells, participantWeightKg: weightKg, productVolumeML: injectionVolumeML)
        var product = CellProduct(
            id: productID, lot: lot, participantID: b.participantID, enrolmentID: b.enrolmentID, sourceTissue: tissue,
            harvestProcedureID: harvestID, totalCells: doseCells * 1.4, viableCells: doseCells * 1.4 * viability / 100,
            viabilityPercent: viability, releaseTests: tests, releaseStatus: .quarantine,
            custody: custody(harvest: harvest, processed: processed))
        let decision = try product.evaluateRelease(specification: context.definition.release ?? .isct2006Default,
                                                   specificationSource: "protocol \(context.definition.id)")
        switch (decision.outcome, failViability) {
        case (.released, false):
            product.releaseStatus = .released
            product.custody.append(CustodyEvent(kind: .released, at: DemoRecordBuilder.instant(processed, hour: 16), actor: Self.lab,
                                                location: "GMP facility", note: decision.summary))
        case (.rejected, true):
            product.releaseStatus = .rejected
            product.custody.append(CustodyEvent(kind: .rejected, at: DemoRecordBuilder.instant(processed, hour: 16), actor: Self.lab,
                                                location: "GMP facility", note: decision.summary))
            product.custody.append(CustodyEvent(kind: .destroyed, at: DemoRecordBuilder.instant(processed.adding(days: 1)),
                                                actor: Self.lab, location: "GMP facility", note: "rejected lot destroyed"))
            return product
        default:
            throw DemoGenerationError("lot \(lot): release decision \(decision.outcome.rawValue) is not what the demo planned (\(decision.summary))")
        }
        guard let injection else { return product }
        product.releaseStatus = .administered
        product.custody.append(CustodyEvent(kind: .administered, at: DemoRecordBuilder.instant(injection, hour: 11),
                                            actor: Self.surgeon, location: injectionSite, note: "identity checked at the bedside (autologous)"))
        b.procedure(Procedure(
            id: Identifier(b.nextID("injection")), participantID: b.participantID, enrolmentID: b.enrolmentID, kind: .injection,
            performed: DemoRecordBuilder.instant(injection, hour: 11), performer: Self.surgeon, anatomicalSite: injectionSite,
            imagingGuidance: guidance, anaesthesia: .local, volumeML: injectionVolumeML, cellProductID: productID,
            outcome: "completed", note: DemoLabel.text))
        return product
    }

    private func custody(harvest: CalendarDate, processed: CalendarDate) -> [CustodyEvent] {
        [
            CustodyEvent(kind: .harvested, at: DemoRecordBuilder.instant(harvest, hour: 10), actor: Self.surgeon, location: harvestSite),
            CustodyEvent(kind: .received, at: DemoRecordBuilder.instant(harvest, hour: 14), actor: Self.lab, location: "GMP facility"),
            CustodyEvent(kind: .processingStarted, at: DemoRecordBuilder.instant(harvest.adding(days: 1)), actor: Self.lab, location: "GMP facility"),
            CustodyEvent(kind: .processed, at: DemoRecordBuilder.instant(processed), actor: Self.lab, location: "GMP facility"),
            CustodyEvent(kind: .sampled, at: DemoRecordBuilder.instant(processed, hour: 10), actor: Self.lab, location: "QC laboratory"),
            CustodyEvent(kind: .quarantined, at: DemoRecordBuilder.instant(processed, hour: 11), actor: Self.lab, location: "GMP facility"),
        ]
    }
}
