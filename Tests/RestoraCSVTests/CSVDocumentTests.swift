import Testing
@testable import RestoraCSV

/// RFC 4180 reading and the refusals of malformed files, with the exact messages a user sees.
@Suite("CSV documents (RFC 4180, bytes)")
struct CSVDocumentTests {
    func message(_ text: String, source: String = "data.csv", _ read: (CSVDocument) throws -> Void = { _ in }) -> String? {
        do { try read(try CSVDocument(text: text, source: source)); return nil } catch let error as CSVError {
            return error.message
        } catch { return "\(error)" }
    }

    @Test func quotingAsRFC4180() throws {
        let d = try CSVDocument(text: "id,\"note, free text\",t\r\n1,\"said \"\"no\"\"\",3.5\r\n2,\"two\nlines\",4\n")
        #expect(d.header == ["id", "note, free text", "t"])
        #expect(d.rowCount == 2)
        #expect(d.field(row: 0, column: 1) == "said \"no\"")
        #expect(d.field(row: 1, column: 1) == "two\nlines")
        #expect(try d.numbers("t") == [3.5, 4])
        #expect(try d.strings("note, free text") == ["said \"no\"", "two\nlines"])
    }

    @Test func lineEndsBOMAndTrailingNewline() throws {
        for text in ["a,b\n1,2\n3,4", "a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4\r", "\u{FEFF}a,b\n1,2\n3,4\n", "a,b\n\n1,2\n\n\n3,4\n\n"] {
            let d = try CSVDocument(text: text)
            #expect(d.header == ["a", "b"], "\(text.debugDescription)")
            #expect(try d.numbers("a") == [1, 3], "\(text.debugDescription)")
            #expect(try d.numbers("b") == [2, 4], "\(text.debugDescription)")
        }
    }

    @Test func emptyAndQuotedFieldsAndSpaces() throws {
        let d = try CSVDocument(text: "a , b,c\n \"x\" ,\"\",\"1,5\"\n\"\"\"\",  y  ,\"a\r\nb\"\n")
        #expect(d.header == ["a", "b", "c"])
        #expect(try d.strings("a") == ["x", "\""])
        #expect(d.field(row: 0, column: 1) == "")
        #expect(d.field(row: 1, column: 2) == "a\r\nb")
        #expect(message("a,b\n1,\n") { _ = try $0.numbers("b") } == "data.csv: row 2, column 'b': missing value")
        #expect(message("a,b\n1,\"\"\n") { _ = try $0.strings("b") } == "data.csv: row 2, column 'b': missing value")
        // Unicode space separators are trimmed like tabs and spaces (as CharacterSet.whitespaces did).
        let nbsp = try CSVDocument(text: "t\n\u{00A0}1.5\u{2003}\n")
        #expect(try nbsp.numbers("t") == [1.5])
    }

    @Test func malformedFilesAreRefusedWithTheirPlace() {
        #expect(message("") == "data.csv: the file is empty (no header row)")
        #expect(message("\n\r\n  \n") == "data.csv: the file is empty (no header row)")
        #expect(message("\u{FEFF}") == "data.csv: the file is empty (no header row)")
        #expect(message("t,e,arm\n") == "data.csv: the file has a header row but no data rows")
        #expect(message("t,e,arm") == "data.csv: the file has a header row but no data rows")
        #expect(message("a,b\n1\n") == "data.csv: row 2 has 1 fields but the header has 2")
        #expect(message("a,b\n1,2\n\n1,2,3\n") == "data.csv: row 3 (line 4) has 3 fields but the header has 2")
        #expect(message("a,b\n\"open,1\n2,3\n") == "data.csv: unterminated quoted field in row 2")
        #expect(message("a,b\n1,2\n3,x\"y\"\n") == "data.csv: row 3: a quote inside an unquoted field")
        #expect(message("a,b\n1,\"2\"x\n") == "data.csv: row 2: text after the closing quote of a field")
        #expect(message("a,b\n\"1\n\",2\n3,4\n") { _ = try $0.numbers("a") }
            == "data.csv: row 2, column 'a': '1\\u{a}' is not a finite decimal number")
        #expect(message("a,b\n\"x\ny\",2\n3,zz\n") { _ = try $0.numbers("b") }
            == "data.csv: row 3 (line 4), column 'b': 'zz' is not a finite decimal number")
        #expect(message("a\n1\n") { _ = try $0.numbers("t") } == "data.csv: no column 't' (columns: a)")
    }

    @Test("bad numbers: hexadecimal, inf, nan, NUL bytes, separators")
    func badNumbers() {
        for (cell, shown) in [("0x10", "0x10"), ("inf", "inf"), ("nan", "nan"), ("3\u{0}", "3\\u{0}"), ("1e", "1e"),
                              ("1,000", "1,000"), ("1 000", "1 000"), ("\"1\"\"\"", "1\"")] {
            let csv = cell.hasPrefix("\"") ? cell : cell.contains(",") ? "\"\(cell)\"" : cell
            #expect(message("t,e\n\(csv),1\n") { _ = try $0.numbers("t") }
                == "data.csv: row 2, column 't': '\(shown)' is not a finite decimal number")
        }
    }

    @Test func labelsAsCodes() throws {
        let e = try CSVDocument(text: "g\nb\n a\n\"b\"\n\"c\"\"\"\n\"a\"\nb \n")
        let (codes, labels) = try e.codes("g")
        #expect(labels == ["a", "b", "c\""])
        #expect(codes == [1, 0, 1, 2, 0, 1])
        #expect(message("g,h\nx,1\n\n \"\",2\n") { _ = try $0.codes("g") } == "data.csv: row 3 (line 4), column 'g': missing value")
        // Many distinct labels (the table grows) keep their sorted codes.
        let many = try CSVDocument(text: "g\n" + (0..<1000).map { "L\(999 - $0)" }.joined(separator: "\n"))
        let coded = try many.codes("g")
        #expect(coded.labels == (0..<1000).map { "L\($0)" }.sorted())
        #expect(coded.codes.map { coded.labels[Int($0)] } == (0..<1000).map { "L\(999 - $0)" })
    }

    @Test("a 150,000-row column: every value, and the first bad row in file order")
    func largeColumnFirstError() throws {
        var lines = ["t,e"] + (0..<150_000).map { "\($0 % 977).25,\($0 % 2)" }
        let d = try CSVDocument(text: lines.joined(separator: "\n"))
        let t = try d.numbers("t")
        #expect(t.count == 150_000 && t[0] == 0.25 && t[149_999] == Double(149_999 % 977) + 0.25)
        lines[120_001] = "x,1"
        lines[140_001] = "y,1"
        #expect(message(lines.joined(separator: "\n")) { _ = try $0.numbers("t") }
            == "data.csv: row 120002, column 't': 'x' is not a finite decimal number")
        lines[10] = "z,1"
        #expect(message(lines.joined(separator: "\n")) { _ = try $0.numbers("t") }
            == "data.csv: row 11, column 't': 'z' is not a finite decimal number")
    }

    @Test func readsAFile() throws {
        #expect(throws: CSVError("cannot read input file '/nonexistent/x.csv'")) { try CSVDocument(path: "/nonexistent/x.csv") }
        #expect(throws: CSVError("cannot read input file '/tmp'")) { try CSVDocument(path: "/tmp") }
    }
}
