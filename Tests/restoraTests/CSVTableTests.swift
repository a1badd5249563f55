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
            #expect(error.message == "data.csv: row 3, column 't': 'abc' is not a finite number")
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

    @Test func subcommandsParse() throws {
        let km = try StatsKMCommand.parse(["--input", "x.csv", "--time", "t", "--event", "e", "--at", "3,6"])
        #expect(km.confType == "log-log")
        let cox = try StatsCoxCommand.parse(["--input", "x.csv", "--time", "t", "--event", "e", "--covariates", "a,b", "--ties", "breslow"])
        #expect(cox.ties == "breslow")
        let logistic = try StatsLogisticCommand.parse(["--input", "x.csv", "--outcome", "y", "--covariates", "a", "--firth"])
        #expect(logistic.firth)
    }
}
