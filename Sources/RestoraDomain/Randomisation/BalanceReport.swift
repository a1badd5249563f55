/// Balance of a randomised trial (issue #16 "randomisation report"; REFERENCE.md I): counts by arm, by stratum
/// and by factor level, each with its imbalance. Pure: the store's report, the web page and
/// `restora randomisation simulate` all build it from the same list of allocations.
///
/// Imbalance of a group = max − min over arms of count ÷ ratio weight (for 1:1 the difference between the arms;
/// for 2:1, 20 vs 10 is 0). It is 0 for a group balanced exactly to the ratio.
public struct BalanceReport: Hashable, Sendable, Codable {
    /// One allocation as the report sees it.
    public struct Entry: Hashable, Sendable, Codable {
        public var armID: String
        public var siteCode: String
        /// `RandomisationScheme.stratumKey` of the allocation.
        public var stratum: String
        /// Protocol factor levels (without `site`).
        public var levels: [String: String]

        public init(armID: String, siteCode: String, stratum: String, levels: [String: String]) {
            self.armID = armID
            self.siteCode = siteCode
            self.stratum = stratum
            self.levels = levels
        }
    }

    /// Counts of one group (the trial, a stratum, a factor level) and its imbalance.
    public struct Group: Hashable, Sendable, Codable {
        /// `total`, the stratum key, or the level of `factor`.
        public var key: String
        /// `site` or a factor id for factor-level groups; nil otherwise.
        public var factor: String?
        public var counts: [String: Int]
        public var total: Int
        public var imbalance: Double
    }

    public var arms: [String]
    public var ratio: [Int]
    public var overall: Group
    /// In order of the stratum key.
    public var strata: [Group]
    /// `site` first, then the protocol factors in file order, each level in file order (site codes sorted).
    public var factorLevels: [Group]

    /// Sum of the factor-level imbalances (site included): the figure minimisation drives down.
    public var totalFactorImbalance: Double { factorLevels.reduce(0) { $0 + $1.imbalance } }
    /// The largest imbalance of any stratum.
    public var maximumStratumImbalance: Double { strata.map(\.imbalance).max() ?? 0 }

    public init(scheme: RandomisationScheme, allocations: [Entry]) {
        arms = scheme.arms
        ratio = scheme.ratio
        func group(_ key: String, factor: String?, _ entries: [Entry]) -> Group {
            var counts = Dictionary(uniqueKeysWithValues: scheme.arms.map { ($0, 0) })
            for entry in entries { counts[entry.armID, default: 0] += 1 }
            let adjusted = scheme.arms.map { Double(counts[$0] ?? 0) / Double(max(1, scheme.weight(of: $0))) }
            return Group(key: key, factor: factor, counts: counts, total: entries.count,
                         imbalance: Imbalance.measure(adjusted, .range))
        }
        overall = group("total", factor: nil, allocations)
        let byStratum = Dictionary(grouping: allocations, by: \.stratum)
        strata = byStratum.keys.sorted().map { group($0, factor: nil, byStratum[$0] ?? []) }
        var levels: [Group] = []
        let bySite = Dictionary(grouping: allocations, by: \.siteCode)
        for site in bySite.keys.sorted() {
            levels.append(group(site, factor: RandomisationScheme.siteFactorID, bySite[site] ?? []))
        }
        for factor in scheme.factors {
            for level in factor.levels {
                levels.append(group(level, factor: factor.id, allocations.filter { $0.levels[factor.id] == level }))
            }
        }
        factorLevels = levels
    }
}
