import Foundation
import RestoraDomain

/// The synthetic demo clinic: three sites, one program per protocol, and for each participant the full
/// domain record. Every value is built through the domain types (and their validation and rules), so the
/// demo shows what real data entry would produce. Labelled synthetic everywhere (`DemoLabel`).
public struct DemoClinic: Sendable, Hashable {
    public var seed: UInt64
    /// The fixed "today" of the demo; every date is on or before it.
    public var today: CalendarDate
    public var sites: [Site]
    public var programs: [Program]
    public var participants: [DemoParticipant]
    /// Safety-rule firings on the generated observations and adverse events that nobody has closed yet.
    public var openAlerts: [DemoSafetyAlert]

    public init(seed: UInt64, today: CalendarDate, sites: [Site], programs: [Program],
                participants: [DemoParticipant], openAlerts: [DemoSafetyAlert]) {
        self.seed = seed
        self.today = today
        self.sites = sites
        self.programs = programs
        self.participants = participants
        self.openAlerts = openAlerts
    }

    public static let defaultSeed: UInt64 = 20_250_611
    /// 2026-11-01: late enough that the isotretinoin cohort has finished its post-treatment visit.
    public static let defaultToday = CalendarDate(dayNumber: 20_758)

    public func program(protocolID: String) -> Program? { programs.first { $0.protocolID == protocolID } }

    /// Participants of one program (by protocol id), in generation order.
    public func participants(protocolID: String) -> [DemoParticipant] {
        guard let program = program(protocolID: protocolID) else { return [] }
        return participants.filter { $0.enrolment.programID == program.id }
    }
}

/// One person in one program: the record the rules read, the enrolment with its transition history, the
/// visits, and (cell therapy) the products made from their own tissue.
public struct DemoParticipant: Sendable, Hashable {
    public var record: ParticipantRecord
    public var enrolment: Enrolment
    public var visits: [Visit]
    public var cellProducts: [CellProduct]

    public init(record: ParticipantRecord, enrolment: Enrolment, visits: [Visit] = [], cellProducts: [CellProduct] = []) {
        self.record = record
        self.enrolment = enrolment
        self.visits = visits
        self.cellProducts = cellProducts
    }

    public var participant: Participant { record.participant }
}

/// A protocol safety rule that fired on a generated observation or adverse event and is still open.
public struct DemoSafetyAlert: Sendable, Hashable {
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>
    public var ruleID: String
    public var action: SafetyAction
    public var reason: String
    public var observationID: Identifier<Observation>?
    public var raisedOn: CalendarDate
    public var status: String

    public init(participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>, ruleID: String,
                action: SafetyAction, reason: String, observationID: Identifier<Observation>?, raisedOn: CalendarDate,
                status: String = "open") {
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.ruleID = ruleID
        self.action = action
        self.reason = reason
        self.observationID = observationID
        self.raisedOn = raisedOn
        self.status = status
    }
}
