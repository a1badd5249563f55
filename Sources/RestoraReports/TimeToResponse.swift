import RestoraStats

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
