/// Everything known about one participant that screening and the rules read: demographics, diagnoses,
/// history, observations, medications and procedures. This is also the JSON format of
/// `restora screen --participant <file.json>` (docs/participant-format.md).
public struct ParticipantRecord: Hashable, Sendable, Codable {
    /// Parts of the record that a clinician has reviewed in full. When a section is reviewed, the absence of
    /// an item there is evidence ("no tetracycline"); when it is not, absence is unknown (missing data).
    public enum Section: String, Hashable, Sendable, Codable, CaseIterable {
        case diagnoses, history, medications, procedures
    }

    public var participant: Participant
    public var observations: [Observation]
    public var medications: [ConcomitantMedication]
    public var medicationCourses: [MedicationCourse]
    public var procedures: [Procedure]
    public var adverseEvents: [AdverseEvent]
    public var reviewedSections: Set<Section>

    public init(
        participant: Participant, observations: [Observation] = [], medications: [ConcomitantMedication] = [],
        medicationCourses: [MedicationCourse] = [], procedures: [Procedure] = [], adverseEvents: [AdverseEvent] = [],
        reviewedSections: Set<Section> = []
    ) {
        self.participant = participant
        self.observations = observations
        self.medications = medications
        self.medicationCourses = medicationCourses
        self.procedures = procedures
        self.adverseEvents = adverseEvents
        self.reviewedSections = reviewedSections
    }

    private enum CodingKeys: String, CodingKey {
        case participant, observations, medications, medicationCourses, procedures, adverseEvents, reviewedSections
    }

    /// Lists may be omitted from a file; they then read as empty.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        participant = try c.decode(Participant.self, forKey: .participant)
        observations = try c.decodeIfPresent([Observation].self, forKey: .observations) ?? []
        medications = try c.decodeIfPresent([ConcomitantMedication].self, forKey: .medications) ?? []
        medicationCourses = try c.decodeIfPresent([MedicationCourse].self, forKey: .medicationCourses) ?? []
        procedures = try c.decodeIfPresent([Procedure].self, forKey: .procedures) ?? []
        adverseEvents = try c.decodeIfPresent([AdverseEvent].self, forKey: .adverseEvents) ?? []
        reviewedSections = try c.decodeIfPresent(Set<Section>.self, forKey: .reviewedSections) ?? []
    }

    /// Observations of a concept, newest first.
    public func observations(of code: Coding) -> [Observation] {
        observations.filter { $0.code.sameConcept(as: code) }.sorted { $0.effective > $1.effective }
    }
}
