import Foundation

/// Result of a (possibly stratified) log-rank test, as R's `survdiff(rho = 0)`.
public struct LogRankResult: Sendable, Codable {
    /// Group labels in the order of the other arrays (sorted).
    public let groups: [String]
    public let subjects: [Int]
    public let observed: [Double]
    public let expected: [Double]
    /// k×k variance–covariance of O − E, row-major.
    public let variance: [Double]
    public let chiSquare: Double
    public let degreesOfFreedom: Int
    public let pValue: Double
}

public enum LogRankTest {
    /// - Parameters:
    ///   - group: one label per subject; at least two distinct labels.
    ///   - strata: optional stratum label per subject; O, E and V are summed over strata.
    public static func test(
        time: [Double], event: [Bool], group: [String], strata: [String]? = nil
    ) throws -> LogRankResult {
        guard group.count == time.count else {
            throw StatsError.invalidInput(field: "group", message: "has \(group.count) values but time has \(time.count)")
        }
        if let strata, strata.count != time.count {
            throw StatsError.invalidInput(field: "strata", message: "has \(strata.count) values but time has \(time.count)")
        }
        let labels = Array(Set(group)).sorted()
        let code = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let groupCodes = group.map { Int32(code[$0] ?? 0) }
        let strataCodes: [Int32]?
        if let strata {
            let levels = Dictionary(uniqueKeysWithValues: Set(strata).sorted().enumerated().map { ($1, Int32($0)) })
            strataCodes = strata.map { levels[$0] ?? 0 }
        } else {
            strataCodes = nil
        }
        return try test(time: time, event: event, groupCodes: groupCodes, labels: labels, strataCodes: strataCodes)
    }

    /// The same test with the groups (and strata) already coded: `groupCodes[i]` in 0..<labels.count, as a CSV
    /// reader that interns a label column hands them over (no String per subject).
    public static func test(
        time: [Double], event: [Bool], groupCodes: [Int32], labels: [String], strataCodes: [Int32]? = nil
    ) throws -> LogRankResult {
        guard groupCodes.count == time.count else {
            throw StatsError.invalidInput(field: "group", message: "has \(groupCodes.count) values but time has \(time.count)")
        }
        if let strataCodes, strataCodes.count != time.count {
            throw StatsError.invalidInput(field: "strata", message: "has \(strataCodes.count) values but time has \(time.count)")
        }
        guard labels.count >= 2 else {
            throw StatsError.insufficientData("the log-rank test needs at least two groups; group has \(labels.count)")
        }
        if let bad = groupCodes.firstIndex(where: { $0 < 0 || Int($0) >= labels.count }) {
            throw StatsError.invalidInput(field: "group", message: "code \(groupCodes[bad]) at row \(bad + 1) is out of range")
        }
        if let strataCodes, let bad = strataCodes.firstIndex(where: { $0 < 0 }) {
            throw StatsError.invalidInput(field: "strata", message: "code \(strataCodes[bad]) at row \(bad + 1) is out of range")
        }
        guard event.count == time.count else {
            throw StatsError.invalidInput(field: "event", message: "has \(event.count) values but time has \(time.count)")
        }
        // Unstratified with repeated times: aggregate per distinct time instead of sorting everything.
        if strataCodes == nil,
           let table = try GroupedEventTable.build(time: time, event: event, group: groupCodes, groupCount: labels.count) {
            return try table.logRank(labels: labels)
        }
        let sample = try SurvivalSample(time: time, event: event, group: groupCodes)
        return try test(sample: sample, groupCodes: groupCodes, labels: labels, strataCodes: strataCodes)
    }

    /// Core on a sorted sample with integer group codes 0..<labels.count (indexed in the caller's order).
    /// When the sample was built with `group:`, its sorted codes are used and `groupCodes` is not read again.
    public static func test(
        sample: SurvivalSample, groupCodes: [Int32], labels: [String], strataCodes: [Int32]? = nil
    ) throws -> LogRankResult {
        let k = labels.count
        var accumulator = LogRankAccumulator(groups: k)
        let sortedGroups = sample.groups.count == sample.count ? sample.groups : sample.order.map { groupCodes[$0] }
        if let strataCodes {
            // Stable partition by stratum keeps each stratum sorted by time.
            let sortedStrata = sample.order.map { strataCodes[$0] }
            let strataCount = Int(sortedStrata.max() ?? 0) + 1
            var buckets = [[Int]](repeating: [], count: strataCount)
            for (i, s) in sortedStrata.enumerated() { buckets[Int(s)].append(i) }
            for bucket in buckets where !bucket.isEmpty {
                accumulator.add(
                    times: bucket.map { sample.times[$0] }, events: bucket.map { sample.events[$0] },
                    groups: bucket.map { sortedGroups[$0] })
            }
        } else {
            accumulator.add(times: sample.times, events: sample.events, groups: sortedGroups)
        }
        for g in 0..<k where accumulator.subjects[g] == 0 {
            throw StatsError.insufficientData("group '\(labels[g])' has no subjects")
        }
        let (chi, df) = accumulator.chiSquare()
        return LogRankResult(
            groups: labels, subjects: accumulator.subjects, observed: accumulator.observed,
            expected: accumulator.expected, variance: accumulator.variance, chiSquare: chi,
            degreesOfFreedom: df, pValue: df > 0 ? ChiSquared.sf(chi, df: Double(df)) : 1)
    }
}
