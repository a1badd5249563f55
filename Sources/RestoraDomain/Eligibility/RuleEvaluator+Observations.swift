/// Observation rules: the latest value in a window, and counts of observations in a window.
extension RuleEvaluator {
    /// Observations of `code` dated inside the window ending on the screening date, newest first; ties broken
    /// by id so the choice of "latest" never depends on input order.
    func observations(of code: Coding, withinDays days: Int) -> [Observation] {
        let start = windowStart(days)
        return record.observations
            .filter { $0.code.sameConcept(as: code) && $0.effectiveDate >= start && $0.effectiveDate <= date }
            .sorted { ($0.effective, $1.id.rawValue) > ($1.effective, $0.id.rawValue) }
    }

    func evaluateLatest(_ rule: LatestValueRule) -> RuleResult {
        let name = Self.label(rule.code)
        let threshold = "\(rule.comparison.symbol) \(NumberText.plain(rule.value)) \(rule.unit)"
        guard let latest = observations(of: rule.code, withinDays: rule.withinDays).first else {
            let older = record.observations.filter { $0.code.sameConcept(as: rule.code) && $0.effectiveDate <= date }
                .map(\.effectiveDate).max()
            let note = older.map { " (latest on \($0) is older)" } ?? ""
            return RuleResult(.unknown, "no \(name) within \(rule.withinDays) days\(note)",
                              missing: ["\(name) within \(rule.withinDays) days before \(date)\(note)"])
        }
        let evidence = Self.evidence(latest)
        guard let value = convertedValue(latest.value, to: rule) else {
            let found = Self.valueText(latest.value)
            return RuleResult(.unknown, "\(name) \(found) cannot be compared with \(threshold)", evidence: [evidence],
                              missing: ["\(name) in \(rule.unit) (found \(found) on \(latest.effectiveDate); no conversion declared)"])
        }
        let holds = rule.comparison.holds(value, rule.value)
        let shown = "\(NumberText.rounded(value, places: 2)) \(rule.unit)"
        return RuleResult(holds ? .met : .notMet, "\(name) \(shown) on \(latest.effectiveDate) (\(threshold))",
                          evidence: [evidence])
    }

    /// The value in the rule's unit: as recorded, or converted by a declared factor. Integers (scores) are
    /// accepted for dimensionless rule units ("1" or a UCUM annotation such as "{score}").
    private func convertedValue(_ value: ObservationValue, to rule: LatestValueRule) -> Double? {
        switch value {
        case let .quantity(quantity):
            if quantity.unit == rule.unit { return quantity.value }
            return rule.conversions?.first { $0.from == quantity.unit }.map { quantity.value * $0.factor }
        case let .integer(number):
            return rule.unit == "1" || rule.unit.hasPrefix("{") ? Double(number) : nil
        default:
            return nil
        }
    }

    /// Counted = coded value in the set and specimen handling as required. An observation with the right value
    /// but without the required handling (pellet not examined, or not recorded) neither counts nor speaks
    /// against; one with another value speaks against. Not met needs such contrary evidence, so a short
    /// count with no contrary result stays unknown (more analyses may come).
    func evaluateCount(_ rule: ObservationCountRule) -> RuleResult {
        let name = Self.label(rule.code)
        var counted: [Observation] = [], unconfirmed: [Observation] = [], contrary: [Observation] = []
        for observation in observations(of: rule.code, withinDays: rule.withinDays) {
            if let values = rule.values, !values.contains(where: { observation.value.coding?.sameConcept(as: $0) == true }) {
                contrary.append(observation)
            } else if let condition = rule.specimen, !Self.meets(condition, observation.specimen) {
                unconfirmed.append(observation)
            } else {
                counted.append(observation)
            }
        }
        let spaced = Self.spaced(counted, minimumDaysApart: rule.minimumDaysApart ?? 0)
        let evidence = (counted + unconfirmed + contrary)
            .sorted { ($0.effective, $0.id.rawValue) < ($1.effective, $1.id.rawValue) }.map(Self.evidence)
        let need = Self.countRequirement(rule)
        let summary = "\(spaced.count) of \(rule.atLeast) needed: \(need)"
        if spaced.count >= rule.atLeast { return RuleResult(.met, summary, evidence: evidence) }
        if !contrary.isEmpty && counted.count + unconfirmed.count < rule.atLeast {
            return RuleResult(.notMet, summary + "; \(contrary.count) with another result", evidence: evidence)
        }
        var missing = ["\(need) (found \(spaced.count))"]
        if !unconfirmed.isEmpty {
            missing.append("\(unconfirmed.count) \(name) lack the required specimen handling (\(Self.conditionText(rule.specimen)))")
        }
        if counted.count > spaced.count {
            missing.append("results must be at least \(rule.minimumDaysApart ?? 0) days apart")
        }
        return RuleResult(.unknown, summary, evidence: evidence, missing: missing)
    }

    /// The most observations, earliest first, each at least `minimumDaysApart` after the previous one.
    static func spaced(_ observations: [Observation], minimumDaysApart: Int) -> [Observation] {
        var chosen: [Observation] = []
        for observation in observations.sorted(by: { ($0.effective, $0.id.rawValue) < ($1.effective, $1.id.rawValue) }) {
            if let last = chosen.last, last.effectiveDate.days(until: observation.effectiveDate) < minimumDaysApart { continue }
            chosen.append(observation)
        }
        return chosen
    }

    static func meets(_ condition: SpecimenCondition, _ specimen: SpecimenDetails?) -> Bool {
        if let wanted = condition.pelletExamined, specimen?.pelletExamined != wanted { return false }
        if let wanted = condition.centrifuged, specimen?.centrifuged != wanted { return false }
        return true
    }

    static func conditionText(_ condition: SpecimenCondition?) -> String {
        guard let condition else { return "none" }
        var parts: [String] = []
        if let pellet = condition.pelletExamined { parts.append(pellet ? "centrifuged pellet examined" : "pellet not examined") }
        if let spun = condition.centrifuged { parts.append(spun ? "centrifuged" : "not centrifuged") }
        return parts.joined(separator: ", ")
    }

    static func countRequirement(_ rule: ObservationCountRule) -> String {
        var text = "\(rule.atLeast)× \(label(rule.code))"
        if let values = rule.values { text += " = \(values.map(\.code).joined(separator: " or "))" }
        if rule.specimen != nil { text += " with \(conditionText(rule.specimen))" }
        if let apart = rule.minimumDaysApart, apart > 0 { text += ", ≥ \(apart) days apart" }
        return text + " within \(rule.withinDays) days"
    }

    static func evidence(_ observation: Observation) -> Evidence {
        var text = label(observation.code)
        if let pellet = observation.specimen?.pelletExamined { text += pellet ? " (pellet examined)" : " (pellet not examined)" }
        return Evidence(source: .observation, reference: observation.id.rawValue, date: observation.effectiveDate,
                        value: valueText(observation.value), text: text)
    }

    static func valueText(_ value: ObservationValue) -> String {
        switch value {
        case let .quantity(quantity): "\(NumberText.plain(quantity.value)) \(quantity.unit)"
        case let .coded(coding): coding.display ?? coding.description
        case let .integer(number): String(number)
        case let .boolean(flag): flag ? "yes" : "no"
        case let .text(text): text
        }
    }
}
