import ArgumentParser
import Foundation
import RestoraStats

/// `restora bench`: times the heavy analyses on deterministic synthetic data (BENCHMARKS.md).
/// Build in release mode; `scripts/bench/compare.py` runs the same work in lifelines, scipy,
/// statsmodels and R on the CSV files written with `--write-data` and prints the ratios.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time survival, Cox and exact-interval workloads on synthetic data.")

    @Option(help: "Subjects for Kaplan–Meier + log-rank (two arms).") var subjects = 1_000_000
    @Option(name: .customLong("cox-subjects"), help: "Subjects for the Cox model.") var coxSubjects = 100_000
    @Option(help: "Covariates in the Cox model.") var covariates = 10
    @Option(help: "Number of Clopper–Pearson intervals.") var intervals = 1_000_000
    @Option(name: .customLong("repeat"), help: "Timed repetitions of each workload (the minimum is reported).")
    var repetitions = 3
    @Option(help: "Seed of the data generator.") var seed: UInt64 = 20_261_121
    @Option(name: .customLong("write-data"), help: "Directory to write the generated data as CSV (for compare.py).")
    var writeData: String?
    @Option(help: "Comma-separated workloads to run: km, cox, fisher, exact.") var only = "km,cox,fisher,exact"
    @OptionGroup var output: OutputOptions

    struct Timing: Encodable {
        let workload: String
        let size: String
        let seconds: Double
        /// Process CPU time of the fastest repetition: less sensitive than wall time to other work on a
        /// shared machine.
        let cpuSeconds: Double
        let check: [String: Double]
    }

    func run() async throws {
        try await runReportingErrors {
            guard subjects > 1, coxSubjects > 1, covariates > 0, intervals > 0, repetitions > 0 else {
                throw CLIFailure("sizes and --repeat must be positive")
            }
            let selected = Set(only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            var timings: [Timing] = []
            if selected.contains("km") { timings.append(try survivalWorkload()) }
            if selected.contains("cox") { timings.append(try coxWorkload()) }
            if selected.contains("fisher") { timings.append(contentsOf: try BenchExactWorkloads.fisher(repetitions: repetitions, writeData: writeData)) }
            if selected.contains("exact") {
                timings.append(try BenchExactWorkloads.clopperPearson(count: intervals, repetitions: repetitions))
            }
            if output.json { try CLIOutput.printJSON(timings); return }
            print(SurvivalRegressionCLI.table(["workload", "size", "seconds", "CPU seconds"], timings.map {
                [$0.workload, $0.size, String(format: "%.4f", $0.seconds), String(format: "%.4f", $0.cpuSeconds)]
            }))
        }
    }

    /// Wall and CPU time of the fastest repetition, and the last result.
    struct Measured<T> {
        let wall: Double
        let cpu: Double
        let value: T
    }

    static func measure<T>(_ repetitions: Int, _ body: () throws -> T) rethrows -> Measured<T> {
        var best = Double.infinity
        var bestCPU = Double.nan
        var result: T?
        let clock = ContinuousClock()
        for _ in 0..<repetitions {
            let cpu0 = processCPUTime()
            let start = clock.now
            let value = try body()
            let elapsed = clock.now - start
            let cpu = processCPUTime() - cpu0
            let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if wall < best { best = wall; bestCPU = cpu }
            result = value
        }
        return Measured(wall: best, cpu: bestCPU, value: result!)
    }

    static func processCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    func survivalWorkload() throws -> Timing {
        let data = SurvivalBenchData(subjects: subjects, seed: seed)
        if let dir = writeData {
            try BenchCSV.write(path: dir + "/survival.csv", header: ["time", "event", "group"],
                               columns: [data.time, data.event.map { $0 ? 1 : 0 }, data.group.map(Double.init)])
        }
        let measured = try SurvivalRegressionCLI.analysis {
            try Self.measure(repetitions) { () throws -> ([KaplanMeierCurve], LogRankResult) in
                // The whole analysis from raw columns: both curves with log-log intervals and the test.
                // Repeated times are aggregated by hashing (GroupedEventTable); otherwise one sort.
                if let table = try GroupedEventTable.build(
                    time: data.time, event: data.event, group: data.group, groupCount: 2) {
                    return (try table.kaplanMeier(), try table.logRank(labels: ["0", "1"]))
                }
                let sample = try SurvivalSample(time: data.time, event: data.event, group: data.group)
                let curves = try KaplanMeier.fitGroups(sample: sample, groupCodes: data.group, groups: 2)
                let test = try LogRankTest.test(sample: sample, groupCodes: data.group, labels: ["0", "1"])
                return (curves, test)
            }
        }
        let result = measured.value
        return Timing(
            workload: "Kaplan-Meier (2 arms, log-log CI) + log-rank", size: "\(subjects) subjects",
            seconds: measured.wall, cpuSeconds: measured.cpu,
            check: ["chisq": result.1.chiSquare, "median0": result.0[0].median?.estimate ?? .nan,
                    "median1": result.0[1].median?.estimate ?? .nan])
    }

    func coxWorkload() throws -> Timing {
        let data = CoxBenchData(subjects: coxSubjects, covariates: covariates, seed: seed &+ 1)
        let names = (1...covariates).map { "x\($0)" }
        if let dir = writeData {
            try BenchCSV.write(path: dir + "/cox.csv", header: ["time", "event"] + names,
                               columns: [data.time, data.event.map { $0 ? 1 : 0 }] + data.covariates)
        }
        let measured = try SurvivalRegressionCLI.analysis {
            try Self.measure(repetitions) {
                try CoxRegression.fit(time: data.time, event: data.event, covariates: data.covariates, names: names)
            }
        }
        let model = measured.value
        var check = ["loglik": model.logLikelihood, "iterations": Double(model.iterations)]
        for c in model.coefficients { check[c.name] = c.coefficient }
        return Timing(workload: "Cox (Efron ties)", size: "\(coxSubjects) subjects x \(covariates) covariates",
                      seconds: measured.wall, cpuSeconds: measured.cpu, check: check)
    }
}
