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
    /// Set by `reducedForReport()`: the semen analyses and baseline facts, summarised before their observations
    /// were dropped. Nil on a whole record, whose observations the report reads instead.
    var semenSummary: SemenSummary?

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

    /// This participant with only what `StudyReport.build` reads (issue #13: the report at 10^5 participants in
    /// bounded memory):
    /// - the semen analyses, histology, FSH and testicular volume are summarised (`SemenSummary`, which no
    ///   response rule changes) and their observations dropped; the DXA observations stay;
    /// - the visits (read only for the semen analyses' planned days) and the cell products are dropped;
    /// - of the person, the names and diagnoses are dropped, and of the history only prior sperm retrieval and
    ///   fractures stay (baseline table, bone density);
    /// - of the medications only adjuncts stay; of the courses only those still planned, active or held (who is
    ///   still on treatment), without their dispensings; of the procedures only sperm retrievals;
    /// - the enrolment with its transitions, the adverse events and the deviations stay whole.
    /// A report built from reduced participants equals one built from whole ones (`ReportReductionTests`, and
    /// the stored demo on both engines); anything else that reads a participant's record needs the whole one.
    public func reducedForReport() -> ProgramParticipantData {
        guard semenSummary == nil else { return self }
        var reduced = self
        reduced.semenSummary = dayZero.map { SemenSummary(self, dayZero: $0) }
        reduced.record.observations = record.observations.filter { !SemenSummary.summarises($0) }
        reduced.visits = []
        reduced.cellProducts = []
        reduced.record.participant.givenName = nil
        reduced.record.participant.familyName = nil
        reduced.record.participant.diagnoses = []
        reduced.record.participant.history = record.participant.history.filter {
            $0.kind == .fracture || ($0.kind == .procedure && $0.code?.sameConcept(as: ReportCodes.spermRetrieval) == true)
        }
        reduced.record.medications = record.medications.filter(\.adjunct)
        reduced.record.medicationCourses = record.medicationCourses.filter(AnalysisSet.ongoingCourse).map {
            var course = $0
            course.dispensings = []
            return course
        }
        reduced.record.procedures = record.procedures.filter { $0.kind == .spermRetrieval }
        return reduced
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
