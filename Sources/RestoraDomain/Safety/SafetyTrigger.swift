/// When a safety rule fires. Encoded as a single-key object so protocol YAML reads naturally:
/// `{ observation: {...} }`, `{ ctcae: { term: hypertriglyceridemia, minimumGrade: 3 } }`,
/// `{ seriousAdverseEvent: {} }`.
public enum SafetyTrigger: Sendable, Equatable, Hashable {
    /// A numeric observation (code system + code) crossing a threshold in a given unit.
    case observation(ObservationThreshold)
    /// A CTCAE v5.0 term reaching at least a grade (REFERENCE.md E1).
    case ctcae(CTCAEGradeThreshold)
    /// Any adverse event judged serious (REFERENCE.md E3 deadlines apply when it is also reportable).
    case seriousAdverseEvent(SeriousAdverseEventCriteria)
}

public struct ObservationThreshold: Codable, Sendable, Equatable, Hashable {
    /// Code system as spelled in Model/Coding.swift (`loinc`, `snomed`, `restora`, …).
    public var system: CodeSystem
    public var code: String
    public var comparison: ThresholdComparison
    public var value: Double
    /// UCUM unit the threshold is written in; observations in another unit are converted when the
    /// conversion is known (mg/dL ↔ mmol/L for lipids), otherwise the rule reports it cannot evaluate.
    public var unit: String

    public var coding: Coding { Coding(system, code) }

    public init(system: CodeSystem, code: String, comparison: ThresholdComparison, value: Double, unit: String) {
        self.system = system
        self.code = code
        self.comparison = comparison
        self.value = value
        self.unit = unit
    }
}

public struct CTCAEGradeThreshold: Codable, Sendable, Equatable, Hashable {
    public var term: CTCAETerm
    /// Fires when the graded event is at this grade or worse (1–5).
    public var minimumGrade: Int

    public init(term: CTCAETerm, minimumGrade: Int) {
        self.term = term
        self.minimumGrade = minimumGrade
    }
}

/// Narrows which serious adverse events fire the rule. `{}` means every serious adverse event.
public struct SeriousAdverseEventCriteria: Codable, Sendable, Equatable, Hashable {
    /// When true, only events that are also unexpected and suspected (i.e. IND-reportable) fire.
    public var onlyReportable: Bool?

    public init(onlyReportable: Bool? = nil) { self.onlyReportable = onlyReportable }
}

extension SafetyTrigger: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case observation, ctcae, seriousAdverseEvent
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let present = CodingKeys.allCases.filter { container.contains($0) }
        guard present.count == 1, let key = present.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "trigger must have exactly one of: observation, ctcae, seriousAdverseEvent"))
        }
        switch key {
        case .observation:
            self = .observation(try container.decode(ObservationThreshold.self, forKey: .observation))
        case .ctcae:
            let threshold = try container.decode(CTCAEGradeThreshold.self, forKey: .ctcae)
            guard (1...5).contains(threshold.minimumGrade) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .ctcae, in: container, debugDescription: "ctcae.minimumGrade must be 1–5")
            }
            self = .ctcae(threshold)
        case .seriousAdverseEvent:
            // Accept `{}` and also a bare `null`/empty value, which YAML writers produce for `seriousAdverseEvent:`.
            let criteria = try container.decodeIfPresent(SeriousAdverseEventCriteria.self, forKey: .seriousAdverseEvent)
            self = .seriousAdverseEvent(criteria ?? SeriousAdverseEventCriteria())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .observation(threshold): try container.encode(threshold, forKey: .observation)
        case let .ctcae(threshold): try container.encode(threshold, forKey: .ctcae)
        case let .seriousAdverseEvent(criteria): try container.encode(criteria, forKey: .seriousAdverseEvent)
        }
    }
}
