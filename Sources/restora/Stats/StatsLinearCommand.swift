import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats linear`: ordinary least squares (R lm) by Householder QR.
struct StatsLinearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear", abstract: "Linear regression: coefficients, t tests, intervals, R², F test.")

    @Option(help: "CSV file with a header row.") var input: String
    @Option(help: "Numeric outcome column.") var outcome: String
    @Option(help: "Comma-separated numeric covariate columns.") var covariates: String
    @Option(name: .customLong("conf-level"), help: "Confidence level.") var confLevel: Double = 0.95
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let level = try SurvivalRegressionCLI.confidenceLevel(confLevel)
            let names = try SurvivalRegressionCLI.nameList(covariates, option: "covariates")
            let table = try CSVTable(path: input, numbers: [outcome] + names, codes: [])
            let y = try table.numbers(outcome)
            let columns = try names.map { try table.numbers($0) }
            let model = try SurvivalRegressionCLI.analysis {
                try LinearRegression.fit(outcome: y, covariates: columns, names: names, outcomeName: outcome,
                                         confidenceLevel: level)
            }
            if output.json { try CLIOutput.printJSON(model); return }
            let f = { (x: Double?) in SurvivalRegressionCLI.format(x) }
            let pct = Int((level * 100).rounded())
            print("linear regression of \(outcome): n = \(model.observations)")
            print(SurvivalRegressionCLI.table(
                ["term", "estimate", "se", "t", "p", "\(pct)% lower", "\(pct)% upper"],
                model.coefficients.map {
                    [$0.name, f($0.estimate), f($0.standardError), f($0.t), SurvivalRegressionCLI.pValue($0.pValue), f($0.lower), f($0.upper)]
                }))
            print("residual standard error = \(f(model.sigma)) on \(model.residualDegreesOfFreedom) df")
            print("R² = \(f(model.rSquared)), adjusted R² = \(f(model.adjustedRSquared))")
            if let fs = model.fStatistic, let p = model.fPValue {
                print("F = \(f(fs)) on \(model.fNumeratorDegreesOfFreedom) and \(model.residualDegreesOfFreedom) df, \(SurvivalRegressionCLI.pClause(p))")
            }
        }
    }
}
