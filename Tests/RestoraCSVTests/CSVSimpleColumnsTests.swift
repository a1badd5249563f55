import Foundation
import Testing
@testable import RestoraCSV

/// The one-pass reader of simple files (`CSVSimpleColumns`) either declines a file or gives exactly what
/// `CSVDocument` gives: the same header, row count, numbers bit for bit, labels and codes — cut into any
/// number of parts. `CSVDocument` is the oracle; the generator makes simple files and files with one thing
/// that is not simple.
@Suite("CSV: the one-pass reader of simple files")
struct CSVSimpleColumnsTests {
    typealias RNG = SplitMix  // DecimalBytesTests.swift

    func number(_ r: inout RNG) -> String {
        switch r.below(8) {
        case 0: return "\(r.below(2))"
        case 1: return "\(r.below(100_000)).\(r.below(100))"
        case 2: return "." + "\(r.below(1000))"
        case 3: return "\(r.below(1000))."
        case 4: return String(repeating: "0", count: r.below(4)) + "\(r.below(1_000_000))"
        case 5: return (0..<(15 + r.below(8))).map { _ in "\(r.below(10))" }.joined() + pick(&r, ["", ".5", ".25"])
        case 6: return pick(&r, ["-", "+", ""]) + "\(r.below(100))e\(pick(&r, ["", "-"]))\(r.below(30))"
        default: return "\(Double(r.below(1 << 30)) / 1024)"
        }
    }

    func pick<T>(_ r: inout RNG, _ xs: [T]) -> T { xs[r.below(xs.count)] }

    func label(_ r: inout RNG) -> String { pick(&r, ["A", "B", "arm 1", "arm-2", "0", "1", "control", "x"]) }

    /// Something that is not simple, in a file that otherwise is.
    func spoil(_ lines: inout [String], columns: Int, _ r: inout RNG) -> String {
        let row = 1 + r.below(lines.count - 1)
        switch r.below(12) {
        case 0: lines[row] = "\"" + lines[row].replacingOccurrences(of: ",", with: "\",", options: [], range: nil); return "quote"
        case 1: lines.insert("", at: row); return "blank line"
        case 2: lines[row] += ",extra"; return "extra field"
        case 3: lines[row] = String(lines[row].prefix(while: { $0 != "," })); return "short row"
        case 4: lines[row] = " " + lines[row]; return "leading space"
        case 5: lines[row] = lines[row].replacingOccurrences(of: ",", with: ", "); return "space after comma"
        case 6: lines[row] = "x" + lines[row]; return "not a number"
        case 7: lines[row] = "," + lines[row].drop(while: { $0 != "," }).dropFirst(); return "empty cell"
        case 8: lines[row] = lines[row] + "\r"; return "lone CR"
        case 9: lines[0] = "\u{FEFF}" + lines[0]; return "byte order mark"
        case 10: lines[row] = lines[row].replacingOccurrences(of: "A", with: "Ä"); return "non-ASCII label"
        default: lines[row] = lines[row] + "\t"; return "trailing tab"
        }
    }

    @Test("1,500 generated files, 1 to 7 parts: declined, or the same columns as CSVDocument")
    func sameAsTheDocument() throws {
        var r = RNG(seed: 20_261_207)
        var read = 0, declined = 0, simpleRead = 0
        for file in 0..<1_500 {
            let columns = 2 + r.below(4)
            // Column 0 is a number, column 1 a label; others either, or not asked for.
            let kinds = (0..<columns).map { c in c == 0 ? 0 : c == 1 ? 1 : r.below(3) }
            var lines = [(0..<columns).map { "c\($0)" }.joined(separator: ",")]
            for _ in 0..<(1 + r.below(40)) {
                lines.append((0..<columns).map { c in kinds[c] == 1 ? label(&r) : kinds[c] == 0 ? number(&r) : "n\(r.below(9))" }
                    .joined(separator: ","))
            }
            let spoiled = r.below(3) == 0 ? spoil(&lines, columns: columns, &r) : nil
            let newline = pick(&r, ["\n", "\r\n"])
            let csv = lines.joined(separator: newline) + (r.below(3) == 0 ? "" : newline)
            let numberNames = (0..<columns).filter { kinds[$0] == 0 }.map { "c\($0)" }
            let codeNames = (0..<columns).filter { kinds[$0] == 1 }.map { "c\($0)" }
            let document = try? CSVDocument(text: csv, source: "f.csv")
            let bytes = Array(csv.utf8)
            for parts in [1, 2, 3, 7] {
                let simple = bytes.withUnsafeBufferPointer {
                    CSVSimpleColumns.read($0, source: "f.csv", numbers: numberNames, codes: codeNames, parts: parts, minimumPart: 1)
                }
                guard let simple else { declined += 1; continue }
                read += 1
                if spoiled == nil { simpleRead += 1 }
                let context = "file \(file) (\(spoiled ?? "simple")), \(parts) parts: \(csv.debugDescription)"
                guard let document else { Issue.record("read a file CSVDocument refuses: \(context)"); continue }
                #expect(simple.header == document.header, "\(context)")
                #expect(simple.rowCount == document.rowCount, "\(context)")
                for name in numberNames {
                    let expected = try? document.numbers(name)
                    #expect(simple.numbers[name]?.map(\.bitPattern) == expected?.map(\.bitPattern), "\(name) \(context)")
                }
                for name in codeNames {
                    let expected = try? document.codes(name)
                    #expect(simple.codes[name]?.labels == expected?.labels, "\(name) \(context)")
                    #expect(simple.codes[name]?.codes == expected?.codes, "\(name) \(context)")
                }
            }
            if spoiled == nil, numberNames.allSatisfy({ (try? document?.numbers($0)) != nil }) {
                // Every cell of a simple file is plain: the one-pass reader must not decline it.
                let simple = bytes.withUnsafeBufferPointer {
                    CSVSimpleColumns.read($0, source: "f.csv", numbers: numberNames, codes: codeNames, parts: 2, minimumPart: 1)
                }
                #expect(simple != nil, "declined a simple file: \(csv.debugDescription)")
            }
        }
        #expect(simpleRead > 1_500 && declined > 1_000, "read \(read), of them simple \(simpleRead); declined \(declined)")
    }

