import Foundation
import RestoraStats

/// Exact-inference workloads for `restora bench`.
enum BenchExactWorkloads {
    /// Clopper–Pearson intervals for x = 0…n over a sweep of n, `count` intervals in all.
    static func clopperPearson(count: Int, repetitions: Int) throws -> BenchCommand.Timing {
        let measured = try SurvivalRegressionCLI.analysis {
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
                                   seconds: measured.wall, cpuSeconds: measured.cpu,
                                   check: ["sum of limits": measured.value])
    }

    /// Fixed R×C tables of cohort size (written to fisher.json with --write-data for the R comparison).
    static let fisherTables: [[[Int]]] = [
        [[3, 1, 7], [6, 8, 2]],
        [[5, 3, 2, 1, 4], [1, 4, 6, 3, 2]],
        [[2, 5, 3], [4, 1, 6], [7, 3, 2]],
        [[3, 2, 4, 1], [1, 5, 2, 6], [4, 1, 3, 2]],
        [[2, 3, 1, 4], [3, 1, 4, 2], [1, 4, 2, 3], [4, 2, 3, 1]],
    ]

    /// Fisher's exact test (network enumeration) on each table; the time is per table, minimum over
    /// repetitions, each repetition running the table 10 times for clock resolution.
    static func fisher(repetitions: Int, writeData: String?) throws -> [BenchCommand.Timing] {
        if let dir = writeData {
            let data = try JSONEncoder().encode(fisherTables)
            try data.write(to: URL(fileURLWithPath: dir + "/fisher.json"))
        }
        return try fisherTables.map { counts in
            let table = try SurvivalRegressionCLI.analysis { try ContingencyTable(counts) }
            let measured = try SurvivalRegressionCLI.analysis {
                try BenchCommand.measure(repetitions) { () throws -> FisherExactRxCResult in
                    var last: FisherExactRxCResult?
                    for _ in 0..<10 { last = try FisherExact.testRxC(table) }
                    return last!
                }
            }
            let shape = "\(counts.count)x\(counts[0].count), n = \(counts.joined().reduce(0, +))"
            return BenchCommand.Timing(
                workload: "Fisher RxC", size: shape, seconds: measured.wall / 10, cpuSeconds: measured.cpu / 10,
                check: ["p": measured.value.pValue, "nodes": Double(measured.value.nodesVisited)])
        }
    }
}
