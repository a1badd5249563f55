/// Validation of a randomisation scheme by simulation (issue #16 "validated by simulation"; docs/randomisation.md
/// "Validation"). Simulated participants — a site and a level of every factor each — are allocated by the
/// scheme's own method and, for comparison, by simple randomisation (each participant independently by the
/// ratio) on the very same participants. Pure: the generator is passed in (a seeded one for reproducible figures,
/// `restora randomisation simulate --seed`).
public struct RandomisationSimulation: Hashable, Sendable, Codable {
    /// A simulated participant.
    public struct Participant: Hashable, Sendable, Codable {
        public var siteCode: String
        public var levels: [String: String]
    }

    /// The checks of the permuted blocks (nil for minimisation).
    public struct BlockFigures: Hashable, Sendable, Codable {
        public var largestBlock: Int
        /// Blocks completed in all strata, and how many of them were not balanced exactly to the ratio (must be 0).
        public var completedBlocks: Int
        public var unbalancedCompletedBlocks: Int
        /// How often each block size was drawn, by size.
        public var blocksBySize: [String: Int]
        /// The largest imbalance of a stratum's running totals at any moment (never above half the largest block).
        public var maximumRunningImbalance: Double
        /// Half the largest block: the bound `maximumRunningImbalance` must respect.
        public var bound: Double
    }

    /// Balance figures of one allocation procedure on the simulated participants.
    public struct Figures: Hashable, Sendable, Codable {
        public var procedure: String
        public var countsByArm: [String: Int]
        public var overallImbalance: Double
        public var maximumStratumImbalance: Double
        public var totalFactorImbalance: Double
        public var maximumFactorLevelImbalance: Double
        public var report: BalanceReport

        init(procedure: String, report: BalanceReport) {
            self.procedure = procedure
            self.report = report
            countsByArm = report.overall.counts
            overallImbalance = report.overall.imbalance
            maximumStratumImbalance = report.maximumStratumImbalance
            totalFactorImbalance = report.totalFactorImbalance
            maximumFactorLevelImbalance = report.factorLevels.map(\.imbalance).max() ?? 0
        }
    }

    public var participants: Int
    public var sites: [String]
    public var method: RandomisationScheme.Method
    public var scheme: Figures
    public var simple: Figures
    public var blocks: BlockFigures?

    /// Sites used when the protocol lists none: four sites recruiting 40, 30, 20 and 10 % of participants.
    public static let defaultSites = ["SITE-A", "SITE-B", "SITE-C", "SITE-D"]
    static let defaultSiteShares = [4, 3, 2, 1]

    /// Simulated participants: sites by share (the protocol's sites equally, else 40/30/20/10 % over four sites),
    /// each factor's level uniformly at random.
    public static func participants(
        _ count: Int, scheme: RandomisationScheme, sites protocolSites: [String], using rng: inout some RandomNumberGenerator
    ) -> [Participant] {
        let sites = protocolSites.isEmpty ? defaultSites : protocolSites
        let shares = protocolSites.isEmpty ? defaultSiteShares : Array(repeating: 1, count: sites.count)
        let totalShare = shares.reduce(0, +)
        return (0..<max(0, count)).map { _ in
            var draw = Int.random(in: 0..<totalShare, using: &rng)
            var site = sites[sites.count - 1]
            for (candidate, share) in zip(sites, shares) {
                draw -= share
                if draw < 0 { site = candidate; break }
            }
            var levels: [String: String] = [:]
            for factor in scheme.factors { levels[factor.id] = factor.levels.randomElement(using: &rng) ?? "" }
            return Participant(siteCode: site, levels: levels)
        }
    }

    /// Runs the scheme and simple randomisation on `count` simulated participants.
    public init(scheme: RandomisationScheme, participants count: Int, sites protocolSites: [String], using rng: inout some RandomNumberGenerator) {
        let people = Self.participants(count, scheme: scheme, sites: protocolSites, using: &rng)
        participants = people.count
        sites = protocolSites.isEmpty ? Self.defaultSites : protocolSites
        method = scheme.method
        var entries: [BalanceReport.Entry] = []
        var simpleEntries: [BalanceReport.Entry] = []
        var tracker = BlockTracker(scheme: scheme)
        var counts: [String: [String: [String: Int]]] = [:]
        var states: [String: BlockState] = [:]
        for person in people {
            let stratum = scheme.stratumKey(siteCode: person.siteCode, levels: person.levels)
            let allocation: Allocation
            switch scheme.method {
            case .permutedBlocks:
                var state = states[stratum]
                allocation = PermutedBlocks.next(&state, scheme: scheme, using: &rng)
                states[stratum] = state
                tracker.record(allocation, stratum: stratum)
            case .minimisation:
                let levels = scheme.minimisationLevels(siteCode: person.siteCode, levels: person.levels)
                allocation = Minimisation.next(levels: levels, counts: counts, scheme: scheme, using: &rng)
                for (factor, level) in levels { counts[factor, default: [:]][level, default: [:]][allocation.armID, default: 0] += 1 }
            }
            entries.append(.init(armID: allocation.armID, siteCode: person.siteCode, stratum: stratum, levels: person.levels))
            let simpleArm = Minimisation.weightedPick(scheme.arms, scheme: scheme, using: &rng)
            simpleEntries.append(.init(armID: simpleArm, siteCode: person.siteCode, stratum: stratum, levels: person.levels))
        }
        let label = scheme.method == .permutedBlocks ? "permuted blocks" : "minimisation"
        self.scheme = Figures(procedure: label, report: BalanceReport(scheme: scheme, allocations: entries))
        simple = Figures(procedure: "simple randomisation", report: BalanceReport(scheme: scheme, allocations: simpleEntries))
        blocks = scheme.method == .permutedBlocks ? tracker.figures : nil
    }
}

/// Follows each stratum's blocks during a simulation: running imbalance, completed blocks and their balance.
struct BlockTracker {
    let scheme: RandomisationScheme
    var running: [String: [String: Int]] = [:]
    var current: [String: [String: Int]] = [:]
    var completed = 0
    var unbalanced = 0
    var bySize: [String: Int] = [:]
    var maximum = 0.0

    init(scheme: RandomisationScheme) { self.scheme = scheme }

    mutating func record(_ allocation: Allocation, stratum: String) {
        running[stratum, default: [:]][allocation.armID, default: 0] += 1
        current[stratum, default: [:]][allocation.armID, default: 0] += 1
        let totals = running[stratum] ?? [:]
        let adjusted = scheme.arms.map { Double(totals[$0] ?? 0) / Double(max(1, scheme.weight(of: $0))) }
        maximum = max(maximum, Imbalance.measure(adjusted, .range))
        guard let size = allocation.blockSize, allocation.positionInBlock == size else { return }
        completed += 1
        bySize[String(size), default: 0] += 1
        let block = current[stratum] ?? [:]
        let multiple = size / max(1, scheme.ratioSum)
        if scheme.arms.contains(where: { (block[$0] ?? 0) != scheme.weight(of: $0) * multiple }) { unbalanced += 1 }
        current[stratum] = [:]
    }

    var figures: RandomisationSimulation.BlockFigures {
        let largest = scheme.blocks?.sizes.max() ?? 0
        return .init(largestBlock: largest, completedBlocks: completed, unbalancedCompletedBlocks: unbalanced,
                     blocksBySize: bySize, maximumRunningImbalance: maximum, bound: Double(largest) / 2)
    }
}
