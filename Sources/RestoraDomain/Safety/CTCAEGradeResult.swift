/// The baseline a relative CTCAE rule needs: stated normal, or the baseline value (same unit as the value).
/// Encoded as the string `"normal"` or a number, so JSON/YAML read `baseline: normal` or `baseline: 85`.
public enum CTCAEBaseline: Sendable, Equatable, Hashable {
    case normal
    case value(Double)
}

extension CTCAEBaseline: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .value(number)
            return
        }
        let text = try container.decode(String.self)
        guard text.lowercased() == "normal" else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "baseline must be \"normal\" or a number; got '\(text)'")
        }
        self = .normal
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .normal: try container.encode("normal")
        case let .value(v): try container.encode(v)
        }
    }
}

/// How sure REFERENCE.md is of the criteria used (its confidence key): C read in an authoritative text,
/// U not confirmed — shown so a U grade is treated as a configurable default, not a cited fact.
public enum SourceConfidence: String, Codable, Sendable, Equatable, Hashable {
    case confirmed = "C"
    case unconfirmed = "U"
}

/// A CTCAE v5.0 grade with the criterion that produced it. `grade` is nil when the rule could not decide
/// (`cannotGrade` says what it needs); 0 means below grade 1.
public struct CTCAEGradeResult: Codable, Sendable, Equatable {
    public var term: CTCAETerm
    public var termName: String
    public var grade: Int?
    /// The CTCAE criterion text of the grade assigned.
    public var criterion: String?
    /// Which rule applied, e.g. "baseline normal: multiples of ULN".
    public var rule: String?
    /// The value divided by ULN or baseline, for relative rules.
    public var multiple: Double?
    public var value: Double?
    public var unit: String?
    public var cannotGrade: String?
    public var confidence: SourceConfidence
    public var source: String

    public init(
        term: CTCAETerm, grade: Int?, criterion: String?, rule: String? = nil, multiple: Double? = nil,
        value: Double? = nil, unit: String? = nil, cannotGrade: String? = nil, confidence: SourceConfidence = .confirmed
    ) {
        self.term = term
        self.termName = term.displayName
        self.grade = grade
        self.criterion = criterion
        self.rule = rule
        self.multiple = multiple
        self.value = value
        self.unit = unit
        self.cannotGrade = cannotGrade
        self.confidence = confidence
        self.source = "CTCAE v5.0 (REFERENCE.md E1)"
    }

    static let belowGradeOne = "below grade 1: no adverse event by CTCAE v5.0 criteria"
}
