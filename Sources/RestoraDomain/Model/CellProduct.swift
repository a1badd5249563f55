import Foundation

/// An autologous cell product: from the harvest to the injection, one lot per product, with its chain of
/// custody. Autologous means the product may only ever go back into the participant it came from.
public struct CellProduct: Hashable, Sendable, Codable, Identifiable {
    public enum ReleaseStatus: String, Hashable, Sendable, Codable, CaseIterable {
        case inProcess = "in-process"
        case quarantine
        case released
        case rejected
        case administered
    }

    public var id: Identifier<CellProduct>
    /// The business identifier printed on the label; unique.
    public var lot: String
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>?
    /// "bone-marrow-aspirate" or "adipose-lipoaspirate".
    public var sourceTissue: String
    public var harvestProcedureID: Identifier<Procedure>?
    public var totalCells: Double?
    public var viableCells: Double?
    public var viabilityPercent: Double?
    public var releaseTests: ReleaseTestResults
    public var releaseStatus: ReleaseStatus
    public var custody: [CustodyEvent]
    /// The last release decision (who decided is in the audit trail), set with the status it led to.
    public var releaseDecision: ReleaseDecision?

    public init(
        id: Identifier<CellProduct>, lot: String, participantID: Identifier<Participant>,
        enrolmentID: Identifier<Enrolment>? = nil, sourceTissue: String, harvestProcedureID: Identifier<Procedure>? = nil,
        totalCells: Double? = nil, viableCells: Double? = nil, viabilityPercent: Double? = nil,
        releaseTests: ReleaseTestResults = ReleaseTestResults(), releaseStatus: ReleaseStatus = .inProcess,
        custody: [CustodyEvent] = [], releaseDecision: ReleaseDecision? = nil
    ) {
        self.releaseDecision = releaseDecision
        self.id = id
        self.lot = lot
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.sourceTissue = sourceTissue
        self.harvestProcedureID = harvestProcedureID
        self.totalCells = totalCells
        self.viableCells = viableCells
        self.viabilityPercent = viabilityPercent
        self.releaseTests = releaseTests
        self.releaseStatus = releaseStatus
        self.custody = custody
    }
}

/// The release-testing results of a lot (REFERENCE.md D2). Missing values stay nil: the release decision
/// then says what is missing instead of guessing.
public struct ReleaseTestResults: Hashable, Sendable, Codable {
    /// Percent of cells positive for each surface marker, keyed by marker name ("CD73", "CD45", "HLA-DR", …).
    public var markersPercent: [String: Double]
    public var viabilityPercent: Double?
    /// nil = not yet read; true = no growth.
    public var sterilityNoGrowth: Bool?
    public var endotoxin: Quantity?
    public var mycoplasmaNegative: Bool?
    public var doseCells: Double?
    public var participantWeightKg: Double?
    /// Volume of the final product (mL): converts an endotoxin result reported per mL into a per-dose total.
    public var productVolumeML: Double?

    public init(
        markersPercent: [String: Double] = [:], viabilityPercent: Double? = nil, sterilityNoGrowth: Bool? = nil,
        endotoxin: Quantity? = nil, mycoplasmaNegative: Bool? = nil, doseCells: Double? = nil,
        participantWeightKg: Double? = nil, productVolumeML: Double? = nil
    ) {
        self.markersPercent = markersPercent
        self.viabilityPercent = viabilityPercent
        self.sterilityNoGrowth = sterilityNoGrowth
        self.endotoxin = endotoxin
        self.mycoplasmaNegative = mycoplasmaNegative
        self.doseCells = doseCells
        self.participantWeightKg = participantWeightKg
        self.productVolumeML = productVolumeML
    }
}

/// One hand-over or step in the life of a lot: who had it, where, when, doing what.
public struct CustodyEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case harvested, received, processingStarted = "processing-started", processed, sampled
        case quarantined, released, rejected, transferred, thawed, administered, destroyed
    }

    public var kind: Kind
    public var at: Date
    public var actor: Actor
    public var location: String?
    public var note: String?

    public init(kind: Kind, at: Date, actor: Actor, location: String? = nil, note: String? = nil) {
        self.kind = kind
        self.at = at
        self.actor = actor
        self.location = location
        self.note = note
    }
}
