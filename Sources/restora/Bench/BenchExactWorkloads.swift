import Foundation
import RestoraStats

/// Exact-inference workloads for `restora bench`.
enum BenchExactWorkloads {
    /// Clopper–Pearson intervals for x = 0…n over a sweep of n, `count` intervals in all.
    static func clopperPearson(count: Int, repetitions: Int) throws -> BenchCommand.Timing {
        let (seconds, checksum) = try SurvivalRegressionCLI.analysis {
            try BenchCommand.measure(repetitions) { () throws -> Double in
                var sum = 0.0
                var done = 0
                var n = 1
                while done < count {
                    for x in 0...n where done < count {
                        let ci = try Proportion.interval(successes: x, trials: n, method: .clopperPearson)
                        sum += ci.interval.lower + ci.interval.upper
                        done += 1
                    }
                    n = n % 200 + 1
                }
                return sum
            }
        }
        return BenchCommand.Timing(workload: "Clopper-Pearson intervals", size: "\(count) intervals (n = 1..200)",
                                   seconds: seconds, check: ["sum of limits": checksum])
    }

    /// Fisher's exact test on R×C tables: filled in once the contingency module lands (see BENCHMARKS.md).
    static func fisher(repetitions: Int) throws -> [BenchCommand.Timing] { [] }
}