    @Test("what makes a file not simple: each is declined, so CSVDocument words the refusal")
    func declines() {
        func read(_ csv: String, numbers: [String] = ["t"], codes: [String] = ["g"]) -> CSVSimpleColumns? {
            Array(csv.utf8).withUnsafeBufferPointer { CSVSimpleColumns.read($0, source: "f.csv", numbers: numbers, codes: codes) }
        }
        #expect(read("t,g\n1.5,A\n2,B\n") != nil)
        #expect(read("t,g\r\n1.5,A\r\n2,B") != nil)
        for (csv, why) in [
            ("t,g\n1.5,\"A\"\n", "a quoted label"), ("t,g\n1.5,A\n\n2,B\n", "a blank line"), ("t,g\n1.5,A\n2,B\n\n", "a blank last line"),
            ("\u{FEFF}t,g\n1,A\n", "a byte order mark"), ("t,g\n1,A\r2,B\n", "a lone CR"), ("t,g\n1,A,3\n", "an extra field"),
            ("t,g\n1\n", "a missing field"), ("t,g\n", "a header alone"), ("t,g", "a header without a line end"),
            ("t,g\nx,A\n", "a bad number"), ("t,g\n,A\n", "an empty number"), ("t,g\n1,\n", "an empty label"),
            ("t,g\n1, A\n", "a label to trim"), ("t,g\n1,A\t\n", "a tab after a label"), ("t,g\n1,Ä\n", "a non-ASCII label"),
            ("t,g\n 1,A\n", "a number to trim"), ("\"t\",g\n1,A\n", "a quoted header"),
        ] {
            #expect(read(csv) == nil, "\(why): \(csv.debugDescription)")
        }
        #expect(read("t\n1\n2\n", codes: []) == nil, "one column (a blank line would be a row of one blank field)")
        #expect(read("t,g\n1,A\n", numbers: ["t", "x"]) == nil, "a column that is not in the header")
        #expect(read("t,g\n1,A\n", numbers: ["t"], codes: ["t"]) == nil, "one column asked for twice")
        #expect(read("t,g,t\n1,A,2\n")?.numbers["t"] == [1], "the first of two columns of one name, as columnIndex")
    }

    @Test("plain decimals read in the scan are DecimalBytes' values, bit for bit")
    func plainDecimalsAsDecimalBytes() {
        var r = RNG(seed: 77)
        var plain = 0
        for i in 0..<100_000 {
            var text = ""
            let digits = 1 + r.below(i % 10 == 0 ? 24 : 12)
            let point = r.below(digits + 2) - 1  // -1: no point
            for k in 0..<digits {
                if k == point { text += "." }
                text += "\(r.below(10))"
            }
            if point == digits { text += "." }
            if i % 7 == 0 { text = pick(&r, ["", "0", "00"]) + text }
            let bytes = Array((text + pick(&r, [",", "\n", "\r\n", ""])).utf8)
            let (value, stop) = bytes.withUnsafeBufferPointer { PlainDecimal.read($0.baseAddress!, 0, $0.count) }
            let expected = Array(text.utf8).withUnsafeBufferPointer { DecimalBytes.parse($0) }
            if let value {
                plain += 1
                #expect(stop == text.utf8.count, "\(text)")
                #expect(value.bitPattern == expected?.bitPattern, "\(text): \(value) against \(String(describing: expected))")
            }
        }
        #expect(plain > 80_000)
        // Not plain: read by DecimalBytes instead.
        for text in ["-1", "+1", "1e3", "1.2.3", "9007199254740993", "12345678901234567890", "1 ", "."] {
            let bytes = Array(text.utf8)
            let (value, _) = bytes.withUnsafeBufferPointer { PlainDecimal.read($0.baseAddress!, 0, $0.count) }
            #expect(value == nil, "\(text)")
        }
    }

    @Test("a file on disk: mapped and read as its bytes; no file, a folder or an empty file is declined")
    func readsAFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-simple-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("s.csv")
        var csv = "time,event,group\n"
        for i in 0..<50_000 { csv += "\(i % 977).\(i % 100),\(i % 2),\(["a", "b", "c"][i % 3])\n" }
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try #require(CSVSimpleColumns.read(path: file.path, numbers: ["time", "event"], codes: ["group"]))
        let document = try CSVDocument(path: file.path)
        #expect(fromFile.rowCount == 50_000)
        #expect(fromFile.numbers["time"] == (try document.numbers("time")))
        #expect(fromFile.numbers["event"] == (try document.numbers("event")))
        #expect(fromFile.codes["group"]?.codes == (try document.codes("group")).codes)
        #expect(fromFile.cellPrefix(row: 0, column: "time") == document.cellPrefix(row: 0, column: "time"))
        let empty = folder.appendingPathComponent("empty.csv")
        try "".write(to: empty, atomically: true, encoding: .utf8)
        #expect(CSVSimpleColumns.read(path: empty.path, numbers: ["t"], codes: []) == nil)
        #expect(CSVSimpleColumns.read(path: folder.path, numbers: ["t"], codes: []) == nil)
        #expect(CSVSimpleColumns.read(path: folder.appendingPathComponent("none.csv").path, numbers: ["t"], codes: []) == nil)
    }
}
