import Testing
@testable import RestoraCSV

/// A large file without quotes is tokenized in two halves at once, and a long numeric column parsed in two
/// halves (`CSVTokenizer.inHalves`, `CSVDocument.numbers`): the same tokens, values and refusals as one pass.
@Suite("CSV in two halves")
struct CSVHalvesTests {
    /// A file of at least `CSVTokenizer.halvesFrom` bytes: `time,event,group` rows with decimal times, CRLF or LF
    /// line ends, spaces around some cells, with or without a last line break.
    static func file(rows: Int, crlf: Bool, lastBreak: Bool, seed: UInt64) -> (text: String, times: [Double]) {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var lines = ["time,event,group"]
        var times: [Double] = []
        for i in 0..<rows {
            let time = Double(next() % 100_000) / 100
            times.append(time)
            let cell = i % 7 == 0 ? " \(time) " : "\(time)"
            lines.append("\(cell),\(next() % 2),arm\(next() % 3)")
        }
        let end = crlf ? "\r\n" : "\n"
        return (lines.joined(separator: end) + (lastBreak ? end : ""), times)
    }

    static func tokens(_ text: String, halves: Bool) throws -> CSVTokenizer {
        try Array(text.utf8).withUnsafeBufferPointer { try CSVTokenizer.tokenize($0, source: "t.csv", halves: halves) }
    }

    @Test("the halves give the tokens one pass gives", arguments: [(false, false), (false, true), (true, false), (true, true)])
    func sameTokens(crlf: Bool, lastBreak: Bool) throws {
        let (text, _) = Self.file(rows: 400_000, crlf: crlf, lastBreak: lastBreak, seed: crlf ? 7 : 11)
        #expect(text.utf8.count >= CSVTokenizer.halvesFrom)
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { CSVTokenizer.inHalves($0.baseAddress!, $0.count) } != nil)
        let halves = try Self.tokens(text, halves: true)
        let whole = try Self.tokens(text, halves: false)
        #expect(halves.rows == whole.rows)
        #expect(halves.rows == 400_001)
        #expect(halves.columns == whole.columns)
        #expect(halves.ranges == whole.ranges)
        #expect(halves.lineChanges.isEmpty && whole.lineChanges.isEmpty)
    }

    @Test("a file with a quote, a blank line or a short row in the second half is read in one pass, with the one pass's answer")
    func notSplit() throws {
        let (text, _) = Self.file(rows: 400_000, crlf: false, lastBreak: true, seed: 3)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A quoted cell: never split.
        var quoted = lines
        quoted[350_000] = "\"1.5\",1,arm1"
        #expect(Array(quoted.joined(separator: "\n").utf8).withUnsafeBufferPointer { CSVTokenizer.inHalves($0.baseAddress!, $0.count) } == nil)
        #expect(try CSVDocument(text: quoted.joined(separator: "\n")).numbers("time")[349_999] == 1.5)
        // A blank line in the second half: rows and lines differ from there on, as one pass counts them.
        var blank = lines
        blank.insert("", at: 300_000)
        let document = try CSVDocument(text: blank.joined(separator: "\n"), source: "b.csv")
        #expect(document.rowCount == 400_000)
        #expect(document.location(ofDataRow: 350_000) == "row 350002 (line 350003)")
        // A row with too few fields in the second half: one pass's refusal, row and all.
        lines[390_000] = "1.5,1"
        #expect(throws: CSVError("s.csv: row 390001 has 2 fields but the header has 3")) {
            try CSVDocument(text: lines.joined(separator: "\n"), source: "s.csv")
        }
    }

    @Test("a long numeric column parsed in halves: the values one by one, and the first bad cell refused by its row")
    func numbersInHalves() throws {
        let (text, times) = Self.file(rows: 300_000, crlf: false, lastBreak: false, seed: 5)
        #expect(times.count >= CSVDocument.halvesFrom)
        #expect(try CSVDocument(text: text).numbers("time") == times)
        var lines = text.split(separator: "\n").map(String.init)
        lines[250_001] = "x1,1,arm0"
        lines[280_001] = "y2,1,arm0"
        #expect(throws: CSVError("n.csv: row 250002, column 'time': 'x1' is not a finite decimal number")) {
            try CSVDocument(text: lines.joined(separator: "\n"), source: "n.csv").numbers("time")
        }
        lines[10] = "z3,0,arm2"
        #expect(throws: CSVError("n.csv: row 11, column 'time': 'z3' is not a finite decimal number")) {
            try CSVDocument(text: lines.joined(separator: "\n"), source: "n.csv").numbers("time")
        }
    }
}
