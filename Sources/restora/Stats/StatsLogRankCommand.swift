import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats logrank`: log-rank test for k groups, optionally stratified (R survdiff).
struct StatsLogRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logrank", abstract: "Log-rank test comparing survival between groups (optionally stratified).")

    @Option(help: "CSV file with a header row.") var input: String
    @Option(help: "Column of follow-up times (≥ 0).") var time: String
    @Option(help: "Column of event indicators (1 = event, 0 = censored).") var event: String
    @Option(help: "Column of group labels (at least two groups).") var group: String
    @Option(help: "Optional column of strata: observed, expected and variance are summed over strata.")
    var strata: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let table = try CSVTable(path: input, numbers: [time, event], codes: [group] + (strata.map { [$0] } ?? []))
            let times = try table.times(time)
            let events = try table.events(event)
            let groups = try table.codes(group)
            let strataCodes = try strata.map { try table.codes($0).codes }
            let result = try SurvivalRegressionCLI.analysis {
                try LogRankTest.test(time: times, event: events, groupCodes: groups.codes, labels: groups.labels,
                                     strataCodes: strataCodes)
            }
            if output.json { try CLIOutput.printJSON(result); return }
            let f = { (x: Double) in SurvivalRegressionCLI.format(x) }
            print("log-rank test\(strata.map { " stratified by \($0)" } ?? "") — \(group)")
            print(SurvivalRegressionCLI.table(
                ["group", "n", "observed", "expected", "(O-E)^2/E"],
                result.groups.indices.map { g in
                    let e = result.expected[g], o = result.observed[g]
                    return [result.groups[g], "\(result.subjects[g])", f(o), f(e), e > 0 ? f((o - e) * (o - e) / e) : "NA"]
                }))
            print("chi-square = \(f(result.chiSquare)) on \(result.degreesOfFreedom) df, \(SurvivalRegressionCLI.pClause(result.pValue))")
        }
    }
}
