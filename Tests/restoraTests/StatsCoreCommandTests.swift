import Foundation
import Testing
@testable import restora

/// Parsing and refusals of the core `restora stats` subcommands; the numbers themselves are checked against
/// R/scipy in RestoraStatsTests.
@Suite struct StatsCoreCommandTests {
    static func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as CLIFailure {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func proportionAnchor() throws {
        let command = try StatsProportionCommand.parse(["--successes", "11", "--trials", "30"])
        let report = try command.makeReport()
        let ci = try #require(report.intervals.first?.interval)
        #expect(StatsCoreCLI.format(ci.lower.value) == "0.1993")
        #expect(StatsCoreCLI.format(ci.upper.value) == "0.5614")
        #expect(command.text(report).contains("clopper-pearson: 95% CI 0.1993 to 0.5614"))
    }

    @Test(arguments: [
        (["--successes", "31", "--trials", "30"], "successes: must not exceed trials (30), got 31"),
        (["--successes", "3", "--trials", "30", "--method", "wald"], "--method: 'wald' is not one of"),
        (["--successes", "3", "--trials", "30", "--conf", "nan"], "confidence: must be strictly between 0 and 1"),
        (["--successes", "3", "--trials", "30", "--compare-successes", "2"], "--compare-successes and --compare-trials"),
        (["--successes", "3", "--trials", "30", "--alternative", "bigger"], "--alternative: 'bigger' is not one of"),
    ])
    func proportionRefusals(arguments: [String], message: String) throws {
        let command = try StatsProportionCommand.parse(arguments)
        let got = Self.failure { _ = try command.makeReport() }
        #expect(got?.hasPrefix(message) == true, "got \(got ?? "no error")")
    }

    @Test(arguments: [
        ("6,5;5", "table: row 2 has 1 cells but row 1 has 2"),
        ("6,-5;5,14", "table: cell (1, 2) is negative (-5)"),
        ("6,5;5,x", "table: cell (2, 2) is not a whole number: 'x'"),
        ("", "table: cell (1, 1) is not a whole number"),
    ])
    func fisherRefusals(table: String, message: String) throws {
        let command = try StatsFisherCommand.parse(["--table", table])
        let got = Self.failure { _ = try command.makeReport() }
        #expect(got?.hasPrefix(message) == true, "got \(got ?? "no error")")
    }

    @Test func fisherRxCIsTwoSidedOnly() throws {
        let command = try StatsFisherCommand.parse(["--table", "3,1,0;0,2,4", "--alternative", "less"])
        #expect(Self.failure { _ = try command.makeReport() }?.hasPrefix("alternative: one-sided tests need a 2×2 table") == true)
    }

    @Test func tTestValues() throws {
        let bad = try StatsTTestCommand.parse(["--x", "1,nan,3"])
        #expect(Self.failure { _ = try bad.result() } == "--x: value 2 'nan' is not a finite decimal number")
        let constant = try StatsTTestCommand.parse(["--x", "2,2,2"])
        #expect(Self.failure { _ = try constant.result() }?.contains("data are essentially constant") == true)
        let paired = try StatsTTestCommand.parse(["--x", "1,2,3", "--paired"])
        #expect(Self.failure { _ = try paired.result() }?.hasPrefix("--paired needs --y") == true)
    }

    @Test func csvInput() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stats-core-\(UUID().uuidString).csv")
        try "arm,motility\nA,1.2\nB,2.5\nA,1.9\nB,3.1\nA,1.4\nB,2.2\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let fromFile = try StatsTTestCommand.parse(["--input", url.path, "--value", "motility", "--group", "arm"]).result()
        let fromLists = try StatsTTestCommand.parse(["--x", "1.2,1.9,1.4", "--y", "2.5,3.1,2.2"]).result()
        #expect(fromFile == fromLists)
        let bad = try StatsTTestCommand.parse(["--input", url.path, "--value", "motility", "--group", "motility"])
        #expect(Self.failure { _ = try bad.result() }?.hasPrefix("--group: column 'motility' has 6 distinct labels") == true)
        let missing = try StatsTTestCommand.parse(["--input", url.path])
        #expect(Self.failure { _ = try missing.result() } == "--input needs --value (the column of measurements)")
    }

    /// JSON never carries NaN or a bare infinity: infinite interval ends become "Inf".
    @Test func jsonInfinity() throws {
        let command = try StatsFisherCommand.parse(["--table", "5,0;0,5", "--json"])
        let json = try CLIOutput.jsonString(try command.makeReport())
        #expect(json.contains("\"upper\" : \"Inf\""))
        #expect(!json.lowercased().contains("nan"))
    }
}
