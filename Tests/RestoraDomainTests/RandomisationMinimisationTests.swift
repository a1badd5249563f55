import Testing
@testable import RestoraDomain

/// Pocock–Simon minimisation (REFERENCE.md I; Pocock & Simon 1975): imbalance scores, the probability of the
/// least-imbalanced arm, random ties, unequal ratios, and the comparison with simple randomisation on the same
/// simulated participants (issue #16 "Tests").
@Suite struct RandomisationMinimisationTests {
    @Test func minimisationBalancesFactorsBetterThanSimpleRandomisationOnTheSameParticipants() {
        var rng = SeededGenerator(seed: 1975)
        let simulation = RandomisationSimulation(scheme: RandomisationFixture.minimisation(), participants: 10_000, sites: [], using: &rng)
        #expect(simulation.participants == 10_000)
        #expect(simulation.blocks == nil)
        #expect(simulation.scheme.totalFactorImbalance < simulation.simple.totalFactorImbalance)
        #expect(simulation.scheme.maximumFactorLevelImbalance <= 4)
        #expect(simulation.scheme.totalFactorImbalance * 10 < simulation.simple.totalFactorImbalance)
    }

    /// Small trials are where minimisation matters: it wins on every one of 30 seeded 100-participant trials.
    @Test func minimisationWinsInSmallTrialsToo() {
        for seed in 1...30 as ClosedRange<UInt64> {
            var rng = SeededGenerator(seed: seed)
            let simulation = RandomisationSimulation(scheme: RandomisationFixture.minimisation(), participants: 100, sites: [], using: &rng)
            #expect(simulation.scheme.totalFactorImbalance < simulation.simple.totalFactorImbalance, "seed \(seed)")
        }
    }

    @Test func theVarianceMeasureAlsoBeatsSimpleRandomisation() {
        var rng = SeededGenerator(seed: 31)
        let simulation = RandomisationSimulation(scheme: RandomisationFixture.minimisation(imbalance: .variance), participants: 2_000, sites: [], using: &rng)
        #expect(simulation.scheme.totalFactorImbalance < simulation.simple.totalFactorImbalance)
    }

    /// Hand-worked scores: FSH raised has a 3 / b 1, age 21-34 a 2 / b 2, histology sco none yet.
    /// Range: G(a) = (4−1) + (3−2) + (1−0) = 5, G(b) = (3−2) + (3−2) + (1−0) = 3.
    /// Variance of two values = (difference / 2)²: G(a) = 2.25 + 0.25 + 0.25, G(b) = 0.25 × 3.
    @Test func imbalanceScoresFollowPocockAndSimon() {
        let counts = ["fsh": ["raised": ["a": 3, "b": 1]], "age-group": ["21-34": ["a": 2, "b": 2]]]
        let levels = ["fsh": "raised", "age-group": "21-34", "histology": "sco"]
        let range = Minimisation.imbalanceScores(levels: levels, counts: counts, scheme: RandomisationFixture.minimisation(siteWeight: 0))
        #expect(range == ["a": 5, "b": 3])
        let variance = Minimisation.imbalanceScores(levels: levels, counts: counts, scheme: RandomisationFixture.minimisation(imbalance: .variance, siteWeight: 0))
        #expect(variance == ["a": 2.25 + 0.25 + 0.25, "b": 0.25 + 0.25 + 0.25])
    }

    @Test func factorWeightsScaleTheScores() {
        var scheme = RandomisationFixture.minimisation(siteWeight: 0)
        scheme.factors[0].weight = 3
        let scores = Minimisation.imbalanceScores(levels: ["fsh": "raised"], counts: ["fsh": ["raised": ["a": 2]]], scheme: scheme)
        #expect(scores == ["a": 9, "b": 3])
    }

    @Test func theSiteCountsAsAFactorOnlyWhenWeighted() {
        let weighted = RandomisationFixture.minimisation(siteWeight: 2)
        #expect(weighted.minimisationLevels(siteCode: "NOA1", levels: ["fsh": "raised"]) == ["fsh": "raised", "site": "NOA1"])
        let unweighted = RandomisationFixture.minimisation(siteWeight: 0)
        #expect(unweighted.minimisationLevels(siteCode: "NOA1", levels: ["fsh": "raised"]) == ["fsh": "raised"])
        let scores = Minimisation.imbalanceScores(levels: ["site": "NOA1"], counts: ["site": ["NOA1": ["b": 1]]], scheme: weighted)
        #expect(scores == ["a": 0, "b": 4])
    }

