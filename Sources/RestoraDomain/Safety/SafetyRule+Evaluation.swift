/// A rule that fired, with why — what a safety alert shows.
public struct SafetyRuleFiring: Codable, Sendable, Equatable {
    public var ruleID: String
    public var description: String
    public var action: SafetyAction
    public var reason: String
    public var note: String?
    /// Set when the firing event is a serious adverse event (REFERENCE.md E3).
    public var reportingDeadline: SAEReportingDeadline?
}

/// The outcome of running a protocol's rules on one new observation or adverse event.
public struct SafetyEvaluation: Codable, Sendable, Equatable {
    public var fired: [SafetyRuleFiring]
    /// Rules that apply to this input but could not be evaluated, with the reason (missing ULN, unit).
    public var notEvaluated: [String]
    /// The strongest action among fired rules (stop > hold > report > alert).
    public var strongestAction: SafetyAction? { fired.map(\.action).max() }
}

/// Context a laboratory observation needs for CTCAE-based rules: the lab's ULN and the participant's baseline.
public struct LabGradingContext: Sendable, Equatable {
    public var upperLimitOfNormal: Double?
    public var baseline: CTCAEBaseline?

    public init(upperLimitOfNormal: Double? = nil, baseline: CTCAEBaseline? = nil) {
        self.upperLimitOfNormal = upperLimitOfNormal
        self.baseline = baseline
    }
}

extension Array where Element == SafetyRule {
    /// Runs every rule on a new observation: observation thresholds on matching codes, CTCAE rules when the
    /// code maps to a graded laboratory term.
    public func evaluate(_ observation: Observation, lab: LabGradingContext = LabGradingContext()) -> SafetyEvaluation {
        var result = SafetyEvaluation(fired: [], notEvaluated: [])
        for rule in self {
            switch rule.trigger {
            case let .observation(threshold):
                guard observation.code.sameConcept(as: threshold.coding) else { continue }
                guard let quantity = observation.value.quantity, quantity.value.isFinite else {
                    result.notEvaluated.append("\(rule.id): observation has no finite numeric value")
                    continue
                }
                guard let value = Self.converted(quantity, to: threshold.unit, code: observation.code) else {
                    result.notEvaluated.append("\(rule.id): cannot compare \(quantity.unit) with threshold unit \(threshold.unit)")
                    continue
                }
                if threshold.comparison.holds(value, threshold.value) {
                    result.fired.append(.init(
                        ruleID: rule.id, description: rule.description, action: rule.action,
                        reason: "\(observation.code.display ?? observation.code.code) \(UnitText.quantity(NumberText.plain(value), threshold.unit)) \(threshold.comparison.symbol) \(UnitText.quantity(NumberText.plain(threshold.value), threshold.unit))",
                        note: rule.note))
                }
            case let .ctcae(threshold):
                guard CTCAELabCodes.term(for: observation.code) == threshold.term, let quantity = observation.value.quantity else { continue }
                let measurement = CTCAELabMeasurement(term: threshold.term, value: quantity.value, unit: quantity.unit,
                                                      upperLimitOfNormal: lab.upperLimitOfNormal, baseline: lab.baseline)
                do {
                    let graded = try CTCAELabGrading.grade(measurement)
                    guard let grade = graded.grade else {
                        result.notEvaluated.append("\(rule.id): \(graded.cannotGrade ?? "cannot grade")")
                        continue
                    }
                    if grade >= threshold.minimumGrade {
                        result.fired.append(.init(
                            ruleID: rule.id, description: rule.description, action: rule.action,
                            reason: "\(threshold.term.displayName) grade \(grade) (\(graded.criterion ?? "")) ≥ grade \(threshold.minimumGrade)",
                            note: rule.note))
                    }
                } catch {
                    result.notEvaluated.append("\(rule.id): \(error)")
                }
            case .seriousAdverseEvent:
                continue
            }
        }
        return result
    }

    /// Runs every rule on a new or updated adverse event: CTCAE grade rules on the event's term, and
    /// serious-adverse-event rules, which also carry the reporting deadline (REFERENCE.md E3).
    public func evaluate(_ event: AdverseEvent) throws -> SafetyEvaluation {
        let ae = try event.validated()
        try CTCAEClinicianCriteria.validate(ae)
        var result = SafetyEvaluation(fired: [], notEvaluated: [])
        let term = CTCAETerm(displayName: ae.term)
        for rule in self {
            switch rule.trigger {
            case let .ctcae(threshold):
                guard term == threshold.term, ae.grade >= threshold.minimumGrade else { continue }
                result.fired.append(.init(
                    ruleID: rule.id, description: rule.description, action: rule.action,
                    reason: "\(threshold.term.displayName) grade \(ae.grade) ≥ grade \(threshold.minimumGrade)", note: rule.note))
            case let .seriousAdverseEvent(criteria):
                guard ae.isSerious else { continue }
                let deadline = try SAEReportingDeadline.evaluate(ae)
                let reportable = deadline.category == .sevenDay || deadline.category == .fifteenDay
                if criteria.onlyReportable == true && !reportable { continue }
                result.fired.append(.init(
                    ruleID: rule.id, description: rule.description, action: rule.action,
                    reason: "serious adverse event (\(ae.seriousness.map(\.rawValue).joined(separator: ", ")))",
                    note: rule.note, reportingDeadline: deadline))
            case .observation:
                continue
            }
        }
        return result
    }

    static func converted(_ quantity: Quantity, to unit: String, code: Coding) -> Double? {
        if quantity.unit == unit { return quantity.value }
        if let from = CTCAELabUnit(spelling: quantity.unit), let to = CTCAELabUnit(spelling: unit) {
            if from == to { return quantity.value }
            if let lipid = CTCAELabCodes.lipid(for: code) { return try? lipid.convert(quantity.value, from: from, to: to) }
        }
        return nil
    }
}

extension CTCAETerm {
    /// Matches an adverse event's free-text CTCAE term ("Dry skin", "ALT increased", "hypertriglyceridemia").
    public init?(displayName: String) {
        let trimmed = displayName.trimmingCharacters(in: .whitespaces)
        if let term = CTCAETerm.allCases.first(where: { $0.displayName.lowercased() == trimmed.lowercased() }) {
            self = term
            return
        }
        let key = trimmed.lowercased()
        if key == "rash" || key == "rash maculopapular" { self = .rashMaculoPapular; return }
        if key.hasSuffix(" increased"), let term = CTCAETerm(alias: String(key.dropLast(" increased".count))) {
            self = term
            return
        }
        self.init(alias: key.replacingOccurrences(of: " ", with: ""))
    }
}
