import RestoraDomain

/// The text of `restora randomisation simulate`: the scheme, the two procedures side by side, the block checks.
enum SimulateText {
    static func render(_ result: SimulateCommand.Result, scheme: RandomisationScheme) -> String {
        let s = result.simulation
        var lines = [
            "\(result.protocolID) v\(result.version): \(describe(scheme))",
            "\(s.participants) simulated participants over \(s.sites.count) sites (\(s.sites.joined(separator: ", "))), seed \(result.seed)",
            "",
        ]
        var summary: [Row] = [Row("", s.scheme.procedure, s.simple.procedure)]
        for arm in scheme.arms {
            summary.append(Row(arm, String(s.scheme.countsByArm[arm] ?? 0), String(s.simple.countsByArm[arm] ?? 0)))
        }
        summary += [
            Row("overall imbalance", number(s.scheme.overallImbalance), number(s.simple.overallImbalance)),
            Row("largest stratum imbalance (\(strata(s.scheme.report.strata.count)))", number(s.scheme.maximumStratumImbalance), number(s.simple.maximumStratumImbalance)),
            Row("total factor-level imbalance", number(s.scheme.totalFactorImbalance), number(s.simple.totalFactorImbalance)),
            Row("largest factor-level imbalance", number(s.scheme.maximumFactorLevelImbalance), number(s.simple.maximumFactorLevelImbalance)),
        ]
        var levels: [Row] = []
        for (mine, simple) in zip(s.scheme.report.factorLevels, s.simple.report.factorLevels) {
            let counts = scheme.arms.map { String(mine.counts[$0] ?? 0) }.joined(separator: " / ")
            levels.append(Row("  \(mine.factor ?? "")=\(mine.key)  \(counts)", number(mine.imbalance), number(simple.imbalance)))
        }
        let width = (summary + levels).map(\.label.count).max() ?? 0
        let columns = (s.scheme.procedure.count + 2, s.simple.procedure.count + 2)
        lines += summary.map { $0.text(width: width, columns: columns) }
        lines += ["", "By factor level (\(scheme.arms.joined(separator: " / ")); imbalance = max − min of count ÷ ratio weight):"]
        lines += levels.map { $0.text(width: width, columns: columns) }
        if let blocks = s.blocks {
            let sizes = blocks.blocksBySize.keys.compactMap(Int.init).sorted().map { "size \($0): \(blocks.blocksBySize[String($0)] ?? 0)" }
            lines += [
                "",
                "Blocks: \(blocks.completedBlocks) completed (\(sizes.joined(separator: ", "))); \(blocks.unbalancedCompletedBlocks) not balanced to \(ratio(scheme)).",
                "Largest running imbalance within a stratum: \(number(blocks.maximumRunningImbalance)) (bound: half the largest block = \(number(blocks.bound))).",
            ]
        }
        lines += ["", "Simple randomisation = each participant drawn independently by the ratio, on the same simulated participants."]
        return lines.joined(separator: "\n")
    }

    /// One line of the side-by-side table: a label and the two procedures' figures, right-aligned.
    struct Row {
        var label: String, scheme: String, simple: String
        init(_ label: String, _ scheme: String, _ simple: String) {
            self.label = label
            self.scheme = scheme
            self.simple = simple
        }

        func text(width: Int, columns: (Int, Int)) -> String {
            label.padding(toLength: width, withPad: " ", startingAt: 0) + pad(scheme, columns.0) + pad(simple, columns.1)
        }
    }

    static func describe(_ scheme: RandomisationScheme) -> String {
        let arms = "\(ratio(scheme)) (\(scheme.arms.joined(separator: ":")))"
        switch scheme.method {
        case .permutedBlocks:
            let sizes = (scheme.blocks?.sizes ?? []).map(String.init).joined(separator: ", ")
            let strata = scheme.blocks?.strata ?? []
            return "permuted blocks of \(sizes), stratified by \(strata.isEmpty ? "nothing (one sequence)" : strata.joined(separator: ", ")); ratio \(arms)"
        case .minimisation:
            let settings = scheme.minimisation ?? MinimisationSettings()
            let factors = scheme.minimisationWeights.map { "\($0.factor) ×\(number($0.weight))" }.joined(separator: ", ")
            return "minimisation (\(settings.imbalance.rawValue), p = \(number(settings.probability))) over \(factors); ratio \(arms)"
        }
    }

    static func strata(_ count: Int) -> String { count == 1 ? "1 stratum" : "\(count) strata" }

    static func ratio(_ scheme: RandomisationScheme) -> String { scheme.ratio.map(String.init).joined(separator: ":") }

    static func number(_ value: Double) -> String { NumberText.plain((value * 100).rounded() / 100) }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
