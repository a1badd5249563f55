import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats proportion`: x of n with a confidence interval, the exact binomial test against a null
/// proportion, and optionally the difference from a second proportion (Newcombe's interval).
struct StatsProportionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proportion",
        abstract: "One proportion (interval + exact binomial test) or the difference of two (Newcombe).")

    @Option(help: "Number of successes (responders).") var successes: Int
    @Option(help: "Number of trials (subjects).") var trials: Int
    @Option(help: "Interval: clopper-pearson (default), wilson, wilson-cc, jeffreys, agresti-coull, or all.")
    var method: String = "clopper-pearson"
    @Option(help: "Confidence level.") var conf: Double = 0.95
    @Option(name: .customLong("null"), help: "Null proportion of the exact binomial test.") var nullProportion: Double = 0.5
    @Option(help: "Alternative of the binomial test: two-sided, less, greater.") var alternative: String = "two-sided"
    @Option(name: .customLong("compare-successes"), help: "Successes in a second group: report p1 − p2.")
    var compareSuccesses: Int?
    @Option(name: .customLong("compare-trials"), help: "Trials in the second group.") var compareTrials: Int?
    @OptionGroup var output: OutputOptions

    struct IntervalReport: Encodable {
        let method: String
        let interval: JSONInterval
    }
    struct DifferenceReport: Encodable {
        let successes2: Int
        let trials2: Int
        let difference: Double
        let method: String
        let interval: JSONInterval
    }
    struct Report: Encodable {
        let analysis = "proportion"
        let successes: Int
        let trials: Int
        let estimate: Double
        let intervals: [IntervalReport]
        let binomialTest: BinomialTestReport
        let difference: DifferenceReport?
    }
    struct BinomialTestReport: Encodable {
        let nullProportion: Double
        let alternative: String
        let pValue: Double
    }

    func run() async throws {
        try await runReportingErrors {
            let report = try makeReport()
            if output.json { try CLIOutput.printJSON(report) } else { print(text(report)) }
        }
    }

    func makeReport() throws -> Report {
        let methods: [ProportionIntervalMethod]
        if method == "all" {
            methods = ProportionIntervalMethod.allCases
        } else if let one = ProportionIntervalMethod(rawValue: method) {
            methods = [one]
        } else {
            let names = ProportionIntervalMethod.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIFailure("--method: '\(method)' is not one of \(names), all")
        }
        let alt = try StatsCoreCLI.alternative(alternative)
        if (compareSuccesses == nil) != (compareTrials == nil) {
            throw CLIFailure("--compare-successes and --compare-trials must be given together")
        }
        return try StatsCoreCLI.analysis {
            let intervals = try methods.map { m in
                let r = try Proportion.interval(successes: successes, trials: trials, method: m, confidence: conf)
                return IntervalReport(method: m.rawValue, interval: JSONInterval(r.interval))
            }
            let test = try BinomialTest.test(successes: successes, trials: trials, nullProportion: nullProportion,
                                             alternative: alt, confidence: conf)
            var difference: DifferenceReport?
            if let x2 = compareSuccesses, let n2 = compareTrials {
                let d = try ProportionDifference.newcombe(
                    successes1: successes, trials1: trials, successes2: x2, trials2: n2, confidence: conf)
                difference = DifferenceReport(successes2: x2, trials2: n2, difference: d.difference,
                                              method: "newcombe-hybrid-score", interval: JSONInterval(d.interval))
            }
            return Report(successes: successes, trials: trials, estimate: test.estimate, intervals: intervals,
                          binomialTest: BinomialTestReport(nullProportion: nullProportion, alternative: alt.rawValue,
                                                           pValue: test.pValue),
                          difference: difference)
        }
    }

    func text(_ r: Report) -> String {
        let f = StatsCoreCLI.format
        var lines = ["\(r.successes)/\(r.trials) = \(f(r.estimate, 4))"]
        for i in r.intervals {
            let level = f(i.interval.level * 100, 3)
            lines.append("  \(i.method): \(level)% CI \(f(i.interval.lower.value, 4)) to \(f(i.interval.upper.value, 4))")
        }
        let t = r.binomialTest
        lines.append("  exact binomial test vs p0 = \(f(t.nullProportion, 4)) (\(t.alternative)): p = \(StatsCoreCLI.p(t.pValue))")
        if let d = r.difference {
            lines.append("difference vs \(d.successes2)/\(d.trials2): \(f(d.difference, 4)), Newcombe \(f(d.interval.level * 100, 3))% CI \(f(d.interval.lower.value, 4)) to \(f(d.interval.upper.value, 4))")
        }
        return lines.joined(separator: "\n")
    }
}
