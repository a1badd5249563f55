import Testing
@testable import RestoraDomain

/// Permuted blocks with random block sizes within strata (REFERENCE.md I), checked on 10,000 simulated
/// allocations with a seeded generator (issue #16 "Tests").
@Suite struct RandomisationBlockTests {
    /// Runs `count` allocations over four sites, checking every invariant as it goes.
    struct Run {
        var completedBlocks = 0
        var unbalancedBlocks = 0
        var maximumRunningImbalance = 0
        var sizes: [Int: Int] = [:]
        var totals: [String: Int] = [:]
        var gaps = 0
    }

    static func run(_ scheme: RandomisationScheme, count: Int, seed: UInt64) -> Run {
        var rng = SeededGenerator(seed: seed)
        var states: [String: BlockState] = [:]
        var running: [String: [String: Int]] = [:]
        var inBlock: [String: [String: Int]] = [:]
        var lastBlock: [String: (number: Int, position: Int, size: Int)] = [:]
        var result = Run()
        for i in 0..<count {
            let site = ["S1", "S2", "S3", "S4"][i % 7 % 4]
            let stratum = scheme.stratumKey(siteCode: site, levels: [:])
            var state = states[stratum]
            let allocation = PermutedBlocks.next(&state, scheme: scheme, using: &rng)
            states[stratum] = state
            result.totals[allocation.armID, default: 0] += 1
            running[stratum, default: [:]][allocation.armID, default: 0] += 1
            inBlock[stratum, default: [:]][allocation.armID, default: 0] += 1
            // Block numbers run 1, 2, 3…; positions 1…size within a block: no gaps, no repeats.
            let previous = lastBlock[stratum] ?? (0, 0, 0)
            let expected = previous.position == previous.size ? (previous.number + 1, 1) : (previous.number, previous.position + 1)
            if allocation.blockNumber != expected.0 || allocation.positionInBlock != expected.1 { result.gaps += 1 }
            lastBlock[stratum] = (allocation.blockNumber ?? 0, allocation.positionInBlock ?? 0, allocation.blockSize ?? 0)
            let counts = running[stratum] ?? [:]
            let values = scheme.arms.map { (counts[$0] ?? 0) / scheme.weight(of: $0) }
            let exact = scheme.arms.allSatisfy { (counts[$0] ?? 0) % scheme.weight(of: $0) == 0 }
            if exact { result.maximumRunningImbalance = max(result.maximumRunningImbalance, (values.max() ?? 0) - (values.min() ?? 0)) }
            if let size = allocation.blockSize, allocation.positionInBlock == size {
                result.completedBlocks += 1
                result.sizes[size, default: 0] += 1
                let block = inBlock[stratum] ?? [:]
                if scheme.arms.contains(where: { (block[$0] ?? 0) != scheme.weight(of: $0) * size / scheme.ratioSum }) { result.unbalancedBlocks += 1 }
                inBlock[stratum] = [:]
            }
        }
        return result
    }

    @Test func tenThousandAllocationsKeepEveryBlockBalancedAndWithinHalfTheLargestBlock() {
        let scheme = RandomisationFixture.blocks()
        let run = Self.run(scheme, count: 10_000, seed: 16)
        #expect(run.unbalancedBlocks == 0)
        #expect(run.completedBlocks > 2_000)
        #expect(run.maximumRunningImbalance <= 3)   // half the largest block (6)
        #expect(run.gaps == 0)
        let difference = abs((run.totals["a"] ?? 0) - (run.totals["b"] ?? 0))
        #expect(difference <= 4 * 3)   // at most one open block per stratum, each off by at most 3
        #expect(Set(run.sizes.keys) == [2, 4, 6])
    }

