/// One inclusion or exclusion criterion: what the protocol says in words (`text`), where that comes from
/// (`reference`, e.g. "REFERENCE.md A2"), and the machine rule that decides it.
public struct Criterion: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var text: String
    public var reference: String?
    public var rule: CriterionRule

    public init(id: String, text: String, reference: String? = nil, rule: CriterionRule) {
        self.id = id
        self.text = text
        self.reference = reference
        self.rule = rule
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, text, reference, rule }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        text = try c.decode(String.self, forKey: .text)
        reference = try c.decodeIfPresent(String.self, forKey: .reference)
        rule = try c.decode(CriterionRule.self, forKey: .rule)
    }
}

/// The rule kinds a criterion can use. In YAML each rule is a mapping with exactly one key naming its
/// kind, e.g. `{ age: { min: 21, max: 60 } }` or `{ anyOf: [ {...}, {...} ] }`.
public indirect enum CriterionRule: Hashable, Sendable {
    /// Completed years of age on the screening date, inclusive bounds.
    case age(AgeRule)
    case sex([Sex])
    /// Menopausal status as recorded (`Participant.postmenopausal`); DXA T-score categories apply to
    /// postmenopausal women and men ≥ 50 (REFERENCE.md C1).
    case postmenopausal(Bool)
    case diagnosis(DiagnosisRule)
    /// The latest value of an observation code within a window, compared with a threshold.
    case latest(LatestValueRule)
    /// How many observations of a code (optionally with given coded values and specimen handling) lie in a window.
    case count(ObservationCountRule)
    /// A medication taken on the date, or within a number of days before it.
    case medication(MedicationRule)
    /// A prior procedure, from the record's procedures or its procedure history items.
    case procedure(ProcedureRule)
    /// An item of the participant's history (condition, exposure, fracture, …).
    case history(HistoryRule)
    case allOf([CriterionRule])
    case anyOf([CriterionRule])
    case not(CriterionRule)

    public enum Kind: String, CodingKey, CaseIterable {
        case age, sex, postmenopausal, diagnosis, latest, count, medication, procedure, history, allOf, anyOf, not
    }

    public var kind: Kind {
        switch self {
        case .age: .age
        case .sex: .sex
        case .postmenopausal: .postmenopausal
        case .diagnosis: .diagnosis
        case .latest: .latest
        case .count: .count
        case .medication: .medication
        case .procedure: .procedure
        case .history: .history
        case .allOf: .allOf
        case .anyOf: .anyOf
        case .not: .not
        }
    }
}

extension CriterionRule: Codable {
    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: AnyCodingKey.self).allKeys
        let known = Kind.allCases.map(\.stringValue).joined(separator: ", ")
        guard keys.count == 1, let only = keys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a rule needs exactly one kind key, one of: \(known); found \(keys.count)"))
        }
        guard let kind = Kind(stringValue: only.stringValue) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [only],
                debugDescription: "unknown rule kind '\(only.stringValue)'; known kinds: \(known)"))
        }
        let c = try decoder.container(keyedBy: Kind.self)
        switch kind {
        case .age: self = .age(try c.decode(AgeRule.self, forKey: kind))
        case .sex: self = .sex(try c.decode([Sex].self, forKey: kind))
        case .postmenopausal: self = .postmenopausal(try c.decode(Bool.self, forKey: kind))
        case .diagnosis: self = .diagnosis(try c.decode(DiagnosisRule.self, forKey: kind))
        case .latest: self = .latest(try c.decode(LatestValueRule.self, forKey: kind))
        case .count: self = .count(try c.decode(ObservationCountRule.self, forKey: kind))
        case .medication: self = .medication(try c.decode(MedicationRule.self, forKey: kind))
        case .procedure: self = .procedure(try c.decode(ProcedureRule.self, forKey: kind))
        case .history: self = .history(try c.decode(HistoryRule.self, forKey: kind))
        case .allOf: self = .allOf(try c.decode([CriterionRule].self, forKey: kind))
        case .anyOf: self = .anyOf(try c.decode([CriterionRule].self, forKey: kind))
        case .not: self = .not(try c.decode(CriterionRule.self, forKey: kind))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Kind.self)
        switch self {
        case let .age(rule): try c.encode(rule, forKey: .age)
        case let .sex(sexes): try c.encode(sexes, forKey: .sex)
        case let .postmenopausal(flag): try c.encode(flag, forKey: .postmenopausal)
        case let .diagnosis(rule): try c.encode(rule, forKey: .diagnosis)
        case let .latest(rule): try c.encode(rule, forKey: .latest)
        case let .count(rule): try c.encode(rule, forKey: .count)
        case let .medication(rule): try c.encode(rule, forKey: .medication)
        case let .procedure(rule): try c.encode(rule, forKey: .procedure)
        case let .history(rule): try c.encode(rule, forKey: .history)
        case let .allOf(rules): try c.encode(rules, forKey: .allOf)
        case let .anyOf(rules): try c.encode(rules, forKey: .anyOf)
        case let .not(rule): try c.encode(rule, forKey: .not)
        }
    }
}
