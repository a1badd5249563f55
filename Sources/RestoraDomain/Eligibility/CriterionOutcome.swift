/// Whether a criterion's condition holds for a participant on a date. `unknown` means the record lacks
/// what the rule needs (and `RuleResult.missing` says what); it is never silently read as "not met".
public enum CriterionOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    case met
    case notMet = "not-met"
    case unknown
}

/// One fact a rule looked at: which record item, its date and its value, in words a screener can check.
public struct Evidence: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Source: String, Hashable, Sendable, Codable {
        case participant, diagnosis, observation, medication, procedure, history, review
    }

    public var source: Source
    /// The record item's id or code (observation id, ICD-10-CM code, …).
    public var reference: String?
    public var date: CalendarDate?
    public var value: String?
    public var text: String

    public init(source: Source, reference: String? = nil, date: CalendarDate? = nil, value: String? = nil, text: String) {
        self.source = source
        self.reference = reference
        self.date = date
        self.value = value
        self.text = text
    }

    public var description: String {
        var parts = [text]
        if let value { parts.append("value \(value)") }
        if let date { parts.append("on \(date)") }
        if let reference { parts.append("[\(source.rawValue) \(reference)]") }
        return parts.joined(separator: ", ")
    }
}

/// What evaluating one rule gave: the outcome, a one-line explanation, the evidence used and, when the
/// outcome is unknown, what is missing.
public struct RuleResult: Hashable, Sendable, Codable {
    public var outcome: CriterionOutcome
    public var summary: String
    public var evidence: [Evidence]
    public var missing: [String]

    public init(_ outcome: CriterionOutcome, _ summary: String, evidence: [Evidence] = [], missing: [String] = []) {
        self.outcome = outcome
        self.summary = summary
        self.evidence = evidence
        self.missing = outcome == .unknown ? missing : []
    }
}

/// A criterion of the protocol with its result for this participant.
public struct CriterionResult: Hashable, Sendable, Codable, Identifiable {
    public enum Role: String, Hashable, Sendable, Codable {
        case inclusion, exclusion
    }

    public var id: String
    public var role: Role
    public var text: String
    public var reference: String?
    public var outcome: CriterionOutcome
    public var summary: String
    public var evidence: [Evidence]
    public var missing: [String]

    public init(criterion: Criterion, role: Role, result: RuleResult) {
        id = criterion.id
        self.role = role
        text = criterion.text
        reference = criterion.reference
        outcome = result.outcome
        summary = result.summary
        evidence = result.evidence
        missing = result.missing
    }

    /// An inclusion not met, or an exclusion met, makes the participant ineligible.
    public var disqualifies: Bool {
        switch role {
        case .inclusion: outcome == .notMet
        case .exclusion: outcome == .met
        }
    }
}
