import ArgumentParser
import Foundation

/// Where the measurements of `ttest`, `wilcoxon` and `mannwhitney` come from: comma-separated lists
/// (`--x 1,2,3 --y 4,5`) or a CSV file (`--input data.csv --value col [--group arm | --value2 col2]`).
struct StatsSampleOptions: ParsableArguments {
    @Option(help: "First sample, comma-separated.") var x: String?
    @Option(help: "Second sample, comma-separated.") var y: String?
    @Option(help: "CSV file with a header row (instead of --x/--y).") var input: String?
    @Option(help: "CSV column with the measurements.") var value: String?
    @Option(help: "CSV column with two group labels: x = the first label in sort order, y = the second.")
    var group: String?
    @Option(help: "Second CSV column of measurements (paired with --value row by row).") var value2: String?

    struct Samples {
        let x: [Double]
        let y: [Double]?
        /// Names of x and y for the report ("x"/"y", or the group labels / column names).
        let names: (String, String)
    }

    func samples() throws -> Samples {
        if let input {
            guard x == nil, y == nil else { throw CLIFailure("--input cannot be combined with --x/--y") }
            guard let value else { throw CLIFailure("--input needs --value (the column of measurements)") }
            let table = try CSVTable(path: input)
            let values = try table.numbers(value)
            if let group {
                guard value2 == nil else { throw CLIFailure("--group and --value2 cannot be combined") }
                let labels = try table.strings(group)
                let distinct = Array(Set(labels)).sorted()
                guard distinct.count == 2 else {
                    throw CLIFailure("--group: column '\(group)' has \(distinct.count) distinct labels (\(distinct.prefix(5).joined(separator: ", "))); exactly 2 are needed")
                }
                let first = zip(values, labels).filter { $0.1 == distinct[0] }.map(\.0)
                let second = zip(values, labels).filter { $0.1 == distinct[1] }.map(\.0)
                return Samples(x: first, y: second, names: (distinct[0], distinct[1]))
            }
            if let value2 {
                return Samples(x: values, y: try table.numbers(value2), names: (value, value2))
            }
            return Samples(x: values, y: nil, names: (value, "-"))
        }
        guard let x else { throw CLIFailure("give the data with --x (and --y) or --input with --value") }
        if value != nil || group != nil || value2 != nil { throw CLIFailure("--value/--group/--value2 need --input") }
        return Samples(x: try StatsCoreCLI.values(x, option: "x"),
                       y: try y.map { try StatsCoreCLI.values($0, option: "y") }, names: ("x", "y"))
    }
}
