import RestoraDomain

/// Everything a study report is computed from: the protocol and, per participant, the record the rules
/// read, the enrolment with its transition history, the visits and any cell products. Built from domain
/// values — the demo clinic today, storage later — so the report never depends on where data came from.
public struct ProgramDataset: Sendable {
    public var definition: ProtocolDefinition
    /// Display name of the program (defaults to the protocol title).
    public var programName: String
    /// The date the data are reported as of ("data cut-off").
    public var asOf: CalendarDate
    /// True when the data are synthetic (the demo clinic); every rendering then says so.
    public var synthetic: Bool
    public var participants: [ProgramParticipantData]

    public init(definition: ProtocolDefinition, programName: String? = nil, asOf: CalendarDate, synthetic: Bool,
                participants: [ProgramParticipantData]) {
        self.definition = definition
        self.programName = programName ?? definition.title
        self.asOf = asOf
        self.synthetic = synthetic
        self.participants = participants
    }
}

public struct ProgramParticipantData: Sendable {
    public var record: ParticipantRecord
    public var enrolment: Enrolment
    public var visits: [Visit]
    public var cellProducts: [CellProduct]
    /// The protocol deviations signed on this enrolment (issue #14).
    public var deviations: [ProtocolDeviation]

    public init(record: ParticipantRecord, enrolment: Enrolment, visits: [Visit] = [], cellProducts: [CellProduct] = [],
                deviations: [ProtocolDeviation] = []) {
        self.record = record
        self.enrolment = enrolment
        self.visits = visits
        self.cellProducts = cellProducts
        self.deviations = deviations
    }

    /// Reached a status at some point (the transition history, not only the current status).
    public func reached(_ status: EnrolmentStatus) -> Bool {
        enrolment.status == status || enrolment.transitions.contains { $0.to == status }
    }

    /// Day 0: the date of the move to on-treatment (first dose or injection).
    public var dayZero: CalendarDate? {
        enrolment.transitions.first { $0.to == .onTreatment }.map { CalendarDate($0.at) }
    }
}

/// Codes the report reads: the shared catalogue (`ClinicalCodes`, REFERENCE.md F1), matched as whole concepts
/// (system and code), so a local code that happens to share a LOINC number is never mistaken for it.
enum ReportCodes {
    static let semenClassification = ClinicalCodes.semenClassification
    static let histology = ClinicalCodes.histology
    static let testicularVolume = ClinicalCodes.testicularVolume
    static let fsh = ClinicalCodes.fsh
    static let spermRetrieval = ClinicalCodes.spermRetrieval
    /// DXA BMD by site (REFERENCE.md F1; femoral neck mapped to the femur code, U).
    static let bmd: [(SkeletalSite, Coding)] = [.lumbarSpine, .femoralNeck, .totalHip].map { ($0, ClinicalCodes.dxaBMD($0)) }
    static let semenParameters: [Coding] = [
        ClinicalCodes.semenVolume, ClinicalCodes.spermConcentration, ClinicalCodes.totalMotility,
        ClinicalCodes.progressiveMotility, ClinicalCodes.normalForms,
    ]

    /// DXA T-scores by site (lumbar spine, femur, total hip), matched by code alone.
    static let tScoreCodes: Set<String> = ["38267-1", "38263-0", "38264-8"]

    /// Every observation the report reads: the codes above and every value of a semen specimen (a panel is
    /// judged as a whole, `SemenAnalysis(observations:)`). A superset by code alone, whatever the system.
    static let observationSelection = ObservationSelection(
        codes: Set([semenClassification, histology, testicularVolume, fsh].map(\.code) + bmd.map(\.1.code)
                   + semenParameters.map(\.code) + tScoreCodes),
        specimenTypes: ["semen"])

    static func isSemenMeasure(_ code: Coding) -> Bool {
        code.sameConcept(as: semenClassification) || semenParameters.contains { $0.sameConcept(as: code) }
    }

    static func isSemen(_ observation: Observation) -> Bool {
        observation.specimen?.type == "semen" || isSemenMeasure(observation.code)
    }
}
