/// Evaluates criterion rules against one participant record on one date. Only facts dated on or before the
/// date count: screening on a past date must give the answer the screener would have had then.
struct RuleEvaluator: Sendable {
    let record: ParticipantRecord
    let date: CalendarDate

    func evaluate(_ rule: CriterionRule) -> RuleResult {
        switch rule {
        case let .age(age): return evaluateAge(age)
        case let .sex(sexes): return evaluateSex(sexes)
        case let .postmenopausal(wanted): return evaluateMenopause(wanted)
        case let .diagnosis(diagnosis): return evaluateDiagnosis(diagnosis)
        case let .latest(latest): return evaluateLatest(latest)
        case let .count(count): return evaluateCount(count)
        case let .medication(medication): return evaluateMedication(medication)
        case let .procedure(procedure): return evaluateProcedure(procedure)
        case let .history(history): return evaluateHistory(history)
        case let .allOf(rules): return combineAll(rules.map(evaluate))
        case let .anyOf(rules): return combineAny(rules.map(evaluate))
        case let .not(child): return negate(evaluate(child))
        }
    }

    /// The first day of a window of `days` days ending on (and including) the screening date.
    func windowStart(_ days: Int) -> CalendarDate { date.adding(days: -days) }

    static func label(_ coding: Coding) -> String {
        coding.display.map { "\($0) (\(coding))" } ?? coding.description
    }

    private func evaluateAge(_ rule: AgeRule) -> RuleResult {
        let birth = record.participant.birthDate
        let age = birth.age(on: date)
        let evidence = Evidence(source: .participant, reference: "birthDate", date: birth, value: "\(age) years",
                                text: "age on \(date)")
        let bounds = AgeRule.text(rule)
        let inside = (rule.min.map { age >= $0 } ?? true) && (rule.max.map { age <= $0 } ?? true)
        return RuleResult(inside ? .met : .notMet, "age \(age) on \(date) (\(bounds))", evidence: [evidence])
    }

    private func evaluateSex(_ sexes: [Sex]) -> RuleResult {
        let sex = record.participant.sex
        let evidence = Evidence(source: .participant, reference: "sex", value: sex.rawValue, text: "recorded sex")
        let wanted = sexes.map(\.rawValue).joined(separator: " or ")
        if sexes.contains(sex) { return RuleResult(.met, "sex \(sex.rawValue) (\(wanted))", evidence: [evidence]) }
        if sex == .unknown {
            return RuleResult(.unknown, "sex not recorded (\(wanted))", evidence: [evidence], missing: ["the participant's sex"])
        }
        return RuleResult(.notMet, "sex \(sex.rawValue) (needs \(wanted))", evidence: [evidence])
    }

    private func evaluateMenopause(_ wanted: Bool) -> RuleResult {
        let word = wanted ? "postmenopausal" : "not postmenopausal"
        guard let recorded = record.participant.postmenopausal else {
            return RuleResult(.unknown, "menopausal status not recorded (needs \(word))", missing: ["menopausal status"])
        }
        let evidence = Evidence(source: .participant, reference: "postmenopausal", value: recorded ? "yes" : "no",
                                text: "recorded menopausal status")
        return RuleResult(recorded == wanted ? .met : .notMet, "postmenopausal: \(recorded ? "yes" : "no") (needs \(word))",
                          evidence: [evidence])
    }

    /// allOf: not met as soon as one part is not met; unknown if any part is unknown; otherwise met.
    private func combineAll(_ parts: [RuleResult]) -> RuleResult {
        let outcome: CriterionOutcome = parts.contains { $0.outcome == .notMet } ? .notMet
            : parts.contains { $0.outcome == .unknown } ? .unknown : .met
        return RuleResult(outcome, parts.map(\.summary).joined(separator: "; "),
                          evidence: parts.flatMap(\.evidence), missing: parts.flatMap(\.missing))
    }

    /// anyOf: met as soon as one part is met; unknown if any part is unknown; otherwise not met.
    private func combineAny(_ parts: [RuleResult]) -> RuleResult {
        if let met = parts.first(where: { $0.outcome == .met }) {
            return RuleResult(.met, met.summary, evidence: met.evidence)
        }
        let outcome: CriterionOutcome = parts.contains { $0.outcome == .unknown } ? .unknown : .notMet
        return RuleResult(outcome, parts.map(\.summary).joined(separator: "; "),
                          evidence: parts.flatMap(\.evidence), missing: parts.flatMap(\.missing))
    }

    private func negate(_ part: RuleResult) -> RuleResult {
        switch part.outcome {
        case .met: return RuleResult(.notMet, "not: \(part.summary)", evidence: part.evidence)
        case .notMet: return RuleResult(.met, "not: \(part.summary)", evidence: part.evidence)
        case .unknown: return part
        }
    }
}

extension AgeRule {
    static func text(_ rule: AgeRule) -> String {
        switch (rule.min, rule.max) {
        case let (low?, high?): "needs \(low)–\(high)"
        case let (low?, nil): "needs ≥ \(low)"
        case let (nil, high?): "needs ≤ \(high)"
        case (nil, nil): "no bound"
        }
    }
}
