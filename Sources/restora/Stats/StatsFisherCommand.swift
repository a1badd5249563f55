import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats fisher --table "6,5;5,14"`: Fisher's exact test; for 2×2 also the conditional MLE odds
/// ratio with its exact interval (as R's fisher.test), for R×C the exact p-value.
struct StatsFisherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fisher", abstract: "Fisher's exact test on a 2×2 or R×C table.")

    @Option(help: "Counts, rows separated by ';' and cells by ',', e.g. \"6,5;5,14\".") var table: String
    @Option(help: "Alternative for 2×2 tables: two-sided, less, greater.") var alternative: String = "two-sided"
    @Option(help: "Confidence level of the odds-ratio interval.") var conf: Double = 0.95
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let analysis = "fisher"
        let table: [[Int]]
        let alternative: String
        let pValue: Double
        let oddsRatio: JSONNumber?
        let oddsRatioInterval: JSONInterval?
        let sampleOddsRatio: JSONNumber?
    }

    func run() async throws {
        try await runReportingErrors {
            let report = try makeReport()
            if output.json { try CLIOutput.printJSON(report) } else { print(text(report)) }
        }
    }

    func makeReport() throws -> Report {
        let alt = try StatsCoreCLI.alternative(alternative)
        return try StatsCoreCLI.analysis {
            let t = try ContingencyTable(parsing: table)
            if t.isTwoByTwo {
                let r = try FisherExact.test2x2(t, alternative: alt, confidence: conf)
                return Report(table: t.counts, alternative: alt.rawValue, pValue: r.pValue,
                              oddsRatio: JSONNumber(r.oddsRatio), oddsRatioInterval: JSONInterval(r.interval),
                              sampleOddsRatio: JSONNumber(r.sampleOddsRatio))
            }
            guard alt == .twoSided else {
                throw StatsError.invalidInput(field: "alternative", message: "one-sided tests need a 2×2 table")
            }
            let r = try FisherExact.testRxC(t)
            return Report(table: t.counts, alternative: alt.rawValue, pValue: r.pValue,
                          oddsRatio: nil, oddsRatioInterval: nil, sampleOddsRatio: nil)
        }
    }

    func text(_ r: Report) -> String {
        let f = StatsCoreCLI.format
        let shape = "\(r.table.count)×\(r.table.first?.count ?? 0)"
        var lines = ["Fisher's exact test, \(shape) table \(r.table.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")) (\(r.alternative)): p = \(StatsCoreCLI.p(r.pValue))"]
        if let or = r.oddsRatio, let ci = r.oddsRatioInterval {
            lines.append("  odds ratio (conditional MLE) \(f(or.value, 4)), \(f(ci.level * 100, 3))% CI \(f(ci.lower.value, 4)) to \(f(ci.upper.value, 4))")
            if let sample = r.sampleOddsRatio { lines.append("  sample odds ratio ad/bc \(f(sample.value, 4))") }
        }
        return lines.joined(separator: "\n")
    }
}
