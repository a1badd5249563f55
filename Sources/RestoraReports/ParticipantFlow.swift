import RestoraDomain

/// Participant flow in the CONSORT style (prescreened → screened → eligible → enrolled → completed /
/// withdrawn → analysed), counted from each enrolment's transition history.
public struct ParticipantFlow: Codable, Sendable, Equatable {
    public var prescreened: Int
    public var notScreened: Int
    public var screened: Int
    public var screenFailed: Int
    public var eligible: Int
    public var eligibleNotEnrolled: Int
    public var enrolled: Int
    /// Enrolled but never started treatment (e.g. withdrew before the injection).
    public var notTreated: Int
    public var treated: Int
    public var ongoing: Int
    public var completed: Int
    public var withdrawn: Int
    public var lostToFollowUp: Int
    /// Withdrawals, each with the reason recorded on the transition.
    public var withdrawalReasons: [String]
    public var analysed: Int
    /// Who is analysed, in words (printed under the analysed box).
    public var analysisPopulation: String
    /// Enrolled participants with at least one protocol deviation signed on this enrolment (issue #14).
    public var enrolledWithDeviation: Int
    /// Participants (enrolled or not) with at least one protocol deviation.
    public var participantsWithDeviation: Int
    /// The program's protocol deviations by category (categories with none left out), in category order.
    public var deviations: [DeviationCount]

    /// Deviations of one category: how many, and of how many participants.
    public struct DeviationCount: Codable, Sendable, Equatable {
        /// The stored category (`visit-schedule` …) and its label in words.
        public var category: String
        public var label: String
        public var deviations: Int
        public var participants: Int
    }

    public var totalDeviations: Int { deviations.reduce(0) { $0 + $1.deviations } }

    static func compute(_ participants: [ProgramParticipantData], analysed: Int) -> ParticipantFlow {
        let screened = participants.filter { $0.reached(.screening) }
        let eligible = participants.filter { $0.reached(.eligible) }
        let enrolled = participants.filter { $0.reached(.enrolled) }
        let treated = enrolled.filter { $0.reached(.onTreatment) }
        let withdrawnAfterEnrolment = enrolled.filter { $0.enrolment.status == .withdrawn }
        let reasons = withdrawnAfterEnrolment.compactMap { p in
            p.enrolment.transitions.last { $0.to == .withdrawn }.map { "\(p.record.participant.mrn): \($0.reason)" }
        }
        return ParticipantFlow(
            prescreened: participants.count,
            notScreened: participants.count - screened.count,
            screened: screened.count,
            screenFailed: participants.filter { $0.enrolment.status == .screenFailed }.count,
            eligible: eligible.count,
            eligibleNotEnrolled: eligible.count - enrolled.count,
            enrolled: enrolled.count,
            notTreated: enrolled.count - treated.count,
            treated: treated.count,
            ongoing: enrolled.filter { !$0.enrolment.status.isTerminal }.count,
            completed: enrolled.filter { $0.enrolment.status == .completed }.count,
            withdrawn: withdrawnAfterEnrolment.count,
            lostToFollowUp: enrolled.filter { $0.enrolment.status == .lostToFollowUp }.count,
            withdrawalReasons: reasons,
            analysed: analysed,
            analysisPopulation: AnalysisSet.population(participants),
            enrolledWithDeviation: enrolled.filter { !$0.deviations.isEmpty }.count,
            participantsWithDeviation: participants.filter { !$0.deviations.isEmpty }.count,
            deviations: ProtocolDeviation.Category.allCases.compactMap { category in
                let people = participants.filter { $0.deviations.contains { $0.category == category } }
                guard !people.isEmpty else { return nil }
                return DeviationCount(
                    category: category.rawValue, label: category.label,
                    deviations: people.reduce(0) { $0 + $1.deviations.filter { $0.category == category }.count }, participants: people.count)
            })
    }
}
