import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats cox`: Cox proportional hazards (R coxph: Efron ties by default).
struct StatsCoxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cox", abstract: "Cox proportional-hazards regression: hazard ratios, Wald, score and LR tests.")

    @Option(help: "CSV file with a header row.") var input: String
    @Option(help: "Column of follow-up times (≥ 0).") var time: String
    @Option(help: "Column of event indicators (1 = event, 0 = censored).") var event: String
    @Option(help: "Comma-separated numeric covariate columns, e.g. age,dose,arm.") var covariates: String
    @Option(help: "Tied event times: efron (default, as R and lifelines) or breslow.") var ties: String = "efron"
    @Option(name: .customLong("conf-level"), help: "Confidence level for hazard ratios.") var confLevel: Double = 0.95
    @Flag(help: "Also report Harrell's concordance.") var concordance = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            guard let tieMethod = CoxTies(rawValue: ties) else {
                throw CLIFailure("--ties: '\(ties)' is not efron or breslow")
            }
            let level = try SurvivalRegressionCLI.confidenceLevel(confLevel)
            let names = try SurvivalRegressionCLI.nameList(covariates, option: "covariates")
            let table = try CSVTable(path: input, numbers: [time, event] + names, codes: [])
            let times = try table.times(time)
            let events = try table.events(event)
            let columns = try names.map { try table.numbers($0) }
            let model = try SurvivalRegressionCLI.analysis {
                try CoxRegression.fit(time: times, event: events, covariates: columns, names: names,
                                      ties: tieMethod, confidenceLevel: level, concordance: concordance)
            }
            if output.json { try CLIOutput.printJSON(model); return }
            let f = { (x: Double) in SurvivalRegressionCLI.format(x) }
            let pct = Int((level * 100).rounded())
            print("Cox proportional hazards (\(tieMethod.rawValue) ties): n = \(model.subjects), events = \(model.events)")
            print(SurvivalRegressionCLI.table(
                ["covariate", "coef", "se", "HR", "\(pct)% lower", "\(pct)% upper", "z", "p"],
                model.coefficients.map {
                    [$0.name, f($0.coefficient), f($0.standardError), f($0.hazardRatio), f($0.lower), f($0.upper),
                     f($0.z), SurvivalRegressionCLI.pValue($0.pValue)]
                }))
            for (name, test) in [("likelihood ratio", model.likelihoodRatioTest), ("Wald", model.waldTest),
                                 ("score (log-rank)", model.scoreTest)] {
                print("\(name) test = \(f(test.statistic)) on \(test.degreesOfFreedom) df, \(SurvivalRegressionCLI.pClause(test.pValue))")
            }
            if let c = model.concordance { print("concordance = \(f(c))") }
        }
    }
}
