import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats ttest --x 5.1,4.8,… [--y …] [--paired | --equal-variances] [--mu 0]`: one-sample, paired,
/// Welch (default for two samples) or pooled Student t-test, as R's t.test. Data may also come from a CSV
/// file: `--input data.csv --value col [--group arm | --value2 col2 --paired]`.
struct StatsTTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttest", abstract: "One-sample, paired, Welch or Student t-test with a confidence interval.")

    @OptionGroup var data: StatsSampleOptions
    @Flag(help: "Paired test on x − y.") var paired = false
    @Flag(name: .customLong("equal-variances"), help: "Pooled-variance Student test instead of Welch.") var equalVariances = false
    @Option(help: "Null value of the mean (difference).") var mu: Double = 0
    @Option(help: "Alternative: two-sided, less, greater.") var alternative: String = "two-sided"
    @Option(help: "Confidence level.") var conf: Double = 0.95
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let analysis = "ttest"
        let kind: String
        let alternative: String
        let statistic: Double
        let degreesOfFreedom: Double
        let pValue: Double
        let estimate: Double
        let standardError: Double
        let interval: JSONInterval
        let nullValue: Double
    }

    func run() async throws {
        try await runReportingErrors {
            let r = try result()
            let report = Report(kind: r.kind.rawValue, alternative: r.alternative.rawValue, statistic: r.statistic,
                                degreesOfFreedom: r.degreesOfFreedom, pValue: r.pValue, estimate: r.estimate,
                                standardError: r.standardError, interval: JSONInterval(r.interval), nullValue: r.nullValue)
            if output.json { try CLIOutput.printJSON(report); return }
            let f: (Double) -> String = { StatsCoreCLI.format($0) }
            print("""
            \(r.kind.rawValue) t-test (\(r.alternative.rawValue)): t = \(f(r.statistic)), df = \(f(r.degreesOfFreedom)), p = \(StatsCoreCLI.p(r.pValue))
              estimate \(f(r.estimate)) (SE \(f(r.standardError))), \(StatsCoreCLI.interval(r.interval)), null \(f(r.nullValue))
            """)
        }
    }

    func result() throws -> TTestResult {
        let alt = try StatsCoreCLI.alternative(alternative)
        let samples = try data.samples()
        let xs = samples.x, ys = samples.y
        if paired, ys == nil { throw CLIFailure("--paired needs --y (or --value2)") }
        if paired, equalVariances { throw CLIFailure("--paired and --equal-variances cannot be combined") }
        return try StatsCoreCLI.analysis {
            guard let ys else { return try TTest.oneSample(xs, mu: mu, alternative: alt, confidence: conf) }
            if paired { return try TTest.paired(xs, ys, mu: mu, alternative: alt, confidence: conf) }
            return try TTest.twoSample(xs, ys, mu: mu, equalVariances: equalVariances, alternative: alt, confidence: conf)
        }
    }
}
