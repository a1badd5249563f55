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

    /// Counted over the participants without filtered copies of the list: a participant is a large value, and
    /// at 10^5 participants each copy cost about 30 MB (issue #13).
    static func compute(_ participants: [ProgramParticipantData], analysed: Int) -> ParticipantFlow {
        let enrolled = participants.lazy.filter { $0.reached(.enrolled) }
        let screened = participants.count { $0.reached(.screening) }
        let eligible = participants.count { $0.reached(.eligible) }
        let enrolledCount = enrolled.count
        let treated = enrolled.count { $0.reached(.onTreatment) }
        let withdrawnAfterEnrolment = enrolled.filter { $0.enrolment.status == .withdrawn }
        let reasons = Array(withdrawnAfterEnrolment.compactMap { p in
            p.enrolment.transitions.last { $0.to == .withdrawn }.map { "\(p.record.participant.mrn): \($0.reason)" }
        })
        return ParticipantFlow(
            prescreened: participants.count,
            notScreened: participants.count - screened,
            screened: screened,
            screenFailed: participants.count { $0.enrolment.status == .screenFailed },
            eligible: eligible,
            eligibleNotEnrolled: eligible - enrolledCount,
            enrolled: enrolledCount,
            notTreated: enrolledCount - treated,
            treated: treated,
            ongoing: enrolled.count { !$0.enrolment.status.isTerminal },
            completed: enrolled.count { $0.enrolment.status == .completed },
            withdrawn: withdrawnAfterEnrolment.count,
            lostToFollowUp: enrolled.count { $0.enrolment.status == .lostToFollowUp },
            withdrawalReasons: reasons,
            analysed: analysed,
            analysisPopulation: AnalysisSet.population(participants),
            enrolledWithDeviation: enrolled.count { !$0.deviations.isEmpty },
            participantsWithDeviation: participants.count { !$0.deviations.isEmpty },
            deviations: ProtocolDeviation.Category.allCases.compactMap { category in
                let perPerson = participants.lazy.map { $0.deviations.count { $0.category == category } }.filter { $0 > 0 }
                guard !perPerson.isEmpty else { return nil }
                return DeviationCount(
                    category: category.rawValue, label: category.label,
                    deviations: perPerson.reduce(0, +), participants: perPerson.count)
            })
    }
}
