import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats wilcoxon --x … [--y … ] [--mu 0]`: Wilcoxon signed-rank test of x − mu, or of the paired
/// differences x − y, as R's wilcox.test (exact for n < 50 without ties or zeros).
struct StatsWilcoxonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wilcoxon", abstract: "Wilcoxon signed-rank test (one sample or paired).")

    @OptionGroup var data: StatsSampleOptions
    @Option(help: "Null location.") var mu: Double = 0
    @Option(help: "Alternative: two-sided, less, greater.") var alternative: String = "two-sided"
    @Flag(name: .customLong("no-correct"), help: "No continuity correction in the normal approximation.") var noCorrect = false
    @Option(help: "Confidence level of the Hodges–Lehmann interval.") var conf: Double = 0.95
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let alt = try StatsCoreCLI.alternative(alternative)
            if data.group != nil {
                throw CLIFailure("--group gives two independent samples: use restora stats mannwhitney")
            }
            let samples = try data.samples()
            let xs = samples.x, ys = samples.y // with a second sample the test is on x − y (paired)
            let r = try StatsCoreCLI.analysis {
                if let ys {
                    return try WilcoxonSignedRank.paired(xs, ys, mu: mu, alternative: alt,
                                                         continuityCorrection: !noCorrect, confidence: conf)
                }
                return try WilcoxonSignedRank.test(xs, mu: mu, alternative: alt, continuityCorrection: !noCorrect, confidence: conf)
            }
            let report = StatsRankReport(analysis: "Wilcoxon signed-rank test", statisticName: "V", r)
            if output.json { try CLIOutput.printJSON(report) } else { print(report.text) }
        }
    }
}
