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
        var builder = KaplanMeierBuilder(
            subjects: n, confidenceType: confidenceType, z: Normal.quantile(1 - (1 - confidenceLevel) / 2))
        for i in times.indices { builder.add(time: times[i], event: events[i]) }
        return builder.finish(confidenceLevel: confidenceLevel)
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
        guard confidenceLevel > 0, confidenceLevel < 1 else {
            throw StatsError.invalidInput(field: "confidence level", message: "must be strictly between 0 and 1")
        }
        var sizes = [Int](repeating: 0, count: groups)
        for (row, g) in groupCodes.enumerated() {
            guard g >= 0, Int(g) < groups else {
                throw StatsError.invalidInput(field: "group", message: "code \(g) at row \(row + 1) is out of range")
            }
            sizes[Int(g)] += 1
        }
        if let empty = sizes.firstIndex(of: 0) {
            throw StatsError.insufficientData("group \(empty) has no observations")
        }
        let z = Normal.quantile(1 - (1 - confidenceLevel) / 2)
        var builders = sizes.map { KaplanMeierBuilder(subjects: $0, confidenceType: confidenceType, z: z) }
        sample.order.withUnsafeBufferPointer { order in
            sample.times.withUnsafeBufferPointer { times in
                sample.events.withUnsafeBufferPointer { events in
                    if sample.groups.count == order.count {
                        // Codes already in sorted order: a sequential pass.
                        sample.groups.withUnsafeBufferPointer { codes in
                            for position in 0..<order.count {
                                builders[Int(codes[position])].add(time: times[position], event: events[position])
                            }
                        }
                    } else {
                        groupCodes.withUnsafeBufferPointer { codes in
                            for position in 0..<order.count {
                                builders[Int(codes[order[position]])].add(time: times[position], event: events[position])
                            }
                        }
                    }
                }
            }
        }
        return builders.indices.map { builders[$0].finish(confidenceLevel: confidenceLevel) }
    }
}
