import Foundation
import Testing
@testable import RestoraExport

/// SAS XPORT v5: the IBM float conversion byte by byte, the TS-140 record layout, and every refusal leaving
/// nothing behind (docs/xpt-format.md).
@Suite struct XPTWriterTests {
    static func hex(_ value: Double) -> String? {
        guard case .success(let bytes) = IBMFloat.bytes(value) else { return nil }
        return bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
    }

    @Test("IBM System/370 doubles: known byte patterns")
    func ibmKnownPatterns() {
        #expect(Self.hex(1) == "41 10 00 00 00 00 00 00")
        #expect(Self.hex(-1) == "C1 10 00 00 00 00 00 00")
        #expect(Self.hex(0.1) == "40 19 99 99 99 99 99 9A")
        #expect(Self.hex(100) == "42 64 00 00 00 00 00 00")
        #expect(Self.hex(-118.625) == "C2 76 A0 00 00 00 00 00")   // the classic IBM example
        #expect(Self.hex(0.5) == "40 80 00 00 00 00 00 00")
        #expect(Self.hex(16) == "42 10 00 00 00 00 00 00")
        #expect(Self.hex(0) == "00 00 00 00 00 00 00 00")
        #expect(Self.hex(-0.0) == "00 00 00 00 00 00 00 00")
        // The range ends: 16^-65 is the smallest normalized IBM number, just below 16^63 the largest.
        #expect(Self.hex(0x1p-260) == "00 10 00 00 00 00 00 00")
        #expect(Self.hex(0x1p252.nextDown) == "7F FF FF FF FF FF FF F8")
        #expect(IBMFloat.bytes(.nan) == .failure(.notFinite))
        #expect(IBMFloat.bytes(-.infinity) == .failure(.notFinite))
        #expect(IBMFloat.bytes(0x1p252) == .failure(.tooLarge))
        #expect(IBMFloat.bytes(-1e76) == .failure(.tooLarge))
        #expect(IBMFloat.bytes(0x1p-261) == .failure(.tooSmall))
        #expect(IBMFloat.bytes(.leastNonzeroMagnitude) == .failure(.tooSmall))
        #expect(IBMFloat.bytes(-1e-300) == .failure(.tooSmall))
        #expect(IBMFloat.bytes(ofBits: IBMFloat.missingBits) == [0x2E, 0, 0, 0, 0, 0, 0, 0])
        #expect(IBMFloat.decode(IBMFloat.missingBits) == nil)
    }

