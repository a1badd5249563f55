import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats mannwhitney --x … --y …`: Mann–Whitney U / Wilcoxon rank-sum test as R's wilcox.test(x, y).
struct StatsMannWhitneyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mannwhitney", abstract: "Mann–Whitney U (Wilcoxon rank-sum) test of two independent samples.")

    @OptionGroup var data: StatsSampleOptions
    @Option(help: "Null location shift of x relative to y.") var mu: Double = 0
    @Option(help: "Alternative: two-sided, less, greater.") var alternative: String = "two-sided"
    @Flag(name: .customLong("no-correct"), help: "No continuity correction in the normal approximation.") var noCorrect = false
    @Option(help: "Confidence level of the Hodges–Lehmann interval.") var conf: Double = 0.95
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let alt = try StatsCoreCLI.alternative(alternative)
            let samples = try data.samples()
            let xs = samples.x
            guard let ys = samples.y else { throw CLIFailure("mannwhitney needs two samples: --y, or --input with --group") }
            let r = try StatsCoreCLI.analysis {
                try MannWhitney.test(xs, ys, mu: mu, alternative: alt, continuityCorrection: !noCorrect, confidence: conf)
            }
            let report = StatsRankReport(analysis: "Mann–Whitney test", statisticName: "W", r)
            if output.json { try CLIOutput.printJSON(report) } else { print(report.text) }
        }
    }
}
