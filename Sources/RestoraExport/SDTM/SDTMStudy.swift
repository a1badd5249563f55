import RestoraDomain

/// What the mapping knows of the study as a whole: the export's context, the protocol's schedule and arms.
struct SDTMStudy {
    let context: ExportContext
    let schedule: SDTMSchedule

    init(context: ExportContext) {
        self.context = context
        self.schedule = SDTMSchedule(context.definition)
    }

    var definition: ProtocolDefinition { context.definition }
    var studyID: String { context.studyID }

    func subject(_ participant: ExportParticipant) -> SDTMSubject {
        SDTMSubject(participant, studyID: studyID, schedule: schedule)
    }

    /// The arm of an enrolment: its recorded arm, or the protocol's only arm.
    func arm(id: String?) -> Arm? {
        if let id { return definition.arms.first { $0.id == id } }
        return definition.arms.count == 1 ? definition.arms[0] : nil
    }

    /// ARMCD of an arm: its id in upper case (at most 20 characters, SDTMIG 3.4 DM assumption).
    static func armCode(_ arm: Arm) -> String {
        String(arm.id.uppercased().replacingOccurrences(of: "-", with: "").prefix(20))
    }
}
