import Foundation
import Testing
@testable import restora

/// The CSV reader behind `restora stats km|logrank|cox|logistic|linear`: RFC 4180 quoting and errors that
/// name the row (header = row 1) and the column.
@Suite("CSV input for survival and regression")
struct CSVTableTests {
    @Test func quotedFieldsWithCommasQuotesAndLineBreaks() throws {
        let table = try CSVTable(text: "id,\"note, free text\",t\r\n1,\"said \"\"no\"\"\",3.5\r\n2,\"two\nlines\",4\n")
        #expect(table.header == ["id", "note, free text", "t"])
        #expect(table.rows.count == 2)
        #expect(table.rows[0][1] == "said \"no\"")
        #expect(table.rows[1][1] == "two\nlines")
        #expect(try table.numbers("t") == [3.5, 4])
    }

    @Test func errorsNameRowAndColumn() throws {
        let table = try CSVTable(text: "t,e\n1,1\nabc,0\n,1\n-2,1\n", source: "data.csv")
        #expect(throws: Error.self) { try table.numbers("t") }
        do { _ = try table.numbers("t") } catch let error as CLIFailure {
            #expect(error.message == "data.csv: row 3, column 't': 'abc' is not a finite decimal number")
        }
        let negative = try CSVTable(text: "t,e\n1,1\n-2,1\n", source: "data.csv")
        do { _ = try negative.times("t"); Issue.record("negative time accepted") } catch let error as CLIFailure {
            #expect(error.message == "data.csv: row 3, column 't': time -2.0 is negative")
        }
        let events = try CSVTable(text: "t,e\n1,2\n", source: "data.csv")
        do { _ = try events.binary("e"); Issue.record("event 2 accepted") } catch let error as CLIFailure {
            #expect(error.message == "data.csv: row 2, column 'e': 2.0 is not 0 or 1")
        }
        do { _ = try table.numbers("time"); Issue.record("missing column accepted") } catch let error as CLIFailure {
            #expect(error.message == "data.csv: no column 'time' (columns: t, e)")
        }
    }

    @Test func raggedRowsAndEmptyFilesAreRefused() {
        #expect(throws: CLIFailure.self) { try CSVTable(text: "a,b\n1\n") }
        #expect(throws: CLIFailure.self) { try CSVTable(text: "") }
        #expect(throws: CLIFailure.self) { try CSVTable(text: "a,b\n\"open,1\n") }
    }

    @Test("issue 12: a header without data rows is refused, with or without --group")
    func headerOnlyIsRefused() async throws {
        do { _ = try CSVTable(text: "t,e,arm\n", source: "empty.csv"); Issue.record("header-only file accepted") } catch let error as CLIFailure {
            #expect(error.message == "empty.csv: the file has a header row but no data rows")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("header-only.csv")
        try "t,e,arm\r\n".write(to: file, atomically: true, encoding: .utf8)
        for grouped in [false, true] {
            var arguments = ["--input", file.path, "--time", "t", "--event", "e"]
            if grouped { arguments += ["--group", "arm"] }
            let command = try StatsKMCommand.parse(arguments)
            await #expect(throws: (any Error).self, "km \(grouped ? "with" : "without") --group") { try await command.run() }
        }
    }

    @Test("issue 12: hexadecimal, inf/nan and a number followed by a NUL byte are not decimal numbers")
    func onlyDecimalNumbers() throws {
        for bad in ["0x10", "0X1p3", "1\u{0}", "1\u{0}5", "inf", "nan", "1e", ".", "+", "1.2.3", "1_000", " 1"] {
            #expect(DecimalNumber.parse(bad) == nil, "'\(DecimalNumber.visible(bad))' was read as a number")
        }
        for (good, value) in [("16", 16.0), ("-1.5", -1.5), (".5", 0.5), ("5.", 5), ("+2e3", 2000), ("1E-2", 0.01)] {
            #expect(DecimalNumber.parse(good) == value)
        }
        let hex = try CSVTable(text: "t,e\n0x10,1\n", source: "hex.csv")
        do { _ = try hex.numbers("t"); Issue.record("0x10 accepted") } catch let error as CLIFailure {
            #expect(error.message == "hex.csv: row 2, column 't': '0x10' is not a finite decimal number")
        }
        let nul = try CSVTable(text: "t,e\n3\u{0},1\n", source: "nul.csv")
        do { _ = try nul.numbers("t"); Issue.record("3 followed by NUL accepted") } catch let error as CLIFailure {
            #expect(error.message == "nul.csv: row 2, column 't': '3\\u{0}' is not a finite decimal number")
        }
        #expect(throws: CLIFailure.self) { try StatsCoreCLI.values("1,0x10", option: "x") }
        #expect(throws: CLIFailure.self) { try SurvivalRegressionCLI.numberList("3,0x6", option: "at") }
    }

    @Test func subcommandsParse() throws {
        let km = try StatsKMCommand.parse(["--input", "x.csv", "--time", "t", "--event", "e", "--at", "3,6"])
        #expect(km.confType == "log-log")
        let cox = try StatsCoxCommand.parse(["--input", "x.csv", "--time", "t", "--event", "e", "--covariates", "a,b", "--ties", "breslow"])
        #expect(cox.ties == "breslow")
        let logistic = try StatsLogisticCommand.parse(["--input", "x.csv", "--outcome", "y", "--covariates", "a", "--firth"])
        #expect(logistic.firth)
    }
}
