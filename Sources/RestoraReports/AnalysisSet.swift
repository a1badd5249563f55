import RestoraDomain

/// Who the report analyses (issue #15): every participant who started treatment (day 0), except one still in
/// the middle of a drug course on the data's date — on-treatment with a course that is planned, active or held:
/// the primary endpoint is read over the treatment period, so he is not evaluable yet and is counted in a note
/// instead of being analysed as a non-responder. A single-procedure treatment (a cell injection) is over on day
/// 0. A participant whose treatment a protocol stop rule discontinued is in follow-up with his course stopped
/// (docs/safety-actions.md): he stays in the analysis as treated.
enum AnalysisSet {
    /// The analysed participants, filtered as they are read (not a copy of the list: at 10^5 participants a copy
    /// cost 15 MB, issue #13).
    static func analysed(_ participants: [ProgramParticipantData]) -> LazyFilterSequence<[ProgramParticipantData]> {
        participants.lazy.filter { $0.reached(.enrolled) && $0.dayZero != nil && !stillOnTreatment($0) }
    }

    static func stillOnTreatment(_ p: ProgramParticipantData) -> Bool {
        p.dayZero != nil && p.enrolment.status == .onTreatment
            && p.record.medicationCourses.contains(where: ongoingCourse)
    }

    /// A course not over yet: planned, active or held.
    static func ongoingCourse(_ course: MedicationCourse) -> Bool { [.planned, .active, .held].contains(course.status) }

    /// Who is analysed, in words (under the flow diagram's analysed box).
    static func population(_ participants: [ProgramParticipantData]) -> String {
        let ongoing = participants.count(where: stillOnTreatment)
        return ongoing == 0 ? "participants who started treatment"
            : "participants who started treatment, except the \(ongoing) still on their drug course"
    }

    static func note(_ participants: [ProgramParticipantData]) -> String? {
        let ongoing = participants.count(where: stillOnTreatment)
        guard ongoing > 0 else { return nil }
        return "\(ongoing) participant\(ongoing == 1 ? " is" : "s are") still on treatment and not analysed yet: the analysis counts those whose treatment period is over (finished or stopped)"
    }
}
