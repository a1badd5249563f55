/// Where a participant stands in a program. The legal moves are listed in one table, `allowedNext`,
/// so that the state machine can be read, documented and tested exhaustively.
public enum EnrolmentStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case prescreened
    case screening
    case eligible
    case screenFailed = "screen-failed"
    case consented
    case enrolled
    case onTreatment = "on-treatment"
    case followUp = "follow-up"
    case completed
    case withdrawn
    case lostToFollowUp = "lost-to-follow-up"

    /// The states from which a participant can still leave the program early.
    /// Decision (README "Enrolment states"): withdrawal is possible at any point before completion, because a
    /// candidate may decline before consent too; lost-to-follow-up only once the participant has consented,
    /// since before that there is nothing to be lost from.
    public static let withdrawable: Set<EnrolmentStatus> = [
        .prescreened, .screening, .eligible, .consented, .enrolled, .onTreatment, .followUp,
    ]
    public static let losable: Set<EnrolmentStatus> = [.consented, .enrolled, .onTreatment, .followUp]

    public var allowedNext: Set<EnrolmentStatus> {
        var next: Set<EnrolmentStatus>
        switch self {
        case .prescreened: next = [.screening]
        case .screening: next = [.eligible, .screenFailed]
        // Rescreening after a screen failure is allowed (e.g. a repeat lab after a transient abnormality).
        case .screenFailed: next = [.screening]
        case .eligible: next = [.consented]
        case .consented: next = [.enrolled]
        case .enrolled: next = [.onTreatment]
        case .onTreatment: next = [.followUp]
        case .followUp: next = [.completed]
        case .completed, .withdrawn, .lostToFollowUp: next = []
        }
        if Self.withdrawable.contains(self) { next.insert(.withdrawn) }
        if Self.losable.contains(self) { next.insert(.lostToFollowUp) }
        return next
    }

    public var isTerminal: Bool { allowedNext.isEmpty }

    public func canMove(to next: EnrolmentStatus) -> Bool { allowedNext.contains(next) }
}
