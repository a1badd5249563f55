import RestoraDomain

/// The human-readable screening report: verdict first, then every criterion with its evidence.
enum ScreenText {
    static func render(_ report: EligibilityReport) -> String {
        var lines = ["Participant \(report.participantID) — \(report.protocolID) v\(report.protocolVersion) on \(report.date)",
                     "Verdict: \(report.verdict.rawValue.uppercased())"]
        switch report.verdict {
        case .ineligible: lines.append("Fails: \(report.failing.joined(separator: ", "))")
        case .incomplete: lines += ["Missing:"] + report.missing.map { "  - \($0)" }
        case .eligible: break
        }
        for role in [CriterionResult.Role.inclusion, .exclusion] {
            lines += ["", role == .inclusion ? "Inclusion criteria:" : "Exclusion criteria:"]
            for result in report.criteria where result.role == role {
                lines.append("  [\(mark(result))] \(result.id): \(result.outcome.rawValue) — \(result.summary)")
                lines += result.evidence.map { "        evidence: \($0)" }
                lines += result.missing.map { "        missing: \($0)" }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// ✗ marks a criterion that disqualifies, ? one that is unknown, ✓ one that is fine.
    private static func mark(_ result: CriterionResult) -> String {
        if result.disqualifies { return "✗" }
        return result.outcome == .unknown ? "?" : "✓"
    }
}