    /// With one arm clearly better, it is chosen with probability p (0.8 by default): 10,000 draws within ±0.02.
    @Test func theLeastImbalancedArmIsChosenWithProbabilityP() {
        for p in [0.8, 0.9] {
            var rng = SeededGenerator(seed: 8)
            let scheme = RandomisationFixture.minimisation(probability: p, siteWeight: 0)
            let counts = ["fsh": ["raised": ["a": 5, "b": 0]]]
            var chosen = 0
            for _ in 0..<10_000 where Minimisation.next(levels: ["fsh": "raised"], counts: counts, scheme: scheme, using: &rng).armID == "b" {
                chosen += 1
            }
            #expect(abs(Double(chosen) / 10_000 - p) < 0.02, "p \(p): \(chosen)")
        }
    }

    @Test func probabilityOneIsDeterministic() {
        var rng = SeededGenerator(seed: 9)
        let scheme = RandomisationFixture.minimisation(probability: 1, siteWeight: 0)
        for _ in 0..<500 {
            #expect(Minimisation.next(levels: ["fsh": "normal"], counts: ["fsh": ["normal": ["b": 1]]], scheme: scheme, using: &rng).armID == "a")
        }
    }

    /// Ties are broken at random: with no earlier allocations both arms come up about equally often.
    @Test func tiesAreBrokenAtRandom() {
        var rng = SeededGenerator(seed: 10)
        let scheme = RandomisationFixture.minimisation()
        var a = 0
        for _ in 0..<10_000 where Minimisation.next(levels: ["fsh": "normal"], counts: [:], scheme: scheme, using: &rng).armID == "a" { a += 1 }
        #expect(abs(Double(a) / 10_000 - 0.5) < 0.02)
    }

    /// 2:1: counts are divided by the ratio weight, so minimisation keeps every factor level near 2:1.
    @Test func aTwoToOneRatioIsHonoured() {
        var rng = SeededGenerator(seed: 12)
        let simulation = RandomisationSimulation(scheme: RandomisationFixture.minimisation(ratio: [2, 1]), participants: 3_000, sites: [], using: &rng)
        let a = Double(simulation.scheme.countsByArm["a"] ?? 0), b = Double(simulation.scheme.countsByArm["b"] ?? 0)
        #expect(abs(a / (a + b) - 2.0 / 3.0) < 0.01)
        #expect(simulation.scheme.maximumFactorLevelImbalance <= 3)
        // On ties the pick follows the ratio: with no history, a is drawn about two times in three.
        var tied = 0
        for _ in 0..<9_000 where Minimisation.next(levels: [:], counts: [:], scheme: RandomisationFixture.minimisation(ratio: [2, 1]), using: &rng).armID == "a" { tied += 1 }
        #expect(abs(Double(tied) / 9_000 - 2.0 / 3.0) < 0.02)
    }

    @Test func threeArmsAreBalancedToo() {
        var rng = SeededGenerator(seed: 13)
        let simulation = RandomisationSimulation(scheme: RandomisationFixture.minimisation(ratio: [1, 1, 1]), participants: 3_000, sites: [], using: &rng)
        #expect(simulation.scheme.overallImbalance <= 10)   // the arm totals are not a factor: they may drift a little
        #expect(simulation.scheme.totalFactorImbalance < simulation.simple.totalFactorImbalance)
    }

    @Test func theBalanceReportCountsByStratumAndFactorLevel() {
        let scheme = RandomisationFixture.blocks(strata: ["site"], factors: [RandomisationFixture.prognostic[0]])
        let report = BalanceReport(scheme: scheme, allocations: [
            .init(armID: "a", siteCode: "S1", stratum: "site=S1", levels: ["fsh": "raised"]),
            .init(armID: "a", siteCode: "S1", stratum: "site=S1", levels: ["fsh": "raised"]),
            .init(armID: "b", siteCode: "S2", stratum: "site=S2", levels: ["fsh": "normal"]),
        ])
        #expect(report.overall.counts == ["a": 2, "b": 1])
        #expect(report.overall.imbalance == 1)
        #expect(report.strata.map(\.key) == ["site=S1", "site=S2"])
        #expect(report.strata.map(\.imbalance) == [2, 1])
        #expect(report.factorLevels.map { "\($0.factor ?? "")=\($0.key)" } == ["site=S1", "site=S2", "fsh=normal", "fsh=raised"])
        #expect(report.totalFactorImbalance == 2 + 1 + 1 + 2)
        let empty = BalanceReport(scheme: scheme, allocations: [])
        #expect(empty.overall.total == 0 && empty.overall.imbalance == 0)
    }
}
