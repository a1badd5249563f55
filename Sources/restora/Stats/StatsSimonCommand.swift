import ArgumentParser
import Foundation
import RestoraStats

/// `restora stats simon --p0 0.1 --p1 0.3 [--alpha 0.05] [--beta 0.2] [--nmax 100]`: Simon's two-stage
/// optimal and minimax single-arm designs.
struct StatsSimonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simon", abstract: "Simon two-stage designs (optimal and minimax).")

    @Option(help: "Uninteresting response rate (null).") var p0: Double
    @Option(help: "Response rate worth pursuing (alternative).") var p1: Double
    @Option(help: "Type I error.") var alpha: Double = 0.05
    @Option(help: "Type II error (1 − power).") var beta: Double = 0.2
    @Option(help: "Largest total sample size searched (≤ \(SimonTwoStage.maximumN)).") var nmax: Int = 100
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReportingErrors {
            let r = try StatsCoreCLI.analysis { try SimonTwoStage.design(p0: p0, p1: p1, alpha: alpha, beta: beta, nmax: nmax) }
            if output.json { try CLIOutput.printJSON(r); return }
            let f: (Double) -> String = { StatsCoreCLI.format($0) }
            var lines = ["Simon two-stage, p0 = \(f(p0)), p1 = \(f(p1)), alpha = \(f(alpha)), beta = \(f(beta))"]
            for (name, d) in [("optimal", r.optimal), ("minimax", r.minimax)] {
                lines.append("  \(name): stop if ≤ \(d.r1)/\(d.n1) responses; promising if > \(d.r)/\(d.n). "
                    + "EN(p0) \(f(d.expectedSizeNull)), PET(p0) \(f(d.earlyStopNull)), alpha \(f(d.alpha)), power \(f(d.power))")
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
