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

/// Time to first response as a cumulative incidence 1 − KM (no competing events: every participant either
/// responds or is censored at the last semen analysis).
public struct TimeToResponse: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var months: Double
        public var incidence: Double
        public var lower: Double?
        public var upper: Double?
        public var atRisk: Int
        public var events: Int
    }

    public struct Landmark: Codable, Sendable, Equatable {
        public var months: Double
        public var incidence: Double
        public var lower: Double?
        public var upper: Double?
        public var atRisk: Int
        public var respondersSoFar: Int
        public var text: String
    }

    public struct AtRisk: Codable, Sendable, Equatable {
        public var months: Int
        public var atRisk: Int
    }

    public var subjects: Int
    public var responders: Int
    public var curve: [Point]
    public var numbersAtRisk: [AtRisk]
    public var landmarks: [Landmark]
    /// Responders whose first response came by month 3, e.g. "9 of 11 responders (81.8%)".
    public var respondersByMonth3: Int
    public var respondersByMonth3Text: String
    public var maximumFollowUpMonths: Double

    static func compute(_ outcomes: [SemenOutcome]) throws -> ReportSection<TimeToResponse> {
        guard !outcomes.isEmpty else { return ReportSection(unavailable: "no participant has started treatment") }
        let responders = outcomes.filter(\.responder)
        guard !responders.isEmpty else {
            return ReportSection(unavailable: "no responses so far among \(outcomes.count) participants: the cumulative incidence is 0 throughout, so there is no curve to draw")
        }
        let fit = try KaplanMeier.fit(time: outcomes.map(\.months), event: outcomes.map(\.responder))
        let curve = fit.cumulativeIncidence.map {
            Point(months: $0.time, incidence: $0.incidence, lower: $0.lower.finite, upper: $0.upper.finite, atRisk: $0.atRisk, events: $0.events)
        }
        let maxMonths = outcomes.map(\.months).max() ?? 0
        let ticks = Array(0...Int(maxMonths.rounded(.up)))
        let summaries = try fit.summary(at: [3, 6]).map(\.asIncidence)
        let landmarks = summaries.map { s in
            Landmark(months: s.time, incidence: s.survival, lower: s.lower.finite, upper: s.upper.finite, atRisk: s.atRisk,
                     respondersSoFar: s.cumulativeEvents,
                     text: "\(ReportNumber.percent(s.survival)) by month \(Int(s.time)) (\(ReportNumber.count(s.cumulativeEvents, "responder")))")
        }
        let early = responders.filter { $0.months <= 3 }.count
        return ReportSection(TimeToResponse(
            subjects: outcomes.count, responders: responders.count, curve: curve,
            numbersAtRisk: ticks.map { AtRisk(months: $0, atRisk: fit.atRisk(at: Double($0))) },
            landmarks: landmarks, respondersByMonth3: early,
            respondersByMonth3Text: "\(early) of \(ReportNumber.count(responders.count, "responder")) (\(ReportNumber.percent(Double(early) / Double(responders.count))))",
            maximumFollowUpMonths: maxMonths),
            notes: ["months = days from day 0 / 30.44; the scheduled day of the visit is used, as responses are only seen at visits"])
    }
}

extension Optional where Wrapped == Double {
    /// nil for NaN or infinity: a report prints "not estimable" rather than NaN.
    var finite: Double? { flatMap { $0.isFinite ? $0 : nil } }
}
