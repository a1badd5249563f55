import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats power means --delta 1 --sd 2 [--design two-sample|paired|one-sample] [--n N | --power P]`.
struct StatsPowerMeansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "means", abstract: "t-test designs with the noncentral t (R's power.t.test).")

    @Option(help: "Difference in means to detect.") var delta: Double
    @Option(help: "Standard deviation (of the differences for --design paired).") var sd: Double = 1
    @Option(help: "two-sample (n per group), paired (n pairs) or one-sample.") var design: String = "two-sample"
    @Option(help: "Subjects per group (or pairs): report the power.") var n: Double?
    @Option(help: "Target power: report the size.") var power: Double?
    @OptionGroup var common: PowerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            guard let kind = MeanPower.Design(rawValue: design) else {
                throw CLIFailure("--design: '\(design)' is not one of two-sample, paired, one-sample")
            }
            let inputs = ["delta": delta, "sd": sd, "alpha": common.alpha]
            let report: PowerReport = try StatsCoreCLI.analysis {
                if let n {
                    guard power == nil else { throw StatsError.invalidInput(field: "power", message: "give either --n or --power, not both") }
                    let value = try MeanPower.power(n: n, delta: delta, sd: sd, alpha: common.alpha, sides: common.sides, design: kind)
                    return PowerReport(analysis: "power, \(kind.rawValue) t-test", inputs: inputs.merging(["n": n]) { $1 },
                                       sides: common.sides.rawValue, exactSize: nil, size: nil, power: value, note: nil)
                }
                let target = power ?? 0.8
                let r = try MeanPower.sampleSize(delta: delta, sd: sd, power: target, alpha: common.alpha,
                                                 sides: common.sides, design: kind)
                let unit = kind == .twoSample ? "per group" : (kind == .paired ? "pairs" : "subjects")
                return PowerReport(analysis: "sample size (\(unit)), \(kind.rawValue) t-test",
                                   inputs: inputs.merging(["power": target]) { $1 }, sides: common.sides.rawValue,
                                   exactSize: r.exactSize, size: r.size, power: r.achievedPower, note: nil)
            }
            if output.json { try CLIOutput.printJSON(report) } else { print(report.text) }
        }
    }
}
