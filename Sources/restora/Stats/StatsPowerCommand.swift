import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats power <proportions|means|logrank>`: sample size (give --power) or power (give --n).
struct StatsPowerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "power", abstract: "Sample size and power: two proportions, means (t), log-rank (Schoenfeld).",
        subcommands: [StatsPowerProportionsCommand.self, StatsPowerMeansCommand.self, StatsPowerLogRankCommand.self])
}

/// Options every design calculation shares.
struct PowerOptions: ParsableArguments {
    @Option(help: "Significance level.") var alpha: Double = 0.05
    @Flag(name: .customLong("one-sided"), help: "One-sided test (default two-sided).") var oneSided = false
    var sides: Sidedness { oneSided ? .oneSided : .twoSided }
}

/// The JSON/text answer of a design calculation.
struct PowerReport: Encodable {
    let analysis: String
    let inputs: [String: Double]
    let sides: String
    /// Present when a sample size was asked for.
    let exactSize: Double?
    let size: Int?
    let power: Double
    let note: String?

    var text: String {
        let f: (Double) -> String = { StatsCoreCLI.format($0) }
        let given = inputs.keys.sorted().map { "\($0) = \(f(inputs[$0] ?? .nan))" }.joined(separator: ", ")
        var lines = ["\(analysis) (\(sides); \(given))"]
        if let size, let exactSize {
            lines.append("  n = \(size) (exact \(f(exactSize))), power \(f(power)) at n = \(size)")
        } else {
            lines.append("  power = \(f(power))")
        }
        if let note { lines.append("  \(note)") }
        return lines.joined(separator: "\n")
    }
}

struct StatsPowerProportionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proportions",
        abstract: "Two independent proportions, per group (R's power.prop.test; --continuity-correction for Fleiss).")

    @Option(help: "Proportion in group 1.") var p1: Double
    @Option(help: "Proportion in group 2.") var p2: Double
    @Option(help: "Subjects per group: report the power.") var n: Double?
    @Option(help: "Target power: report the subjects per group.") var power: Double?
    @Flag(name: .customLong("continuity-correction"), help: "Fleiss' continuity-corrected sample size.")
    var continuityCorrection = false
    @OptionGroup var common: PowerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let inputs = ["p1": p1, "p2": p2, "alpha": common.alpha]
            let report: PowerReport = try StatsCoreCLI.analysis {
                if let n {
                    guard power == nil else { throw StatsError.invalidInput(field: "power", message: "give either --n or --power, not both") }
                    let value = try ProportionPower.power(p1: p1, p2: p2, n: n, alpha: common.alpha, sides: common.sides)
                    return PowerReport(analysis: "power, two proportions", inputs: inputs.merging(["n": n]) { $1 },
                                       sides: common.sides.rawValue, exactSize: nil, size: nil, power: value, note: nil)
                }
                let target = power ?? 0.8
                let r = try ProportionPower.sampleSize(p1: p1, p2: p2, power: target, alpha: common.alpha,
                                                       sides: common.sides, continuityCorrection: continuityCorrection)
                return PowerReport(
                    analysis: "sample size per group, two proportions" + (continuityCorrection ? " (Fleiss continuity correction)" : ""),
                    inputs: inputs.merging(["power": target]) { $1 }, sides: common.sides.rawValue,
                    exactSize: r.exactSize, size: r.size, power: r.achievedPower,
                    note: continuityCorrection ? "power shown is the uncorrected normal approximation at n" : nil)
            }
            if output.json { try CLIOutput.printJSON(report) } else { print(report.text) }
        }
    }
}