    @Test func theSimulationReportsTheSameFiguresForTheExampleTrial() throws {
        let definition = try ProtocolCatalog.loadFile(ProtocolFixture.repositoryRoot.appendingPathComponent("examples/protocols/isotretinoin-rct.yaml").path)
        let scheme = try #require(definition.randomisation)
        var rng = SeededGenerator(seed: 2026)
        let simulation = RandomisationSimulation(scheme: scheme, participants: 10_000, sites: definition.sites, using: &rng)
        let blocks = try #require(simulation.blocks)
        #expect(blocks.unbalancedCompletedBlocks == 0)
        #expect(blocks.maximumRunningImbalance <= blocks.bound)
        #expect(blocks.bound == 3)
        #expect(simulation.scheme.maximumStratumImbalance <= 3)
        #expect(simulation.scheme.overallImbalance <= 12)
        // Simple randomisation of the same participants drifts by about √n; blocks stay within their bound.
        #expect(simulation.scheme.overallImbalance < simulation.simple.overallImbalance)
        #expect((simulation.scheme.countsByArm.values.reduce(0, +)) == 10_000)
    }

    @Test func aTwoToOneRatioIsHonouredInEveryBlock() {
        let scheme = RandomisationFixture.blocks(ratio: [2, 1], sizes: [3, 6])
        let run = Self.run(scheme, count: 10_000, seed: 21)
        #expect(run.unbalancedBlocks == 0)
        #expect(run.gaps == 0)
        let a = run.totals["a"] ?? 0, b = run.totals["b"] ?? 0
        #expect(a + b == 10_000)
        #expect(abs(a - 2 * b) <= 4 * 6)   // open blocks only
        #expect(Set(run.sizes.keys) == [3, 6])
    }

    @Test func blockSizesAreDrawnUniformly() {
        let run = Self.run(RandomisationFixture.blocks(), count: 10_000, seed: 7)
        let total = Double(run.completedBlocks)
        for size in [2, 4, 6] {
            let share = Double(run.sizes[size] ?? 0) / total
            #expect(abs(share - 1.0 / 3.0) < 0.04, "size \(size) drawn \(share)")
        }
    }

    /// Drawing one arm at a time from the block's remaining arms gives each of the 6 orders of an AABB block the
    /// same chance: a chi-square test with 5 degrees of freedom (critical value 20.5 at p = 0.001).
    @Test func everyOrderWithinABlockIsEquallyLikely() {
        let scheme = RandomisationFixture.blocks(sizes: [4], strata: [])
        var rng = SeededGenerator(seed: 99)
        var state: BlockState?
        var orders: [String: Int] = [:]
        let blocks = 6_000
        for _ in 0..<blocks {
            let order = (0..<4).map { _ in PermutedBlocks.next(&state, scheme: scheme, using: &rng).armID }.joined()
            orders[order, default: 0] += 1
        }
        #expect(orders.count == 6)
        let expected = Double(blocks) / 6
        let chiSquare = orders.values.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chiSquare < 20.5, "chi-square \(chiSquare)")
    }

    /// Concealment: the stored state holds the block's remaining arms unordered (sorted), never the next one.
    @Test func theStoredStateNeverHoldsTheOrder() {
        var rng = SeededGenerator(seed: 3)
        var state: BlockState?
        let scheme = RandomisationFixture.blocks(sizes: [6])
        for _ in 0..<600 {
            _ = PermutedBlocks.next(&state, scheme: scheme, using: &rng)
            let remaining = state?.remaining ?? []
            #expect(remaining == remaining.sorted())
            #expect(state.map { $0.used + $0.remaining.count } == 6)
        }
    }

    @Test func strataSeparateSequencesBySiteAndFactor() {
        let scheme = RandomisationFixture.blocks(strata: ["site", "fsh"], factors: [RandomisationFixture.prognostic[0]])
        #expect(scheme.stratumKey(siteCode: "NOA1", levels: ["fsh": "raised"]) == "site=NOA1;fsh=raised")
        #expect(RandomisationFixture.blocks(strata: []).stratumKey(siteCode: "NOA1", levels: [:]) == "*")
        #expect(RandomisationFixture.minimisation().stratumKey(siteCode: "NOA1", levels: ["fsh": "raised"]) == "*")
    }
}
