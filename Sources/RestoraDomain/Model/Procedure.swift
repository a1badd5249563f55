import Foundation

/// A clinical procedure: tissue harvest, cell processing, injection, sperm retrieval, DXA-guided or
/// image-guided steps. Harvest → processing → injection are linked to a `CellProduct` by its id.
public struct Procedure: Hashable, Sendable, Codable, Identifiable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case tissueHarvest = "tissue-harvest"
        case cellProcessing = "cell-processing"
        case injection
        case spermRetrieval = "sperm-retrieval"
        case biopsy
        case other
    }

    public enum ImagingGuidance: String, Hashable, Sendable, Codable, CaseIterable {
        case none, ultrasound, fluoroscopy, ct
    }

    public enum Anaesthesia: String, Hashable, Sendable, Codable, CaseIterable {
        case none, local, regional, sedation, general
    }

    public var id: Identifier<Procedure>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>?
    public var kind: Kind
    public var code: Coding?
    public var performed: Date
    public var performer: Actor?
    /// e.g. "left testis", "right femoral neck", "posterior iliac crest", "abdominal subcutaneous fat".
    public var anatomicalSite: String?
    public var laterality: String?
    public var imagingGuidance: ImagingGuidance?
    public var anaesthesia: Anaesthesia?
    /// Harvest: "bone-marrow-aspirate" or "adipose-lipoaspirate".
    public var sourceTissue: String?
    /// Harvest volume (mL) or injected volume (mL).
    public var volumeML: Double?
    public var cellProductID: Identifier<CellProduct>?
    public var outcome: String?
    public var note: String?

    public init(
        id: Identifier<Procedure>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        kind: Kind, code: Coding? = nil, performed: Date, performer: Actor? = nil, anatomicalSite: String? = nil,
        laterality: String? = nil, imagingGuidance: ImagingGuidance? = nil, anaesthesia: Anaesthesia? = nil,
        sourceTissue: String? = nil, volumeML: Double? = nil, cellProductID: Identifier<CellProduct>? = nil,
        outcome: String? = nil, note: String? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.kind = kind
        self.code = code
        self.performed = performed
        self.performer = performer
        self.anatomicalSite = anatomicalSite
        self.laterality = laterality
        self.imagingGuidance = imagingGuidance
        self.anaesthesia = anaesthesia
        self.sourceTissue = sourceTissue
        self.volumeML = volumeML
        self.cellProductID = cellProductID
        self.outcome = outcome
        self.note = note
    }
}
