import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats power logrank --hazard-ratio 0.6 [--power 0.8] [--allocation 0.5] [--event-probability 0.7]`.
struct StatsPowerLogRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logrank", abstract: "Events and subjects for a log-rank test (Schoenfeld 1981).")

    @Option(name: .customLong("hazard-ratio"), help: "Hazard ratio to detect.") var hazardRatio: Double
    @Option(help: "Target power.") var power: Double = 0.8
    @Option(help: "Fraction of subjects in the first group.") var allocation: Double = 0.5
    @Option(name: .customLong("event-probability"), help: "Probability that a subject's event is observed.")
    var eventProbability: Double = 1
    @OptionGroup var common: PowerOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let analysis = "log-rank sample size (Schoenfeld)"
        let hazardRatio: Double
        let power: Double
        let alpha: Double
        let sides: String
        let allocation: Double
        let eventProbability: Double
        let exactEvents: Double
        let events: Int
        let subjects: Int
    }

    func run() async throws {
        try await runReportingErrors {
            let r = try StatsCoreCLI.analysis {
                try LogRankSampleSize.schoenfeld(hazardRatio: hazardRatio, power: power, alpha: common.alpha,
                                                 sides: common.sides, allocation: allocation, eventProbability: eventProbability)
            }
            let report = Report(hazardRatio: hazardRatio, power: power, alpha: common.alpha, sides: common.sides.rawValue,
                                allocation: allocation, eventProbability: eventProbability, exactEvents: r.exactEvents,
                                events: r.events, subjects: r.subjects)
            if output.json { try CLIOutput.printJSON(report); return }
            let f: (Double) -> String = { StatsCoreCLI.format($0) }
            print("""
            log-rank, HR \(f(hazardRatio)), power \(f(power)), alpha \(f(common.alpha)) \(common.sides.rawValue), allocation \(f(allocation))
              events needed \(r.events) (exact \(f(r.exactEvents))); subjects \(r.subjects) at event probability \(f(eventProbability))
            """)
        }
    }
}
