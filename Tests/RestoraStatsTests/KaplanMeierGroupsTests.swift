import Testing
@testable import RestoraStats

/// `KaplanMeier.fitGroups(time:event:groupCodes:groups:)` (what `restora stats km --group` now calls with the
/// CSV reader's codes) gives exactly the curves of `KaplanMeier.fit` on each group's rows, whichever path it
/// takes: the lattice, the hashed table (repeated times) or one sort (mostly distinct times).
struct KaplanMeierGroupsTests {
    @Test(arguments: ["lattice", "hashed", "distinct"])
    func sameCurvesAsOneFitPerGroup(_ kind: String) throws {
        var state: UInt64 = 42
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let n = 5000, groups = 3
        let time: [Double] = (0..<n).map { _ in
            switch kind {
            case "lattice": return (next() * 500).rounded() / 100
            case "hashed": return [0.3, 1.7, 2.9, 3.1415, 7.25][Int(next() * 5)]
            default: return next() * 100
            }
        }
        let event = (0..<n).map { _ in next() < 0.7 }
        let codes = (0..<n).map { _ in Int32(next() * Double(groups)) }
        for type in [SurvivalConfidenceType.logLog, .plain, .log] {
            let fits = try KaplanMeier.fitGroups(time: time, event: event, groupCodes: codes, groups: groups,
                                                 confidenceType: type, confidenceLevel: 0.9)
            #expect(fits.count == groups)
            for g in 0..<groups {
                let rows = codes.indices.filter { codes[$0] == Int32(g) }
                let one = try KaplanMeier.fit(time: rows.map { time[$0] }, event: rows.map { event[$0] },
                                              confidenceType: type, confidenceLevel: 0.9)
                #expect(fits[g].steps == one.steps, "\(kind) \(type) group \(g)")
                #expect(fits[g].subjects == one.subjects && fits[g].totalEvents == one.totalEvents)
            }
        }
    }

    @Test func codedLogRankEqualsLabelledLogRank() throws {
        let time: [Double] = [1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 9]
        let event = time.indices.map { $0 % 3 != 0 }
        let labels = time.indices.map { ["b", "a", "c"][$0 % 3] }
        let strata = time.indices.map { $0 < 6 ? "s1" : "s2" }
        let byLabel = try LogRankTest.test(time: time, event: event, group: labels, strata: strata)
        let byCode = try LogRankTest.test(time: time, event: event, groupCodes: labels.map { ["a": 0, "b": 1, "c": 2][$0]! },
                                          labels: ["a", "b", "c"], strataCodes: strata.map { $0 == "s1" ? 0 : 1 })
        #expect(byCode.chiSquare == byLabel.chiSquare && byCode.observed == byLabel.observed && byCode.groups == byLabel.groups)
        #expect(throws: StatsError.self) { try LogRankTest.test(time: [1, 2], event: [true, true], groupCodes: [0, 2], labels: ["a", "b"]) }
    }
}
