import Foundation

/// Events and censorings per distinct time and group: everything Kaplan–Meier and the log-rank test need.
/// Built by direct addressing when the times lie on a decimal lattice (whole days, 0.01 day: `LatticeCounts`),
/// otherwise by hashing the times (open addressing on their bit patterns) and sorting only the distinct
/// times; both beat sorting all n observations when follow-up times repeat (days, rounded months). When most
/// times are distinct the build gives up (returns nil) and callers sort the sample instead.
public struct GroupedEventTable: Sendable {
    /// Distinct times, ascending.
    public let times: [Double]
    public let groupCount: Int
    /// Row-major times.count × groupCount.
    public let events: [Int32]
    public let censored: [Int32]
    /// Subjects per group.
    public let subjects: [Int]

    /// - Parameters:
    ///   - group: codes in 0..<groupCount.
    ///   - maximumDistinctFraction: give up when distinct times exceed this fraction of n.
    public static func build(
        time: [Double], event: [Bool], group: [Int32], groupCount: Int, maximumDistinctFraction: Double = 0.25
    ) throws -> GroupedEventTable? {
        let n = time.count
        guard event.count == n, group.count == n else {
            throw StatsError.invalidInput(field: "event", message: "time, event and group must have the same length")
        }
        guard n > 0 else { throw StatsError.insufficientData("no observations") }
        let maxTime = try SurvivalSample.validatedMaximum(time: time, timeName: "time")
        if let bad = group.firstIndex(where: { $0 < 0 || Int($0) >= groupCount }) {
            throw StatsError.invalidInput(field: "group", message: "code \(group[bad]) at row \(bad + 1) is out of range")
        }
        let limit = max(64, Int(Double(n) * maximumDistinctFraction))
        if let lattice = LatticeCounts.build(
            time: time, event: event, group: group, groupCount: groupCount, maxTime: maxTime) {
            return fromLattice(lattice, groupCount: groupCount, limit: limit)
        }
        let width = 2 * groupCount
        // Open addressing with the counts stored inline after each key, so a probe touches one cache
        // line; raw memory so the hot loop has no bounds, uniqueness or exclusivity checks.
        var hash = InlineCountHash(width: width, capacity: 1 << 12)
        defer { hash.deallocate() }
        var subjects = [Int](repeating: 0, count: groupCount)
        var failed = false
        time.withUnsafeBufferPointer { t in
            event.withUnsafeBufferPointer { e in
                group.withUnsafeBufferPointer { g in
                    for i in 0..<n {
                        let code = Int(g[i])
                        let key = (t[i] == 0 ? 0.0 : t[i]).bitPattern
                        hash.increment(key: key, column: e[i] ? code : groupCount + code)
                        if hash.count * 4 > hash.capacity * 3 {
                            if hash.count > limit { failed = true; return }
                            hash.grow()
                        }
                    }
                    for i in 0..<n { subjects[Int(g[i])] += 1 }
                }
            }
        }
        if failed || hash.count > limit { return nil }
        let (keys, counts) = hash.entries()
        let distinct = keys.count
        // Sort only the distinct times, then lay the counts out in that order.
        let order = (0..<distinct).sorted { keys[$0] < keys[$1] }
        var sortedEvents = [Int32](repeating: 0, count: order.count * groupCount)
        var sortedCensored = sortedEvents
        for (row, id) in order.enumerated() {
            for g in 0..<groupCount {
                sortedEvents[row * groupCount + g] = counts[id * width + g]
                sortedCensored[row * groupCount + g] = counts[id * width + groupCount + g]
            }
        }
        return GroupedEventTable(
            times: order.map { Double(bitPattern: keys[$0]) }, groupCount: groupCount,
            events: sortedEvents, censored: sortedCensored, subjects: subjects)
    }
}

extension GroupedEventTable {
    /// The occupied lattice points in ascending order (the lattice is already sorted by time), or nil
    /// when there are more distinct times than `limit`, exactly as the hashed build decides.
    static func fromLattice(_ lattice: LatticeCounts.Counts, groupCount: Int, limit: Int) -> GroupedEventTable? {
        let width = 2 * groupCount
        var times: [Double] = []
        var events: [Int32] = []
        var censored: [Int32] = []
        lattice.counts.withUnsafeBufferPointer { c in
            for point in 0...lattice.maxIndex {
                let base = point * width
                var any: Int32 = 0
                for column in 0..<width { any |= c[base + column] }
                if any == 0 { continue }
                times.append(Double(point) / lattice.scale)
                for g in 0..<groupCount {
                    events.append(c[base + g])
                    censored.append(c[base + groupCount + g])
                }
            }
        }
        if times.count > limit { return nil }
        return GroupedEventTable(
            times: times, groupCount: groupCount, events: events, censored: censored, subjects: lattice.subjects)
    }

    /// One Kaplan–Meier curve per group (identical to `KaplanMeier.fit` on each group's data).
    public func kaplanMeier(
        confidenceType: SurvivalConfidenceType = .logLog, confidenceLevel: Double = 0.95
    ) throws -> [KaplanMeierCurve] {
        guard confidenceLevel > 0, confidenceLevel < 1 else {
            throw StatsError.invalidInput(field: "confidence level", message: "must be strictly between 0 and 1")
        }
        if let empty = subjects.firstIndex(of: 0) {
            throw StatsError.insufficientData("group \(empty) has no observations")
        }
        let z = Normal.quantile(1 - (1 - confidenceLevel) / 2)
        @Sendable func curve(_ g: Int) -> KaplanMeierCurve {
            var builder = KaplanMeierBuilder(subjects: subjects[g], confidenceType: confidenceType, z: z)
            builder.reserveSteps(times.count)  // at most one step per distinct time: no regrowth copies
            for row in times.indices {
                let d = Int(events[row * groupCount + g]), c = Int(censored[row * groupCount + g])
                if d + c > 0 { builder.add(time: times[row], events: d, censored: c) }
            }
            return builder.finish(confidenceLevel: confidenceLevel)
        }
        // The groups' curves are independent: on a long table, one core each (the same curves either way).
        guard groupCount > 1, times.count >= 10_000 else { return (0..<groupCount).map(curve) }
        var curves = [KaplanMeierCurve?](repeating: nil, count: groupCount)
        curves.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: groupCount) { slots[$0] = curve($0) }
        }
        return curves.map { $0! }  // every slot is filled when concurrentPerform returns
    }

    /// The (unstratified) log-rank test, identical to `LogRankTest.test` on the same data.
    public func logRank(labels: [String]) throws -> LogRankResult {
        guard labels.count == groupCount else {
            throw StatsError.invalidInput(field: "group", message: "\(labels.count) labels for \(groupCount) groups")
        }
        if let empty = subjects.firstIndex(of: 0) {
            throw StatsError.insufficientData("group '\(labels[empty])' has no subjects")
        }
        var accumulator = LogRankAccumulator(groups: groupCount)
        accumulator.add(table: self)
        let (chi, df) = accumulator.chiSquare()
        return LogRankResult(
            groups: labels, subjects: accumulator.subjects, observed: accumulator.observed,
            expected: accumulator.expected, variance: accumulator.variance, chiSquare: chi,
            degreesOfFreedom: df, pValue: df > 0 ? ChiSquared.sf(chi, df: Double(df)) : 1)
    }
}
