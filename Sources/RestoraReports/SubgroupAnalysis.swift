import RestoraStats

/// Response by subgroup (baseline diagnosis, testicular histology) with Fisher's exact test: 2×2 for two
/// groups, the r×2 extension for more. Groups without a known value are listed but not tested.
public struct SubgroupSection: Codable, Sendable, Equatable {
    /// e.g. "diagnosis at screening"; present even when the analysis is unavailable.
    public var factor: String
    public var result: ReportSection<SubgroupAnalysis>
}

public struct SubgroupAnalysis: Codable, Sendable, Equatable {
    public struct Group: Codable, Sendable, Equatable {
        public var label: String
        public var responders: Int
        public var n: Int
        public var text: String
    }

    public var factor: String
    public var groups: [Group]
    /// Groups left out of the test (unknown value).
    public var untested: [Group]
    public var test: String?
    public var pValue: Double?
    public var oddsRatio: Double?
    public var text: String

    static func section(_ outcomes: [SemenOutcome], factor: String, key: (SemenOutcome) -> String?) throws -> SubgroupSection {
        SubgroupSection(factor: factor, result: try compute(outcomes, factor: factor, key: key))
    }

    static func compute(_ outcomes: [SemenOutcome], factor: String, key: (SemenOutcome) -> String?) throws -> ReportSection<SubgroupAnalysis> {
        guard !outcomes.isEmpty else { return ReportSection(unavailable: "no participants analysed") }
        let grouped = Dictionary(grouping: outcomes) { key($0) ?? "" }
        func group(_ label: String, _ members: [SemenOutcome]) -> Group {
            let x = members.filter(\.responder).count
            return Group(label: label.isEmpty ? "not available" : label, responders: x, n: members.count,
                         text: "\(x)/\(members.count) (\(ReportNumber.percent(Double(x) / Double(members.count))))")
        }
        let known = grouped.filter { !$0.key.isEmpty }.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        let groups = known.map { group($0.key, $0.value) }
        let untested = grouped[""].map { [group("", $0)] } ?? []
        var analysis = SubgroupAnalysis(factor: factor, groups: groups, untested: untested, test: nil, pValue: nil,
                                        oddsRatio: nil, text: "")
        guard groups.count >= 2 else {
            return ReportSection(unavailable: groups.isEmpty
                ? "no participant has a recorded \(factor)"
                : "only one \(factor) group (\(groups[0].label)): nothing to compare")
        }
        let table = try ContingencyTable(groups.map { [$0.responders, $0.n - $0.responders] })
        if groups.allSatisfy({ $0.responders == 0 }) || groups.allSatisfy({ $0.responders == $0.n }) {
            analysis.text = "every group has the same outcome (\(groups[0].responders == 0 ? "no responders" : "all responded")): no test"
            return ReportSection(analysis)
        }
        let outcome = try responseTest(table)
        analysis.test = outcome.test
        analysis.pValue = outcome.pValue
        analysis.oddsRatio = outcome.oddsRatio
        analysis.text = "\(analysis.test ?? "") p = \(ReportNumber.pValue(analysis.pValue ?? 1))"
        if let odds = analysis.oddsRatio {
            analysis.text += "; conditional MLE odds ratio of response, \(groups[0].label) vs \(groups[1].label): \(ReportNumber.fixed(odds, places: 2))"
        }
        return ReportSection(analysis, notes: outcome.exact
            ? ["small groups: a large p-value does not show the groups respond alike"]
            : ["too many participants for Fisher's exact test to enumerate: Pearson's chi-square test instead, accurate at this size"])
    }

    /// Response by group (`table`: one row per group, responders then the rest): Fisher's exact test, two-sided
    /// (2×2, with the conditional MLE odds ratio, or the r×2 extension). When the table is too large to enumerate
    /// (thousands of participants: RestoraStats refuses rather than run for hours, and a 10⁵-participant report
    /// stopped there), Pearson's chi-square test as R's `chisq.test` computes it (Yates' correction on 2×2 only),
    /// whose approximation is accurate with counts that large.
    static func responseTest(_ table: ContingencyTable, nodeLimit: Int = FisherExact.defaultNodeLimit) throws
        -> (test: String, pValue: Double, oddsRatio: Double?, exact: Bool) {
        let groups = table.rowCount
        do {
            if groups == 2 {
                let fisher = try FisherExact.test2x2(table)
                // 0 or ∞ at the edge of the support says only that one group had no (or only) responders.
                let odds = fisher.oddsRatio.isFinite && fisher.oddsRatio > 0 ? fisher.oddsRatio : nil
                return ("Fisher's exact test (2×2, two-sided)", fisher.pValue, odds, true)
            }
            let fisher = try FisherExact.testRxC(table, nodeLimit: nodeLimit)
            return ("Fisher's exact test (\(groups)×2, two-sided)", fisher.pValue, nil, true)
        } catch let StatsError.invalidInput(field, message) where field == "table" && message.hasSuffix("use the chi-square test") {
            let chi = try PearsonChiSquare.test(table)
            let test = "Pearson's chi-square test (\(groups)×2, \(chi.degreesOfFreedom) df\(chi.yatesCorrection > 0 ? ", Yates' correction" : ""))"
            return (test, chi.pValue, nil, false)
        }
    }
}
