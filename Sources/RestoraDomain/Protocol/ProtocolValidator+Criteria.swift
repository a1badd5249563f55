/// Checks of inclusion and exclusion criteria: every rule must be able to match something.
extension ProtocolValidator {
    static func checkCriteria(_ criteria: [Criterion], at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        for (i, criterion) in criteria.enumerated() {
            let itemPath = path.index(i)
            if isBlank(criterion.id) { issues.append(.init(itemPath.key("id"), "a criterion needs an id")) }
            if isBlank(criterion.text) { issues.append(.init(itemPath.key("text"), "a criterion needs its text")) }
            checkRule(criterion.rule, at: itemPath.key("rule"), &issues)
        }
    }

    static func checkRule(_ rule: CriterionRule, at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        let here = path.key(rule.kind.stringValue)
        switch rule {
        case let .age(age):
            if age.min == nil && age.max == nil { issues.append(.init(here, "an age rule needs min or max")) }
            if let low = age.min, low < 0 { issues.append(.init(here.key("min"), "age must not be negative")) }
            if let low = age.min, let high = age.max, low > high {
                issues.append(.init(here.key("min"), "min \(low) is above max \(high)"))
            }
        case let .sex(sexes):
            if sexes.isEmpty { issues.append(.init(here, "name at least one sex")) }
        case .postmenopausal:
            break
        case let .diagnosis(diagnosis):
            let all = (diagnosis.codes ?? []) + (diagnosis.prefixes ?? [])
            if all.isEmpty { issues.append(.init(here, "a diagnosis rule needs codes or prefixes")) }
            if all.contains(where: isBlank) { issues.append(.init(here, "diagnosis codes must not be empty")) }
        case let .latest(latest):
            checkCoding(latest.code, at: here.key("code"), &issues)
            checkWindow(latest.withinDays, at: here.key("withinDays"), &issues)
            if isBlank(latest.unit) { issues.append(.init(here.key("unit"), "a threshold needs its unit")) }
            if !latest.value.isFinite { issues.append(.init(here.key("value"), "must be a finite number")) }
            for (j, conversion) in (latest.conversions ?? []).enumerated() {
                let convPath = here.key("conversions").index(j)
                if !(conversion.factor > 0) || !conversion.factor.isFinite {
                    issues.append(.init(convPath.key("factor"), "a conversion factor must be a positive number"))
                }
                if conversion.from == latest.unit { issues.append(.init(convPath.key("from"), "converts from the rule's own unit")) }
            }
        case let .count(count):
            checkCoding(count.code, at: here.key("code"), &issues)
            checkWindow(count.withinDays, at: here.key("withinDays"), &issues)
            if count.atLeast < 1 { issues.append(.init(here.key("atLeast"), "atLeast must be 1 or more")) }
            if let apart = count.minimumDaysApart, apart < 0 {
                issues.append(.init(here.key("minimumDaysApart"), "must not be negative"))
            }
            for (j, value) in (count.values ?? []).enumerated() { checkCoding(value, at: here.key("values").index(j), &issues) }
        case let .medication(medication):
            if (medication.classes ?? []).isEmpty && (medication.codes ?? []).isEmpty {
                issues.append(.init(here, "a medication rule needs classes or codes"))
            }
            if let days = medication.withinDays { checkWindow(days, at: here.key("withinDays"), &issues) }
            for (j, code) in (medication.codes ?? []).enumerated() { checkCoding(code, at: here.key("codes").index(j), &issues) }
        case let .procedure(procedure):
            if (procedure.kinds ?? []).isEmpty && (procedure.codes ?? []).isEmpty {
                issues.append(.init(here, "a procedure rule needs kinds or codes"))
            }
        case let .history(history):
            if (history.kinds ?? []).isEmpty && (history.codes ?? []).isEmpty {
                issues.append(.init(here, "a history rule needs kinds or codes"))
            }
            for (j, code) in (history.codes ?? []).enumerated() { checkCoding(code, at: here.key("codes").index(j), &issues) }
        case let .allOf(rules), let .anyOf(rules):
            if rules.isEmpty { issues.append(.init(here, "\(rule.kind.stringValue) needs at least one rule")) }
            for (j, child) in rules.enumerated() { checkRule(child, at: here.index(j), &issues) }
        case let .not(child):
            checkRule(child, at: here, &issues)
        }
    }

    private static func checkWindow(_ days: Int, at path: DocumentPath, _ issues: inout [ProtocolIssue]) {
        if days < 0 { issues.append(.init(path, "a window must not be negative, got \(days)")) }
    }
}
