import Foundation

/// One row of a Kaplan–Meier table: a distinct observed time (event or censoring), as R's survfit.
public struct KaplanMeierStep: Sendable, Equatable, Codable {
    public let time: Double
    public let atRisk: Int
    public let events: Int
    public let censored: Int
    public let survival: Double
    /// Greenwood standard error of log S(t) (R's `survfit$std.err`, on the cumulative-hazard scale).
    public let standardErrorLog: Double
    /// Greenwood standard error of S(t) (what R's summary() prints as std.err).
    public var standardError: Double { standardErrorLog * survival }
    public let lower: Double?
    public let upper: Double?
}

/// Kaplan–Meier product-limit estimate with Greenwood variance and pointwise intervals.
public struct KaplanMeierCurve: Sendable, Codable {
    public let steps: [KaplanMeierStep]
    public let subjects: Int
    public let totalEvents: Int
    public let confidenceType: SurvivalConfidenceType
    public let confidenceLevel: Double

    /// Survival at `t` (right-continuous step function); 1 before the first time.
    public func step(at t: Double) -> KaplanMeierStep? {
        var lo = 0
        var hi = steps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if steps[mid].time <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : steps[lo - 1]
    }

    public func survival(at t: Double) -> Double { step(at: t)?.survival ?? 1 }

    /// Subjects still under observation at `t` (time ≥ t), as R's summary(fit, times=).
    public func atRisk(at t: Double) -> Int {
        guard let first = steps.first(where: { $0.time >= t }) else { return 0 }
        return first.atRisk
    }
}

public enum KaplanMeier {
    /// - Parameters:
    ///   - time: follow-up times, finite and ≥ 0.
    ///   - event: true for an event, false for censoring.
    ///   - confidenceType: transformation for the pointwise interval (default log-log).
    ///   - confidenceLevel: e.g. 0.95.
    public static func fit(
        time: [Double], event: [Bool],
        confidenceType: SurvivalConfidenceType = .logLog, confidenceLevel: Double = 0.95
    ) throws -> KaplanMeierCurve {
        let sample = try SurvivalSample(time: time, event: event)
        return try fit(sample: sample, confidenceType: confidenceType, confidenceLevel: confidenceLevel)
    }

    public static func fit(
        sample: SurvivalSample,
        confidenceType: SurvivalConfidenceType = .logLog, confidenceLevel: Double = 0.95
    ) throws -> KaplanMeierCurve {
        try fit(times: sample.times[...], events: sample.events[...],
                confidenceType: confidenceType, confidenceLevel: confidenceLevel)
    }

    /// Core on already-sorted slices (so a grouped analysis can reuse one sort).
    static func fit(
        times: ArraySlice<Double>, events: ArraySlice<Bool>,
        confidenceType: SurvivalConfidenceType, confidenceLevel: Double
    ) throws -> KaplanMeierCurve {
        guard confidenceLevel > 0, confidenceLevel < 1 else {
            throw StatsError.invalidInput(field: "confidence level", message: "must be strictly between 0 and 1")
        }
        let n = times.count
        guard n > 0 else { throw StatsError.insufficientData("no observations") }
        let z = Normal.quantile(1 - (1 - confidenceLevel) / 2)
        var steps: [KaplanMeierStep] = []
        steps.reserveCapacity(min(n, 1 << 16))
        var atRisk = n
        var survival = 1.0
        var greenwood = 0.0
        var totalEvents = 0
        var i = times.startIndex
        while i < times.endIndex {
            let t = times[i]
            var d = 0
            var c = 0
            while i < times.endIndex, times[i] == t {
                if events[i] { d += 1 } else { c += 1 }
                i += 1
            }
            if d > 0 {
                survival *= Double(atRisk - d) / Double(atRisk)
                // R survfit: a step to zero makes the Greenwood term infinite (d = n).
                greenwood += atRisk > d ? Double(d) / (Double(atRisk) * Double(atRisk - d)) : .infinity
            }
            let se = greenwood.squareRoot()
            let (lower, upper) = confidenceType.limits(survival: survival, seLog: se, z: z)
            steps.append(KaplanMeierStep(
                time: t, atRisk: atRisk, events: d, censored: c, survival: survival,
                standardErrorLog: se, lower: lower, upper: upper))
            totalEvents += d
            atRisk -= d + c
        }
        return KaplanMeierCurve(
            steps: steps, subjects: n, totalEvents: totalEvents,
            confidenceType: confidenceType, confidenceLevel: confidenceLevel)
    }
}

extension KaplanMeier {
    /// One curve per group from a single sort: each group's observations are taken from the sorted
    /// sample in order, so no group is sorted again.
    /// - Parameter groupCodes: code 0..<groups for each observation, indexed in the caller's order.
    public static func fitGroups(
        sample: SurvivalSample, groupCodes: [Int32], groups: Int,
        confidenceType: SurvivalConfidenceType = .logLog, confidenceLevel: Double = 0.95
    ) throws -> [KaplanMeierCurve] {
        var times = [[Double]](repeating: [], count: groups)
        var events = [[Bool]](repeating: [], count: groups)
        for (position, original) in sample.order.enumerated() {
            let g = Int(groupCodes[original])
            guard g >= 0, g < groups else {
                throw StatsError.invalidInput(field: "group", message: "code \(g) at row \(original + 1) is out of range")
            }
            times[g].append(sample.times[position])
            events[g].append(sample.events[position])
        }
        return try (0..<groups).map { g in
            try fit(times: times[g][...], events: events[g][...],
                    confidenceType: confidenceType, confidenceLevel: confidenceLevel)
        }
    }
}
