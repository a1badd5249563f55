import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats logistic`: logistic regression by maximum likelihood or Firth's penalized likelihood.
struct StatsLogisticCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logistic", abstract: "Logistic regression: odds ratios with profile-likelihood intervals (--firth for small samples or separation).")

    @Option(help: "CSV file with a header row.") var input: String
    @Option(help: "Binary outcome column (0/1).") var outcome: String
    @Option(help: "Comma-separated numeric covariate columns.") var covariates: String
    @Flag(help: "Firth's penalized likelihood (as R logistf): finite estimates under separation.") var firth = false
    @Flag(name: .customLong("no-profile"), help: "Skip profile-likelihood intervals (Wald only).") var noProfile = false
    @Option(name: .customLong("conf-level"), help: "Confidence level.") var confLevel: Double = 0.95
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let level = try SurvivalRegressionCLI.confidenceLevel(confLevel)
            let names = try SurvivalRegressionCLI.nameList(covariates, option: "covariates")
            let table = try CSVTable(path: input, numbers: [outcome] + names, codes: [])
            let y = try table.binary(outcome)
            let columns = try names.map { try table.numbers($0) }
            let model = try SurvivalRegressionCLI.analysis {
                try LogisticRegression.fit(
                    outcome: y, covariates: columns, names: names, outcomeName: outcome,
                    method: firth ? .firth : .maximumLikelihood, confidenceLevel: level, profileIntervals: !noProfile)
            }
            if output.json { try CLIOutput.printJSON(model); return }
            let f = { (x: Double?) in SurvivalRegressionCLI.format(x) }
            let pct = Int((level * 100).rounded())
            let interval = noProfile ? "Wald" : (firth ? "profile penalized likelihood" : "profile likelihood")
            print("\(firth ? "Firth penalized" : "maximum-likelihood") logistic regression of \(outcome): n = \(model.observations), events = \(model.events)")
            print(SurvivalRegressionCLI.table(
                ["term", "coef", "se", "OR", "\(pct)% lower", "\(pct)% upper", firth ? "PLR p" : "Wald p"],
                model.coefficients.map { c in
                    let lower = noProfile ? c.waldLower : c.profileLower
                    let upper = noProfile ? c.waldUpper : c.profileUpper
                    return [c.name, f(c.estimate), f(c.standardError), f(c.oddsRatio),
                            f(lower.map { exp($0) }), f(upper.map { exp($0) }), SurvivalRegressionCLI.pValue(c.pValue)]
                }))
            print("odds-ratio intervals: \(interval)")
            var fitLine = "deviance = \(f(model.deviance)), null deviance = \(f(model.nullDeviance))"
            if let aic = model.aic { fitLine += ", AIC = \(f(aic))" }
            if let pl = model.penalizedLogLikelihood { fitLine += ", penalized log-likelihood = \(f(pl))" }
            print(fitLine)
        }
    }
}
