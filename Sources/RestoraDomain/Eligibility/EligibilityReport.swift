/// The screening result of one participant against one protocol on one date, criterion by criterion.
public struct EligibilityReport: Hashable, Sendable, Codable {
    /// `ineligible` wins over `incomplete`: one failed criterion is enough, whatever else is missing.
    public enum Verdict: String, Hashable, Sendable, Codable {
        case eligible, ineligible, incomplete
    }

    public var protocolID: String
    public var protocolVersion: String
    public var participantID: String
    public var date: CalendarDate
    public var verdict: Verdict
    /// Ids of the criteria that make the participant ineligible (inclusion not met, exclusion met).
    public var failing: [String]
    /// What must be added to the record to decide the criteria still unknown, each prefixed with its criterion id.
    public var missing: [String]
    public var criteria: [CriterionResult]

    public init(protocolID: String, protocolVersion: String, participantID: String, date: CalendarDate,
                criteria: [CriterionResult]) {
        self.protocolID = protocolID
        self.protocolVersion = protocolVersion
        self.participantID = participantID
        self.date = date
        self.criteria = criteria
        failing = criteria.filter(\.disqualifies).map(\.id)
        missing = criteria.filter { $0.outcome == .unknown }.flatMap { result in
            result.missing.isEmpty ? ["\(result.id): \(result.summary)"] : result.missing.map { "\(result.id): \($0)" }
        }
        if !failing.isEmpty {
            verdict = .ineligible
        } else if criteria.contains(where: { $0.outcome == .unknown }) {
            verdict = .incomplete
        } else {
            verdict = .eligible
        }
    }

    public func result(for criterionID: String) -> CriterionResult? { criteria.first { $0.id == criterionID } }
}

/// Screens a participant record against a protocol's inclusion and exclusion criteria on a date.
/// Pure and deterministic: the same protocol, record and date always give the same report.
public enum EligibilityEngine {
    public static func screen(_ record: ParticipantRecord, against definition: ProtocolDefinition,
                              on date: CalendarDate) -> EligibilityReport {
        let evaluator = RuleEvaluator(record: record, date: date)
        let inclusion = definition.inclusion.map {
            CriterionResult(criterion: $0, role: .inclusion, result: evaluator.evaluate($0.rule))
        }
        let exclusion = definition.exclusion.map {
            CriterionResult(criterion: $0, role: .exclusion, result: evaluator.evaluate($0.rule))
        }
        return EligibilityReport(
            protocolID: definition.id, protocolVersion: definition.version,
            participantID: record.participant.id.rawValue, date: date, criteria: inclusion + exclusion)
    }
}