    @Test("IBM conversion is exact: every double in range reads back bit for bit")
    func ibmExactRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [1, -1, 0.1, 1.0 / 3, .pi, 1e75, 7.2e75, -7.2e75, 1e-78, 5.4e-79, 123456789.123456789,
                                Double(Int64(1) << 53), Double(Int64(1) << 53) - 1, 0x1p-260, 0x1p252.nextDown]
        for _ in 0..<20_000 {
            let exponent = Int.random(in: -259...251, using: &generator)
            let significand = Double.random(in: 1..<2, using: &generator)
            let value = Double(sign: Bool.random(using: &generator) ? .minus : .plus, exponent: exponent, significand: significand)
            values.append(value)
        }
        for value in values {
            guard case .success(let bits) = IBMFloat.encode(value) else {
                Issue.record("\(value) refused")
                continue
            }
            #expect(IBMFloat.decode(bits) == value, "\(value)")
            // Normalized: the first hex digit of the fraction is never 0.
            #expect((bits >> 52) & 0xF != 0, "\(value) not normalized")
        }
    }

    static func spec(_ name: String = "LB", label: String = "Laboratory Test Results",
                     variables: [VariableSpec]? = nil) -> DatasetSpec {
        DatasetSpec(name: name, label: label, variables: variables ?? [
            VariableSpec(name: "USUBJID", label: "Unique Subject Identifier", dataType: .text),
            VariableSpec(name: "LBSEQ", label: "Sequence Number", dataType: .integer),
            VariableSpec(name: "LBSTRESN", label: "Numeric Result/Finding in Std Units", dataType: .float),
        ])
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("restora-xpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func contents(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test("the TS-140 records: library, member, descriptor, NAMESTR, OBS headers and fixed-width rows")
    func layout() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = Date(timeIntervalSince1970: 1_764_919_290)  // 2025-12-05 07:21:30 UTC
        var writer = try XPTDatasetWriter(spec: Self.spec(), directory: directory, createdAt: created)
        try writer.append([.text("S-001"), .number(1), .number(1)])
        try writer.append([.text("S-0002"), .number(2), .missing])
        let files = try writer.finish()
        #expect(files == [ExportedFile(name: "lb.xpt", rows: 2, description: "LB as SAS XPORT v5 (ASCII character data)")])
        #expect(Self.contents(directory) == ["lb.xpt"])   // no spool, no partial file
        #expect(writer.lengths == ["USUBJID": 6, "LBSEQ": 8, "LBSTRESN": 8])

        let data = try [UInt8](Data(contentsOf: directory.appendingPathComponent("lb.xpt")))
        #expect(data.count % 80 == 0)
        func record(_ n: Int) -> String { String(decoding: data[(80 * n)..<(80 * n + 80)], as: UTF8.self) }
        #expect(record(0) == "HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ")
        #expect(record(1) == "SAS     SAS     SASLIB  9.4     LINUX   " + String(repeating: " ", count: 24) + "05DEC25:07:21:30")
        #expect(record(2) == "05DEC25:07:21:30" + String(repeating: " ", count: 64))
        #expect(record(3) == "HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140  ")
        #expect(record(4) == "HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000  ")
        #expect(record(5).hasPrefix("SAS     LB      SASDATA 9.4     LINUX   "))
        #expect(record(6) == "05DEC25:07:21:30" + String(repeating: " ", count: 16)
                + "Laboratory Test Results                 " + "        ")
        #expect(record(7) == "HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000000300000000000000000000  ")
        // Three NAMESTRs of 140 bytes = 420, padded with blanks to 480 (6 records).
        let namestrs = Array(data[640..<(640 + 420)])
        func short(_ at: Int) -> Int { Int(namestrs[at]) << 8 | Int(namestrs[at + 1]) }
        #expect(short(0) == 2 && short(4) == 6 && short(6) == 1)                 // USUBJID: char, length 6, varnum 1
        #expect(String(decoding: namestrs[8..<16], as: UTF8.self) == "USUBJID ")
        #expect(String(decoding: namestrs[16..<56], as: UTF8.self).hasPrefix("Unique Subject Identifier   "))
        #expect(short(140) == 1 && short(144) == 8 && short(146) == 2)         // LBSEQ: numeric, 8, varnum 2
        #expect(Array(namestrs[(140 + 84)..<(140 + 88)]) == [0, 0, 0, 6])     // npos after USUBJID's 6 bytes
        #expect(Array(namestrs[(280 + 84)..<(280 + 88)]) == [0, 0, 0, 14])
        #expect(data[(640 + 420)..<1120].allSatisfy { $0 == 0x20 })
        #expect(record(14) == "HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000  ")
        // Rows: 22 bytes each (6 + 8 + 8), then blanks to the 80-byte boundary.
        let rows = Array(data[1200...])
        #expect(rows.count == 80)
        #expect(Array(rows[0..<22]) == Array("S-001 ".utf8) + [0x41, 0x10, 0, 0, 0, 0, 0, 0] + [0x41, 0x10, 0, 0, 0, 0, 0, 0])
        #expect(Array(rows[22..<44]) == Array("S-0002".utf8) + [0x41, 0x20, 0, 0, 0, 0, 0, 0] + [0x2E, 0, 0, 0, 0, 0, 0, 0])
        #expect(rows[44...].allSatisfy { $0 == 0x20 })
    }

    /// Writes `rows` and expects a refusal containing every fragment, with no file left in the folder.
    func expectRefusal(_ spec: DatasetSpec, rows: [[ExportValue]], encoding: XPTDatasetWriter.CharacterEncoding = .ascii,
                       _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var message: String?
        do {
            var writer = try XPTDatasetWriter(spec: spec, directory: directory, encoding: encoding)
            for row in rows { try writer.append(row) }
            _ = try writer.finish()
        } catch let error as ExportError {
            message = error.message
        }
        guard let message else {
            Issue.record("not refused", sourceLocation: sourceLocation)
            return
        }
        for fragment in fragments {
            #expect(message.contains(fragment), "\(message) lacks \(fragment)", sourceLocation: sourceLocation)
        }
        #expect(Self.contents(directory) == [], "left behind: \(Self.contents(directory))", sourceLocation: sourceLocation)
    }

    @Test("names: 1-8 upper-case letters, digits, underscores, not starting with a digit; refused otherwise")
    func nameRefusals() throws {
        let text = { (name: String) in VariableSpec(name: name, label: "A label", dataType: .text) }
        try expectRefusal(Self.spec("LBLONGER1"), rows: [], ["dataset \"LBLONGER1\"", "9 characters", "at most 8"])
        try expectRefusal(Self.spec("lb"), rows: [], ["dataset \"lb\"", "upper-case"])
        try expectRefusal(Self.spec("1LB"), rows: [], ["dataset \"1LB\"", "must start"])
        try expectRefusal(Self.spec(""), rows: [], ["is empty"])
        try expectRefusal(Self.spec(variables: [text("USUBJID12")]), rows: [], ["dataset LB", "variable \"USUBJID12\"", "at most 8"])
        try expectRefusal(Self.spec(variables: [text("usubjid")]), rows: [], ["variable \"usubjid\"", "upper-case"])
        try expectRefusal(Self.spec(variables: [text("LB-SEQ")]), rows: [], ["variable \"LB-SEQ\"", "upper-case letters"])
        try expectRefusal(Self.spec(variables: [text("ÉTAT")]), rows: [], ["variable \"ÉTAT\""])
        try expectRefusal(Self.spec(variables: [text("A"), text("A")]), rows: [], ["variable A", "twice"])
        try expectRefusal(Self.spec(variables: []), rows: [], ["dataset LB", "no variables"])
        // The limits themselves are accepted.
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var writer = try XPTDatasetWriter(spec: Self.spec("_ABCDEF7", variables: [text("_2345678"), text("Z")]), directory: directory)
        _ = try writer.finish()
        #expect(Self.contents(directory) == ["_abcdef7.xpt"])
    }

    @Test("labels: at most 40 printable ASCII characters")
    func labelRefusals() throws {
        let forty = String(repeating: "L", count: 40)
        try expectRefusal(Self.spec(label: forty + "x"), rows: [], ["dataset LB", "dataset label", "41 characters", "at most 40"])
        try expectRefusal(Self.spec(variables: [VariableSpec(name: "AETERM", label: forty + "x", dataType: .text)]),
                          rows: [], ["dataset LB", "variable AETERM", "41 characters"])
        try expectRefusal(Self.spec(variables: [VariableSpec(name: "AETERM", label: "Terme rapporté", dataType: .text)]),
                          rows: [], ["variable AETERM", "ASCII"])
        try expectRefusal(Self.spec(label: "Tab\there"), rows: [], ["dataset label", "ASCII"])
    }

    @Test("values: 201 bytes, wrong row width, wrong kinds, non-ASCII, out-of-range numbers are refused naming the row")
    func valueRefusals() throws {
        let ok: [ExportValue] = [.text("S-001"), .number(1), .number(2.5)]
        try expectRefusal(Self.spec(), rows: [ok, [.text(String(repeating: "x", count: 201)), .number(2), .missing]],
                          ["dataset LB", "variable USUBJID", "row 2", "201 bytes", "at most 200"])
        // 101 two-byte characters are 202 bytes even when UTF-8 is allowed.
        try expectRefusal(Self.spec(), rows: [[.text(String(repeating: "é", count: 101)), .number(2), .missing]],
                          encoding: .utf8, ["variable USUBJID", "row 1", "202 bytes"])
        try expectRefusal(Self.spec(), rows: [ok, ok, [.text("S"), .number(1)]], ["dataset LB", "row 3", "2 values for 3 variables"])
        try expectRefusal(Self.spec(), rows: [ok + [.missing]], ["row 1", "4 values for 3 variables"])
        try expectRefusal(Self.spec(), rows: [[.number(1), .number(1), .missing]], ["variable USUBJID", "row 1", "a number in a character variable"])
        try expectRefusal(Self.spec(), rows: [[.text("S"), .text("1"), .missing]], ["variable LBSEQ", "row 1", "a text value in a numeric variable"])
        try expectRefusal(Self.spec(), rows: [[.text("Hélène"), .number(1), .missing]], ["variable USUBJID", "row 1", "non-ASCII"])
        try expectRefusal(Self.spec(), rows: [[.text("S"), .number(1), .number(.nan)]], ["variable LBSTRESN", "row 1", "not a finite number"])
        try expectRefusal(Self.spec(), rows: [[.text("S"), .number(1), .number(1e80)]], ["variable LBSTRESN", "row 1", "beyond the IBM"])
        try expectRefusal(Self.spec(), rows: [[.text("S"), .number(1), .number(1e-80)]], ["variable LBSTRESN", "row 1", "too small"])
        try expectRefusal(Self.spec(), rows: [[.text("a\u{0}b"), .number(1), .missing]], ["variable USUBJID", "NUL"])
    }

    @Test("a refused row closes the writer; an abandoned writer removes its spool")
    func closedAfterRefusal() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var writer = try XPTDatasetWriter(spec: Self.spec(), directory: directory)
        #expect(Self.contents(directory).count == 1)   // the spool
        #expect(throws: ExportError.self) { try writer.append([.missing]) }
        #expect(Self.contents(directory) == [])
        #expect(throws: ExportError.self) { try writer.append([.text("S"), .number(1), .missing]) }
        #expect(throws: ExportError.self) { _ = try writer.finish() }
        #expect(Self.contents(directory) == [])
        do {
            var abandoned = try XPTDatasetWriter(spec: Self.spec(), directory: directory)
            try abandoned.append([.text("S"), .number(1), .missing])
        }
        #expect(Self.contents(directory) == [])
    }

    @Test("no rows: a valid file with its headers, character lengths 1")
    func emptyDataset() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var writer = try XPTDatasetWriter(spec: Self.spec(), directory: directory)
        #expect(try writer.finish() == [ExportedFile(name: "lb.xpt", rows: 0, description: "LB as SAS XPORT v5 (ASCII character data)")])
        let data = try Data(contentsOf: directory.appendingPathComponent("lb.xpt"))
        #expect(data.count == 1200)
        #expect(writer.lengths["USUBJID"] == 1)
    }
}
