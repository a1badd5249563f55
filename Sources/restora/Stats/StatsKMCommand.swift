import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats km`: Kaplan–Meier curves (optionally by group) with Greenwood intervals, quantiles,
/// numbers at risk at chosen times, or the cumulative incidence 1 − S (time to response).
struct StatsKMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "km", abstract: "Kaplan–Meier survival (or cumulative incidence) from a CSV file.")

    @Option(help: "CSV file with a header row.") var input: String
    @Option(help: "Column of follow-up times (≥ 0).") var time: String
    @Option(help: "Column of event indicators (1 = event, 0 = censored).") var event: String
    @Option(help: "Optional column of group labels: one curve per group.") var group: String?
    @Option(name: .customLong("conf-type"), help: "Interval: log-log (default), plain or log (R survfit names).")
    var confType: String = "log-log"
    @Option(name: .customLong("conf-level"), help: "Confidence level.") var confLevel: Double = 0.95
    @Option(help: "Times at which to report survival and numbers at risk, e.g. 3,6,12.") var at: String?
    @Option(help: "Quantiles of the event-time distribution to report.") var quantiles: String = "0.25,0.5,0.75"
    @Flag(help: "Report cumulative incidence 1 − S(t) (e.g. time to response) instead of survival.")
    var incidence = false
    @OptionGroup var output: OutputOptions

    struct GroupReport: Encodable {
        let group: String?
        let subjects: Int
        let events: Int
        let quantiles: [SurvivalQuantile]
        let atTimes: [KaplanMeierTimeSummary]
        let curve: [Row]
    }
    struct Row: Encodable {
        let time: Double
        let atRisk: Int
        let events: Int
        let censored: Int
        /// Survival, or cumulative incidence with --incidence.
        let estimate: Double
        let standardError: Double?
        let lower: Double?
        let upper: Double?
    }
    struct Report: Encodable {
        let analysis: String
        let confidenceType: String
        let confidenceLevel: Double
        let groups: [GroupReport]
    }

    func run() async throws {
        try await runReportingErrors {
            guard let type = SurvivalConfidenceType(rawValue: confType) else {
                throw CLIFailure("--conf-type: '\(confType)' is not one of log-log, plain, log")
            }
            let level = try SurvivalRegressionCLI.confidenceLevel(confLevel)
            let atTimes = try SurvivalRegressionCLI.numberList(at, option: "at")
            let probabilities = try SurvivalRegressionCLI.numberList(quantiles, option: "quantiles")
            let table = try CSVTable(path: input)
            let times = try table.times(time)
            let events = try table.binary(event).map { $0 == 1 }
            // Groups as codes into the sorted labels (no String per row); one curve per label.
            let (codes, labels): ([Int32], [String?]) = try group.map { name in
                let column = try table.codes(name)
                return (column.codes, column.labels.map(Optional.some))
            } ?? ([Int32](repeating: 0, count: times.count), [nil])
            let fits = try SurvivalRegressionCLI.analysis {
                try KaplanMeier.fitGroups(time: times, event: events, groupCodes: codes, groups: labels.count,
                                          confidenceType: type, confidenceLevel: level)
            }
            var reports: [GroupReport] = []
            for (fit, label) in zip(fits, labels) {
                reports.append(try report(fit, label: label, atTimes: atTimes, probabilities: probabilities))
            }
            let report = Report(analysis: incidence ? "cumulative incidence (1 - Kaplan-Meier)" : "Kaplan-Meier",
                                confidenceType: type.rawValue, confidenceLevel: level, groups: reports)
            if output.json { try CLIOutput.printJSON(report) } else { print(text(report)) }
        }
    }

    func report(_ fit: KaplanMeierCurve, label: String?, atTimes: [Double], probabilities: [Double]) throws -> GroupReport {
        let incidence = incidence  // read the flag once, not per step
        let rows: [Row] = fit.steps.map { step in
            Row(time: step.time, atRisk: step.atRisk, events: step.events, censored: step.censored,
                estimate: incidence ? 1 - step.survival : step.survival,
                standardError: SurvivalRegressionCLI.finite(step.standardError),
                lower: incidence ? step.upper.map { 1 - $0 } : step.lower,
                upper: incidence ? step.lower.map { 1 - $0 } : step.upper)
        }
        let summaries = try SurvivalRegressionCLI.analysis { try fit.summary(at: atTimes) }.map { incidence ? $0.asIncidence : $0 }
        return GroupReport(
            group: label, subjects: fit.subjects, events: fit.totalEvents,
            quantiles: try SurvivalRegressionCLI.analysis { try fit.quantiles(probabilities) },
            atTimes: summaries, curve: rows)
    }

    func text(_ report: Report) -> String {
        let incidence = incidence
        let f = { (x: Double?) in SurvivalRegressionCLI.format(x) }
        let what = incidence ? "incidence" : "survival"
        let pct = Int((report.confidenceLevel * 100).rounded())
        var out: [String] = []
        for g in report.groups {
            out.append("\(report.analysis)\(g.group.map { " — group \($0)" } ?? ""): n = \(g.subjects), events = \(g.events)")
            if g.events == 0 { out.append("(no events: the curve stays at \(incidence ? 0 : 1))") } else {
            out.append(SurvivalRegressionCLI.table(
                ["time", "at risk", "events", "censored", what, "std err", "\(pct)% lower", "\(pct)% upper"],
                g.curve.filter { $0.events > 0 }.map {
                    [f($0.time), "\($0.atRisk)", "\($0.events)", "\($0.censored)", f($0.estimate), f($0.standardError), f($0.lower), f($0.upper)]
                }))
            }
            out.append("quantiles of time to event (\(report.confidenceType) \(pct)% CI; NA = not reached):")
            out.append(SurvivalRegressionCLI.table(["probability", "time", "lower", "upper"], g.quantiles.map {
                [f($0.probability), f($0.estimate), f($0.lower), f($0.upper)]
            }))
            if !g.atTimes.isEmpty {
                out.append("at requested times:")
                out.append(SurvivalRegressionCLI.table(["time", "at risk", "events so far", what, "lower", "upper"], g.atTimes.map {
                    [f($0.time), "\($0.atRisk)", "\($0.cumulativeEvents)", f($0.survival), f($0.lower), f($0.upper)]
                }))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
