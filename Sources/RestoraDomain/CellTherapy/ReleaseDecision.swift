/// Released, rejected, or not yet decidable — with every criterion's result (REFERENCE.md D2).
public struct ReleaseDecision: Codable, Sendable, Equatable, Hashable {
    public enum Outcome: String, Codable, Sendable, Equatable {
        case released
        /// At least one criterion failed. Missing results are still listed, but cannot rescue a failure.
        case rejected
        /// Nothing failed, but some results are missing: "cannot decide: missing X".
        case cannotDecide
    }

    public var outcome: Outcome
    public var criteria: [ReleaseCriterionResult]
    public var specification: ReleaseSpecification
    /// Where the specification came from: "built-in ISCT 2006 defaults" or "protocol <id>".
    public var specificationSource: String

    public var failed: [ReleaseCriterionResult] { criteria.filter { $0.status == .fail } }
    public var missing: [ReleaseCriterionResult] { criteria.filter { $0.status == .missing } }

    /// One line a release form can print.
    public var summary: String {
        switch outcome {
        case .released: return "released: all \(criteria.filter { $0.status == .pass }.count) criteria met"
        case .rejected: return "rejected: " + failed.map(\.criterion).joined(separator: "; ")
        case .cannotDecide: return "cannot decide: missing " + missing.map(\.criterion).joined(separator: "; ")
        }
    }

    public init(criteria: [ReleaseCriterionResult], specification: ReleaseSpecification, specificationSource: String) {
        self.criteria = criteria
        self.specification = specification
        self.specificationSource = specificationSource
        if criteria.contains(where: { $0.status == .fail }) {
            outcome = .rejected
        } else if criteria.contains(where: { $0.status == .missing }) {
            outcome = .cannotDecide
        } else {
            outcome = .released
        }
    }

    private enum CodingKeys: String, CodingKey { case outcome, summary, criteria, specification, specificationSource }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(criteria: try c.decode([ReleaseCriterionResult].self, forKey: .criteria),
                  specification: try c.decode(ReleaseSpecification.self, forKey: .specification),
                  specificationSource: try c.decode(String.self, forKey: .specificationSource))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(summary, forKey: .summary)
        try c.encode(criteria, forKey: .criteria)
        try c.encode(specification, forKey: .specification)
        try c.encode(specificationSource, forKey: .specificationSource)
    }
}

public struct ReleaseCriterionResult: Codable, Sendable, Equatable, Hashable {
    public enum Status: String, Codable, Sendable, Equatable { case pass, fail, missing }

    /// e.g. "identity CD73", "viability", "endotoxin", "dose".
    public var criterion: String
    /// e.g. "≥ 95 %", "≤ 5 EU/kg", "no growth (14 d)".
    public var requirement: String
    /// What was measured, as text; nil when missing.
    public var observed: String?
    public var status: Status
    /// For `missing`, what is needed ("needs participant weight").
    public var note: String?

    public init(criterion: String, requirement: String, observed: String?, status: Status, note: String? = nil) {
        self.criterion = criterion
        self.requirement = requirement
        self.observed = observed
        self.status = status
        self.note = note
    }
}
