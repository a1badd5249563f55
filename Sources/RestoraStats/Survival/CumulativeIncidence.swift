import Foundation

/// Cumulative incidence 1 − S(t) for a single event type (e.g. time to response), with the interval
/// obtained by reflecting the survival interval: [1 − upper, 1 − lower]. Valid when there are no
/// competing events; with competing risks use an Aalen–Johansen estimator instead.
public struct CumulativeIncidencePoint: Sendable, Equatable, Codable {
    public let time: Double
    public let atRisk: Int
    public let events: Int
    public let incidence: Double
    public let lower: Double?
    public let upper: Double?
}

extension KaplanMeierCurve {
    public var cumulativeIncidence: [CumulativeIncidencePoint] {
        steps.map { step in
            CumulativeIncidencePoint(
                time: step.time, atRisk: step.atRisk, events: step.events,
                incidence: 1 - step.survival,
                lower: step.upper.map { 1 - $0 },
                upper: step.lower.map { 1 - $0 })
        }
    }

    /// Survival, its interval and the number at risk at each requested time (R's summary(fit, times=)).
    public func summary(at times: [Double]) throws -> [KaplanMeierTimeSummary] {
        try times.map { t in
            guard t.isFinite, t >= 0 else {
                throw StatsError.invalidInput(field: "times", message: "\(t) is not a finite non-negative time")
            }
            let step = step(at: t)
            let eventsSoFar = steps.prefix { $0.time <= t }.reduce(0) { $0 + $1.events }
            return KaplanMeierTimeSummary(
                time: t, atRisk: atRisk(at: t), cumulativeEvents: eventsSoFar,
                survival: step?.survival ?? 1,
                standardError: step?.standardError ?? 0,
                lower: step == nil ? 1 : step?.lower, upper: step == nil ? 1 : step?.upper)
        }
    }
}

/// The curve read at a requested time.
public struct KaplanMeierTimeSummary: Sendable, Equatable, Codable {
    public let time: Double
    public let atRisk: Int
    public let cumulativeEvents: Int
    public let survival: Double
    public let standardError: Double
    public let lower: Double?
    public let upper: Double?
}

extension KaplanMeierTimeSummary {
    /// The same reading on the cumulative-incidence scale: 1 − S with the reflected interval.
    public var asIncidence: KaplanMeierTimeSummary {
        KaplanMeierTimeSummary(
            time: time, atRisk: atRisk, cumulativeEvents: cumulativeEvents, survival: 1 - survival,
            standardError: standardError, lower: upper.map { 1 - $0 }, upper: lower.map { 1 - $0 })
    }
}
