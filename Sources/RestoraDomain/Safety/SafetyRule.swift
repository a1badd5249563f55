/// One protocol safety rule: when `trigger` fires on a new observation or adverse event, take `action`.
///
/// Protocol YAML embeds these directly, e.g.
/// ```yaml
/// safetyRules:
///   - id: tg-grade3-hold
///     description: Hold isotretinoin at grade 3 hypertriglyceridemia
///     trigger: { ctcae: { term: hypertriglyceridemia, minimumGrade: 3 } }
///     action: holdDrug
///   - id: alt-above-3x
///     description: Alert when ALT exceeds 120 U/L
///     trigger: { observation: { system: loinc, code: "1742-6", comparison: above, value: 120, unit: "U/L" } }
///     action: alert
///   - id: sae-report
///     description: Every serious adverse event goes to the sponsor and, when it qualifies, the FDA
///     trigger: { seriousAdverseEvent: {} }
///     action: report
/// ```
public struct SafetyRule: Codable, Sendable, Equatable, Hashable, Identifiable {
    public var id: String
    public var description: String
    public var trigger: SafetyTrigger
    public var action: SafetyAction
    public var note: String?

    public init(id: String, description: String, trigger: SafetyTrigger, action: SafetyAction, note: String? = nil) {
        self.id = id
        self.description = description
        self.trigger = trigger
        self.action = action
        self.note = note
    }
}

/// What the protocol asks for when a rule fires. Ordered by escalation so the strongest of several
/// fired rules can be picked with `max()`.
public enum SafetyAction: String, Codable, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case alert
    case holdDrug
    case stopTreatment
    case report

    private var rank: Int {
        switch self {
        case .alert: 0
        case .report: 1
        case .holdDrug: 2
        case .stopTreatment: 3
        }
    }

    public static func < (lhs: SafetyAction, rhs: SafetyAction) -> Bool { lhs.rank < rhs.rank }

    public var displayName: String {
        switch self {
        case .alert: "alert the investigator"
        case .holdDrug: "hold the study drug"
        case .stopTreatment: "stop treatment"
        case .report: "report (expedited safety reporting)"
        }
    }
}

/// Comparisons are words, not symbols: in YAML a bare `>` starts a folded block scalar.
public enum ThresholdComparison: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case above          // value > threshold
    case atOrAbove      // value ≥ threshold
    case below          // value < threshold
    case atOrBelow      // value ≤ threshold

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .above: ClinicalComparison.isAbove(value, threshold)
        case .atOrAbove: ClinicalComparison.isAtOrAbove(value, threshold)
        case .below: ClinicalComparison.isBelow(value, threshold)
        case .atOrBelow: ClinicalComparison.isAtOrBelow(value, threshold)
        }
    }

    public var symbol: String {
        switch self {
        case .above: ">"
        case .atOrAbove: "≥"
        case .below: "<"
        case .atOrBelow: "≤"
        }
    }
}
