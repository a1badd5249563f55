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
            let table = try CSVTable(path: input, numbers: [time, event], codes: group.map { [$0] } ?? [])
            let times = try table.times(time)
            let events = try table.events(event)
            // Groups as codes into the sorted labels (no String per row); one curve per label.
            let (codes, labels): ([Int32], [String?]) = try group.map { name in
                let column = try table.codes(name)
                return (column.codes, column.labels.map(Optional.some))
            } ?? ([Int32](repeating: 0, count: times.count), [nil])
            let fits = try SurvivalRegressionCLI.analysis {
                try KaplanMeier.fitGroups(time: times, event: events, groupCodes: codes, groups: labels.count,
                                          confidenceType: type, confidenceLevel: level)
            }
            // The groups are independent: each one's report (quantiles, limits) and text on a core of its own
            // (the curve of a million subjects is 70,000 rows per group).
            let pct = Int((level * 100).rounded())
            let groups = Array(zip(fits, labels))
            let json = output.json
            var slots = [Result<(GroupReport, [UInt8]), Error>?](repeating: nil, count: groups.count)
            slots.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots
                DispatchQueue.concurrentPerform(iterations: groups.count) { i in
                    slots[i] = Result {
                        let g = try self.report(groups[i].0, label: groups[i].1, atTimes: atTimes, probabilities: probabilities)
                        return (g, json ? [] : text(g, confidenceType: type.rawValue, pct: pct))
                    }
                }
            }
            let done = try slots.map { try $0!.get() }  // every slot is filled when concurrentPerform returns
            let reports = done.map(\.0)
            let report = Report(analysis: analysis,
                                confidenceType: type.rawValue, confidenceLevel: level, groups: reports)
            if json { try CLIOutput.printJSON(report); return }
            // Each group's text ends in an empty line, and the output in one line break: as `print` of the lines
            // joined by line breaks, written group by group.
            for (_, text) in done { CLIOutput.write(text) }
        }
    }

    var analysis: String { incidence ? "cumulative incidence (1 - Kaplan-Meier)" : "Kaplan-Meier" }

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

    /// One group's text, as bytes: the curve of a million subjects is 70,000 rows, written cell by cell.
    func text(_ g: GroupReport, confidenceType: String, pct: Int) -> [UInt8] {
        let incidence = incidence
        let what = incidence ? "incidence" : "survival"
        var out: [UInt8] = []
        func line(_ text: String) { out.append(contentsOf: text.utf8); out.append(0x0A) }
        func table(_ table: TextTable) { table.render(into: &out); out.append(0x0A) }
        line("\(analysis)\(g.group.map { " — group \($0)" } ?? ""): n = \(g.subjects), events = \(g.events)")
        if g.events == 0 { line("(no events: the curve stays at \(incidence ? 0 : 1))") } else {
            var curve = TextTable(["time", "at risk", "events", "censored", what, "std err", "\(pct)% lower", "\(pct)% upper"],
                                  expectedRows: g.curve.count)
            for row in g.curve where row.events > 0 {
                curve.cell(row.time); curve.cell(row.atRisk); curve.cell(row.events); curve.cell(row.censored)
                curve.cell(row.estimate); curve.cell(row.standardError); curve.cell(row.lower); curve.cell(row.upper)
            }
            table(curve)
        }
        line("quantiles of time to event (\(confidenceType) \(pct)% CI; NA = not reached):")
        var quantiles = TextTable(["probability", "time", "lower", "upper"])
        for q in g.quantiles { quantiles.cell(q.probability); quantiles.cell(q.estimate); quantiles.cell(q.lower); quantiles.cell(q.upper) }
        table(quantiles)
        if !g.atTimes.isEmpty {
            line("at requested times:")
            var at = TextTable(["time", "at risk", "events so far", what, "lower", "upper"])
            for t in g.atTimes {
                at.cell(t.time); at.cell(t.atRisk); at.cell(t.cumulativeEvents); at.cell(t.survival); at.cell(t.lower); at.cell(t.upper)
            }
            table(at)
        }
        line("")
        return out
    }
}
