import Foundation

/// Schoenfeld's (1981) events and subjects for a log-rank comparison of two groups.
public struct LogRankSampleSize: Sendable, Equatable, Codable {
    /// Required number of events, real and rounded up.
    public let exactEvents: Double
    public let events: Int
    /// Subjects = events / P(event), rounded up.
    public let subjects: Int
    public let hazardRatio: Double
    public let allocation: Double

    /// d = (z_{1−α/k} + z_{power})² / (π(1−π) (log HR)²), π = fraction allocated to the first group;
    /// subjects = d / `eventProbability` (the probability that a subject's event is observed in follow-up).
    public static func schoenfeld(
        hazardRatio: Double, power: Double = 0.8, alpha: Double = 0.05, sides: Sidedness = .twoSided,
        allocation: Double = 0.5, eventProbability: Double = 1
    ) throws -> LogRankSampleSize {
        try Validate.positive(hazardRatio, "hazard ratio")
        guard hazardRatio != 1 else { throw StatsError.invalidInput(field: "hazard ratio", message: "must differ from 1") }
        try PowerCheck.alphaAndPower(alpha: alpha, power: power)
        try Validate.probability(allocation, "allocation", open: true)
        try Validate.probability(eventProbability, "event probability")
        guard eventProbability > 0 else { throw StatsError.invalidInput(field: "event probability", message: "must be greater than 0") }
        let z = Normal.quantile(1 - alpha / sides.tails) + Normal.quantile(power)
        let logHR = log(hazardRatio)
        let d = z * z / (allocation * (1 - allocation) * logHR * logHR)
        guard d.isFinite, d / eventProbability <= 1e12 else {
            throw StatsError.invalidInput(field: "hazard ratio", message: "is too close to 1: more than 10^12 subjects would be needed")
        }
        let events = Int(d.rounded(.up))
        return LogRankSampleSize(
            exactEvents: d, events: events, subjects: Int((Double(events) / eventProbability).rounded(.up)),
            hazardRatio: hazardRatio, allocation: allocation)
    }
}
