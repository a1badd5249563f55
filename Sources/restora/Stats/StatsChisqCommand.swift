import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats chisq --table "6,5;5,14" [--no-correct]`: Pearson's chi-square test as R's chisq.test.
struct StatsChisqCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chisq", abstract: "Pearson chi-square test of independence (Yates' correction on 2×2 by default).")

    @Option(help: "Counts, rows separated by ';' and cells by ',', e.g. \"6,5;5,14\".") var table: String
    @Flag(name: .customLong("no-correct"), help: "Do not apply Yates' continuity correction to a 2×2 table.")
    var noCorrect = false
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let analysis = "chisq"
        let table: [[Int]]
        let statistic: Double
        let degreesOfFreedom: Int
        let pValue: Double
        let yatesCorrection: Double
        let expected: [[Double]]
        let cellsWithExpectedBelowFive: Int
    }

    func run() async throws {
        try await runReportingErrors {
            let r = try StatsCoreCLI.analysis {
                try PearsonChiSquare.test(try ContingencyTable(parsing: table), continuityCorrection: !noCorrect)
            }
            let report = Report(table: r.table.counts, statistic: r.statistic, degreesOfFreedom: r.degreesOfFreedom,
                                pValue: r.pValue, yatesCorrection: r.yatesCorrection, expected: r.expected,
                                cellsWithExpectedBelowFive: r.cellsWithExpectedBelowFive)
            if output.json { try CLIOutput.printJSON(report); return }
            let f: (Double) -> String = { StatsCoreCLI.format($0) }
            var lines = ["X² = \(f(r.statistic)), df = \(r.degreesOfFreedom), p = \(StatsCoreCLI.p(r.pValue))"
                + (r.yatesCorrection > 0 ? " (Yates' correction \(f(r.yatesCorrection)))" : "")]
            lines.append("  expected: " + r.expected.map { $0.map { f($0) }.joined(separator: ",") }.joined(separator: "; "))
            if r.cellsWithExpectedBelowFive > 0 {
                lines.append("  note: \(r.cellsWithExpectedBelowFive) cell(s) have expected count < 5; prefer Fisher's exact test")
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
