import Foundation
import Testing
@testable import RestoraExport

/// RFC 4180 edge cases of `CSVDatasetWriter`, read back by Python's csv module (independent of the writer),
/// and the bytes checked directly (no BOM, CRLF, quoting) without any reader.
@Suite struct CSVWriterTests {
    /// The interpreter of the read-back tests (scripts/ci/export-readers.sh; locally RESTORA_EXPORT_PYTHON=python3).
    static let python = ProcessInfo.processInfo.environment["RESTORA_EXPORT_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

    static let spec = DatasetSpec(name: "edge_cases", label: "Edge cases", variables: [
        VariableSpec(name: "id", label: "Row", dataType: .integer),
        VariableSpec(name: "text", label: "Text", dataType: .text),
        VariableSpec(name: "value", label: "Value", dataType: .float),
    ])

    static let texts: [String?] = [
        "plain", "a,b", "say \"hi\"", "line1\r\nline2", "only\nLF", "only\rCR", "", nil, "  padded  ",
        "unicode é ü 中文 🧪", "\"", ",", "trailing,", "=1+1", "tab\there",
    ]
    static let numbers: [Double?] = [0.1, 1e-7, 1e21, -0.5, 3, 123_456_789_012_345, nil, 0, 2.5e-308, 1.7976931348623157e308,
                                     -1234.5678, 1 / 3.0, 100, .leastNonzeroMagnitude, 42]

    static func writeEdgeCases() throws -> URL {
        let folder = try ExportDemo.temporaryFolder("csv-edge")
        var writer = try CSVDatasetWriter(spec: spec, directory: folder)
        for (index, (text, number)) in zip(texts, numbers).enumerated() {
            try writer.append([.integer(index + 1), .text(text), .number(number)])
        }
        let files = try writer.finish()
        #expect(files == [ExportedFile(name: "edge_cases.csv", rows: texts.count, description: "Edge cases (CSV, RFC 4180, UTF-8)")])
        return folder.appendingPathComponent("edge_cases.csv")
    }

    @Test func bytesAreUTF8WithoutBOMWithCRLFAndQuoting() throws {
        let bytes = try Data(contentsOf: try Self.writeEdgeCases())
        #expect(!bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("id,text,value\r\n"))
        #expect(text.hasSuffix("\r\n"))
        #expect(text.contains("\r\n2,\"a,b\",1e-07\r\n"))
        #expect(text.contains("\r\n3,\"say \"\"hi\"\"\",1e+21\r\n"))
        #expect(text.contains("\r\n4,\"line1\r\nline2\",-0.5\r\n"))
        #expect(text.contains("\r\n5,\"only\nLF\",3\r\n"))   // a whole number has no ".0"
        #expect(text.contains("\r\n7,,\r\n"))                 // empty text, missing number
        #expect(text.contains("\r\n8,,0\r\n"))                // missing text
        #expect(text.contains("\r\n9,  padded  ,2.5e-308\r\n"))
        #expect(text.contains("unicode é ü 中文 🧪"))
    }

    @Test(.enabled(if: CSVWriterTests.python != nil, "set RESTORA_EXPORT_PYTHON"))
    func pythonCSVModuleReadsBackEveryField() throws {
        let file = try Self.writeEdgeCases()
        let script = """
        import csv, io, json, sys
        with open(sys.argv[1], newline='', encoding='utf-8') as f:
            raw = f.read()
        assert not raw.startswith('\\ufeff'), 'BOM'
        rows = list(csv.reader(io.StringIO(raw, newline=''), strict=True))
        print(json.dumps({'rows': rows, 'floats': [float(r[2]) if r[2] else None for r in rows[1:]]}))
        """
        let data = try XPTRoundTripTests.runPython(["-c", script, file.path])
        struct Read: Decodable { var rows: [[String]]; var floats: [Double?] }
        let read = try JSONDecoder().decode(Read.self, from: data)
        #expect(read.rows.first == ["id", "text", "value"])
        #expect(read.rows.count == Self.texts.count + 1)
        for (index, row) in read.rows.dropFirst().enumerated() {
            #expect(row.count == 3)
            #expect(row[0] == String(index + 1))
            // Missing and empty text are both an empty field (as in SAS): the documented choice.
            #expect(row[1] == (Self.texts[index] ?? ""), "row \(index + 1)")
        }
        // Every number reads back as the very same double (shortest round-trip text, dot, no locale).
        #expect(read.floats == Self.numbers)
    }

    @Test func refusesARowThatDoesNotFitNamingDatasetVariableAndRow() throws {
        let folder = try ExportDemo.temporaryFolder("csv-refuse")
        var writer = try CSVDatasetWriter(spec: Self.spec, directory: folder)
        try writer.append([.integer(1), .text("ok"), .number(1)])
        #expect(throws: ExportError("edge_cases: row 2 has 2 values for 3 variables")) {
            try writer.append([.integer(2), .text("short")])
        }
        #expect(throws: ExportError("edge_cases: variable value is numeric but row 2 gives the text 'abc'")) {
            try writer.append([.integer(2), .text("x"), .text("abc")])
        }
        #expect(throws: ExportError("edge_cases: variable text is text but row 2 gives a number")) {
            try writer.append([.integer(2), .number(1), .number(1)])
        }
        #expect(throws: ExportError("edge_cases: variable value in row 2 is inf, which CSV cannot carry as a number")) {
            try writer.append([.integer(2), .text("x"), .number(.infinity)])
        }
        #expect(throws: ExportError("edge_cases: variable id is an integer but row 2 gives 2.5")) {
            try writer.append([.number(2.5), .text("x"), .number(1)])
        }
        // Nothing refused reached the file: one header and one row.
        #expect(try writer.finish().first?.rows == 1)
        let text = try String(contentsOf: folder.appendingPathComponent("edge_cases.csv"), encoding: .utf8)
        #expect(text == "id,text,value\r\n1,ok,1\r\n")
    }

    /// Rows formatted in memory apart from the file (`CSVRowBuffer`, how the package formats a chunk on several
    /// cores) and appended whole give the same bytes as rows appended one by one, also when a block is larger
    /// than the file's buffer; a refused row in a buffer is reported with the row number it has in the file.
    @Test func rowBuffersAppendTheSameBytesAndNumberARefusedRowInTheFile() throws {
        let rows: [[ExportValue]] = (0..<3_000).map { [.integer($0), .text("row \($0), \"q\""), .number(Double($0) / 8)] }
        let direct = try ExportDemo.temporaryFolder("csv-direct")
        var one = try CSVDatasetWriter(spec: Self.spec, directory: direct)
        for row in rows { try one.append(row) }
        _ = try one.finish()
        let buffered = try ExportDemo.temporaryFolder("csv-buffered")
        var many = try CSVDatasetWriter(spec: Self.spec, directory: buffered)
        for block in [0..<1, 1..<10, 10..<2_900, 2_900..<3_000] {  // 2,890 rows ≈ 80 KB: more than the 64 KiB buffer
            let buffer = many.rowBuffer()
            for row in rows[block] { try buffer.append(row) }
            #expect(buffer.rows == block.count)
            try many.append(buffer)
        }
        #expect(try many.finish().first?.rows == rows.count)
        #expect(try Data(contentsOf: buffered.appendingPathComponent("edge_cases.csv"))
            == Data(contentsOf: direct.appendingPathComponent("edge_cases.csv")))

        let folder = try ExportDemo.temporaryFolder("csv-buffer-refuse")
        var writer = try CSVDatasetWriter(spec: Self.spec, directory: folder)
        try writer.append([.integer(1), .text("ok"), .number(1)])
        let buffer = writer.rowBuffer()
        try buffer.append([.integer(2), .text("ok"), .number(2)])
        #expect(throws: CSVRowBuffer.Refused.self) { try buffer.append([.integer(3), .text("x"), .text("abc")]) }
        #expect(throws: CSVRowBuffer.Refused.self) { try buffer.append([.integer(4), .text("after"), .number(4)]) }
        #expect(throws: ExportError("edge_cases: variable value is numeric but row 3 gives the text 'abc'")) {
            try writer.append(buffer)
        }
        let short = writer.rowBuffer()
        #expect(throws: CSVRowBuffer.Refused.self) { try short.append([.integer(2)]) }
        #expect(throws: ExportError("edge_cases: row 2 has 1 values for 3 variables")) { try writer.append(short) }
        // Nothing of a refused buffer reached the file.
        #expect(try writer.finish().first?.rows == 1)
        let text = try String(contentsOf: folder.appendingPathComponent("edge_cases.csv"), encoding: .utf8)
        #expect(text == "id,text,value\r\n1,ok,1\r\n")
    }

    @Test func writesThroughTheBufferAcrossManyFlushes() throws {
        let folder = try ExportDemo.temporaryFolder("csv-big")
        var writer = try CSVDatasetWriter(spec: Self.spec, directory: folder)
        let rows = 20_000
        for index in 0..<rows { try writer.append([.integer(index), .text("row \(index), \"quoted\""), .number(Double(index) / 8)]) }
        #expect(try writer.finish().first?.rows == rows)
        let text = try String(contentsOf: folder.appendingPathComponent("edge_cases.csv"), encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == rows + 2)  // header, rows, and the empty text after the last CRLF
        #expect(lines[rows] == "19999,\"row 19999, \"\"quoted\"\"\",2499.875")
    }
}
