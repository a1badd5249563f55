import RestoraStats

/// Responders / n with exact (Clopper–Pearson) and Wilson score 95 % intervals.
public struct PrimaryEndpoint: Codable, Sendable, Equatable {
    public var endpointID: String
    public var title: String
    public var rule: String
    public var responders: Int
    public var analysed: Int
    public var proportion: Double
    public var clopperPearson: IntervalEstimate
    public var wilson: IntervalEstimate
    /// e.g. "11/30 (36.7%, Clopper–Pearson 95% CI 19.9% to 56.1%)".
    public var text: String

    static func compute(_ outcomes: [SemenOutcome], endpointID: String, title: String, rule: ResponseRule) throws -> ReportSection<PrimaryEndpoint> {
        guard !outcomes.isEmpty else {
            return ReportSection(unavailable: "no participant has started treatment, so there is no one to analyse yet")
        }
        let x = outcomes.filter(\.responder).count, n = outcomes.count
        let exact = try Proportion.interval(successes: x, trials: n, method: .clopperPearson)
        let score = try Proportion.interval(successes: x, trials: n, method: .wilson)
        let cp = IntervalEstimate(method: "Clopper–Pearson (exact)", lower: exact.interval.lower, upper: exact.interval.upper)
        let wilson = IntervalEstimate(method: "Wilson score", lower: score.interval.lower, upper: score.interval.upper)
        var notes: [String] = []
        if x == 0 { notes.append("no responders yet: the upper limit of the interval is what the data still allow") }
        let unreadable = outcomes.reduce(0) { $0 + $1.unreadableSamples }
        if unreadable > 0 { notes.append("\(unreadable) semen analyses could not be read (unit or value problems) and were left out") }
        return ReportSection(PrimaryEndpoint(
            endpointID: endpointID, title: title, rule: rule.description, responders: x, analysed: n,
            proportion: exact.estimate, clopperPearson: cp, wilson: wilson,
            text: "\(x)/\(n) (\(ReportNumber.percent(exact.estimate)), Clopper–Pearson 95% CI \(cp.text))"), notes: notes)
    }
}

extension Optional where Wrapped == Double {
    /// nil for NaN or infinity: a report prints "not estimable" rather than NaN.
    var finite: Double? { flatMap { $0.isFinite ? $0 : nil } }
}
