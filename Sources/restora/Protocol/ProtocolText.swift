import Foundation
import RestoraDomain

/// The human-readable form of a protocol for `restora protocol show`.
enum ProtocolText {
    static func render(_ d: ProtocolDefinition) -> String {
        var lines = ["\(d.title)", "id \(d.id), version \(d.version), \(d.kind.rawValue)"]
        if let summary = d.summary { lines += ["", summary.trimmingCharacters(in: .whitespacesAndNewlines)] }
        lines += ["", "Arms:"] + d.arms.map { "  \($0.id): \($0.title) [\($0.interventions.joined(separator: ", "))]" }
        lines += ["", "Interventions:"] + d.interventions.map { "  \($0.id): \(intervention($0))" }
        lines += ["", "Inclusion:"] + d.inclusion.map(criterion)
        lines += ["", "Exclusion:"] + d.exclusion.map(criterion)
        lines += ["", "Schedule (day 0 = first dose or injection):"] + d.schedule.map { visit in
            let window = "day \(visit.day) (\(visit.earliestDay)…\(visit.latestDay))"
            return "  \(visit.key): \(window) — \(visit.title); collects \(visit.collect.joined(separator: ", "))"
        }
        lines += ["", "Primary endpoints:"] + d.endpoints.primary.map { "  \($0.id): \($0.title)" }
        lines += ["Secondary endpoints:"] + d.endpoints.secondary.map { "  \($0.id): \($0.title)" }
        if !d.safetyRules.isEmpty {
            lines += ["", "Safety rules:"] + d.safetyRules.map { "  \($0.id): \($0.description) → \($0.action.displayName)" }
        }
        if let release = d.release {
            let dose = release.dose.map { " dose \(NumberText.plain($0.minimumCells))–\(NumberText.plain($0.maximumCells)) cells (\($0.basis.rawValue))" } ?? ""
            lines += ["", "Release: \(release.identity.count) identity markers, viability ≥ \(NumberText.plain(release.minimumViabilityPercent)) %, "
                      + "endotoxin ≤ \(NumberText.plain(release.endotoxinLimit.value)) \(release.endotoxinLimit.unit.rawValue),\(dose)"]
        }
        if !d.counselling.isEmpty { lines += ["", "Counselling checklist:"] + d.counselling.map { "  [ ] \($0.text)" } }
        if !d.defaults.isEmpty {
            lines += ["", "Defaults (not confirmed by REFERENCE.md; configurable):"] + d.defaults.map { "  \($0.item): \($0.value) — \($0.reason)" }
        }
        return lines.joined(separator: "\n")
    }

    private static func criterion(_ c: Criterion) -> String {
        "  \(c.id): \(c.text.trimmingCharacters(in: .whitespacesAndNewlines))" + (c.reference.map { "\n      source: \($0)" } ?? "")
    }

    private static func intervention(_ i: Intervention) -> String {
        switch i.detail {
        case let .drug(r):
            return "\(r.drug.display ?? r.drug.code) \(r.dose) \(r.route) \(r.timesPerDay.map { "\($0)× daily" } ?? r.frequency.description) for \(r.durationWeeks) weeks"
        case let .procedure(step):
            var parts = ["\(i.title) (\(step.step.rawValue))"]
            if let tissues = step.sourceTissues { parts.append("source \(tissues.joined(separator: " or "))") }
            if let sites = step.anatomicalSites { parts.append("sites \(sites.joined(separator: ", "))") }
            if let imaging = step.imagingGuidance { parts.append("imaging \(imaging.map(\.rawValue).joined(separator: " or "))") }
            if let dose = step.doseCells { parts.append("dose \(dose.text) cells") }
            return parts.joined(separator: "; ")
        }
    }
}
