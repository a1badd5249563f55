import Foundation
import Testing
@testable import RestoraStats

/// The direct-addressed (lattice) build of `GroupedEventTable` against the sorted-sample path:
/// the same steps bit for bit, and a fallback to hashing when a time is off the lattice.
struct LatticeCountsTests {
    /// Deterministic times on 0.01, two groups, ties and censoring.
    static func sample(n: Int, offLatticeAt: Int? = nil) -> (time: [Double], event: [Bool], group: [Int32]) {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        var time: [Double] = [], event: [Bool] = [], group: [Int32] = []
        for i in 0..<n {
            let raw = Double(next() % 300_000) / 1000
            time.append(i == offLatticeAt ? raw + 0.0001 : (raw * 100).rounded() / 100)
            event.append(next() % 3 != 0)
            group.append(Int32(next() % 2))
        }
        time[0] = -0.0
        return (time, event, group)
    }

    static func expectSamePaths(_ d: (time: [Double], event: [Bool], group: [Int32])) throws {
        let table = try #require(try GroupedEventTable.build(
            time: d.time, event: d.event, group: d.group, groupCount: 2, maximumDistinctFraction: 1))
        let sample = try SurvivalSample(time: d.time, event: d.event, group: d.group)
        let sorted = try KaplanMeier.fitGroups(sample: sample, groupCodes: d.group, groups: 2)
        for (a, b) in zip(sorted, try table.kaplanMeier()) {
            #expect(a.steps == b.steps)
            #expect(a.steps.allSatisfy { $0.time.sign == .plus })
            #expect(b.steps.allSatisfy { $0.time.sign == .plus })
        }
        let viaSort = try LogRankTest.test(sample: sample, groupCodes: d.group, labels: ["a", "b"])
        let viaTable = try table.logRank(labels: ["a", "b"])
        #expect(viaSort.chiSquare == viaTable.chiSquare)
        #expect(viaSort.expected == viaTable.expected)
    }

    @Test func latticeTimesGiveTheSortedPathsResults() throws {
        let d = Self.sample(n: 20_000)
        #expect(LatticeCounts.build(time: d.time, event: d.event, group: d.group, groupCount: 2, maxTime: d.time.max() ?? 0)?.scale == 100)
        try Self.expectSamePaths(d)
    }

    @Test func oneTimeOffTheLatticeFallsBackToHashing() throws {
        let d = Self.sample(n: 20_000, offLatticeAt: 15_000)
        #expect(LatticeCounts.build(time: d.time, event: d.event, group: d.group, groupCount: 2, maxTime: d.time.max() ?? 0) == nil)
        try Self.expectSamePaths(d)
    }

    @Test func wholeDaysUseScaleOne() {
        let time: [Double] = [3, 1, 4, 1, 5, 9, 2, 6]
        let lattice = LatticeCounts.build(
            time: time, event: time.map { _ in true }, group: [Int32](repeating: 0, count: 8), groupCount: 1, maxTime: 9)
        #expect(lattice?.scale == 1)
        #expect(lattice?.maxIndex == 9)
    }

    @Test func validatedMaximumFlagsBadTimesAndIgnoresNegativeZero() throws {
        #expect(try SurvivalSample.validatedMaximum(time: [-0.0, 2.5, 1], timeName: "t") == 2.5)
        #expect(try SurvivalSample.validatedMaximum(time: [-0.0], timeName: "t").sign == .plus)
        for bad in [Double.nan, .infinity, -1, -.infinity] {
            #expect(throws: StatsError.self) { try SurvivalSample.validatedMaximum(time: [1, bad, 2], timeName: "t") }
        }
    }
}
