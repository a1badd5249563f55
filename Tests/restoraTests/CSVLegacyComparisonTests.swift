import Foundation
import Testing
@testable import restora

/// The reader CSVTable used before RestoraCSV (Foundation strings, split and trimmed), kept verbatim as the
/// reference for the property test below.
struct LegacyCSVTable {
    let source: String
    let header: [String]
    /// Data rows, each with exactly `header.count` fields.
    let rows: [[String]]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure("cannot read input file '\(path)'")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), source: path)
    }

    init(text: String, source: String = "input") throws {
        self.source = source
        var records = try Self.parse(text, source: source)
        // Drop blank lines (a record with one empty field), e.g. a trailing newline.
        records.removeAll { $0.count == 1 && $0[0].trimmingCharacters(in: .whitespaces).isEmpty }
        guard let first = records.first else { throw CLIFailure("\(source): the file is empty (no header row)") }
        header = first.map { $0.trimmingCharacters(in: .whitespaces) }
        for (i, record) in records.enumerated().dropFirst() where record.count != header.count {
            throw CLIFailure("\(source): row \(i + 1) has \(record.count) fields but the header has \(header.count)")
        }
        rows = Array(records.dropFirst())
        // A header alone is not data: every analysis (grouped or not) refuses it the same way.
        guard !rows.isEmpty else { throw CLIFailure("\(source): the file has a header row but no data rows") }
    }

    func columnIndex(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw CLIFailure("\(source): no column '\(name)' (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    func strings(_ name: String) throws -> [String] {
        let index = try columnIndex(name)
        return try rows.enumerated().map { i, row in
            let value = row[index].trimmingCharacters(in: .whitespaces)
            if value.isEmpty { throw CLIFailure("\(source): row \(i + 2), column '\(name)': missing value") }
            return value
        }
    }

    func numbers(_ name: String) throws -> [Double] {
        let index = try columnIndex(name)
        return try rows.enumerated().map { i, row in
            let text = row[index].trimmingCharacters(in: .whitespaces)
            if text.isEmpty { throw CLIFailure("\(source): row \(i + 2), column '\(name)': missing value") }
            guard let value = LegacyCSVTable.legacyDecimal(text) else {
                throw CLIFailure("\(source): row \(i + 2), column '\(name)': '\(DecimalNumber.visible(text))' is not a finite decimal number")
            }
            return value
        }
    }

    /// Follow-up times: finite and not negative.
    func times(_ name: String) throws -> [Double] {
        let values = try numbers(name)
        if let i = values.firstIndex(where: { $0 < 0 }) {
            throw CLIFailure("\(source): row \(i + 2), column '\(name)': time \(values[i]) is negative")
        }
        return values
    }

    /// A 0/1 column (event indicator, binary outcome).
    func binary(_ name: String) throws -> [Double] {
        let values = try numbers(name)
        if let i = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw CLIFailure("\(source): row \(i + 2), column '\(name)': \(values[i]) is not 0 or 1")
        }
        return values
    }

    static func parse(_ text: String, source: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var chars = Array(text.unicodeScalars)[...]
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        var i = chars.startIndex
        while i < chars.endIndex {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.endIndex, chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                if !field.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw CLIFailure("\(source): row \(records.count + 1): a quote inside an unquoted field")
                }
                field = ""
                inQuotes = true
                fieldWasQuoted = true
            } else if c == "," {
                record.append(field); field = ""; fieldWasQuoted = false
            } else if c == "\n" || c == "\r" {
                if c == "\r", i + 1 < chars.endIndex, chars[i + 1] == "\n" { i += 1 }
                record.append(field); records.append(record)
                record = []; field = ""; fieldWasQuoted = false
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw CLIFailure("\(source): unterminated quoted field in row \(records.count + 1)") }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { record.append(field); records.append(record) }
        return records
    }

    /// DecimalNumber before RestoraCSV: the strict grammar checked on the String, then Double(String).
    static func legacyDecimal(_ text: String) -> Double? {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        var mantissaDigits = 0
        while let b = bytes.first, isDigit(b) { mantissaDigits += 1; bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let b = bytes.first, isDigit(b) { mantissaDigits += 1; bytes = bytes.dropFirst() }
        }
        guard mantissaDigits > 0 else { return nil }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let s = bytes.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            var exponentDigits = 0
            while let b = bytes.first, isDigit(b) { exponentDigits += 1; bytes = bytes.dropFirst() }
            guard exponentDigits > 0 else { return nil }
        }
        guard bytes.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

/// Random well-formed files read by the new byte-level reader and by the old one give the same header, the same
/// cells and the same numbers (bit for bit) and labels.
@Suite("CSV reader agrees with the previous reader")
struct CSVLegacyComparisonTests {
    /// The benchmark's SplitMix64 (BenchData.swift), with the two draws these tests need.
    typealias RNG = SplitMix64

    func number(_ r: inout RNG) -> String {
        switch r.below(5) {
        case 0: return String(Double(bitPattern: r.next() & 0x7FEF_FFFF_FFFF_FFFF) * (r.below(2) == 0 ? 1 : -1))
        case 1: return "\(r.below(100_000)).\(r.below(100))"
        case 2: return "\(r.below(2))"
        case 3: return r.pick(["", "-", "+"]) + "\(r.below(1000))e\(r.pick(["", "-", "+"]))\(r.below(40))"
        default:
            var s = r.pick(["", "-"])
            for _ in 0..<(1 + r.below(24)) { s += "\(r.below(10))" }
            return s + "." + String(r.below(1_000_000_007))
        }
    }

    func text(_ r: inout RNG) -> String {
        let pieces = ["a", "b", "Z", "7", " ", ",", "\"", "\n", "\r\n", "é", "\t", "x y", "日本", ";"]
        var s = ""
        for _ in 0..<(1 + r.below(6)) { s += r.pick(pieces) }
        return s
    }

    /// A field as written: quoted when it must be (or at random), quotes doubled, spaces before an opening quote.
    func write(_ value: String, _ r: inout RNG) -> String {
        let mustQuote = value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        if mustQuote || r.below(4) == 0 {
            return String(repeating: " ", count: r.below(2)) + "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    @Test("300 random well-formed files: same header, cells, numbers and labels as the old reader")
    func randomFiles() throws {
        var r = RNG(seed: 20_261_204)
        var numericColumnsRead = 0
        for file in 0..<300 {
            let columns = 1 + r.below(5)
            let numeric = (0..<columns).map { _ in r.below(2) == 0 }
            let names = (0..<columns).map { "c\($0)" + r.pick(["", " ", " x", "\"q\""]) }
            let newline = r.pick(["\n", "\r\n"])
            var lines = [names.map { write($0, &r) }.joined(separator: ",")]
            for _ in 0..<(1 + r.below(30)) {
                lines.append((0..<columns).map { c -> String in
                    let value = numeric[c] ? r.pick(["", " ", "  "]) + number(&r) + r.pick(["", " "]) : text(&r)
                    return write(value, &r)
                }.joined(separator: ","))
            }
            let csv = (r.below(4) == 0 ? "\u{FEFF}" : "") + lines.joined(separator: newline) + (r.below(2) == 0 ? newline : "")
            let old = try LegacyCSVTable(text: csv, source: "f.csv")
            let new = try CSVTable(text: csv, source: "f.csv")
            #expect(new.header == old.header, "file \(file): \(csv.debugDescription)")
            #expect(new.rows == old.rows, "file \(file): \(csv.debugDescription)")
            for name in old.header {
                let oldNumbers = try? old.numbers(name), newNumbers = try? new.numbers(name)
                #expect(newNumbers?.map(\.bitPattern) == oldNumbers?.map(\.bitPattern), "file \(file) column \(name): \(csv.debugDescription)")
                if newNumbers != nil { numericColumnsRead += 1 }
                let oldStrings = try? old.strings(name), newStrings = try? new.strings(name)
                #expect(newStrings == oldStrings, "file \(file) column \(name)")
                if let oldStrings, let coded = try? new.codes(name) {
                    #expect(coded.labels == Array(Set(oldStrings)).sorted())
                    #expect(coded.codes.map { coded.labels[Int($0)] } == oldStrings)
                }
            }
        }
        #expect(numericColumnsRead > 200, "the generator should make mostly readable numeric columns")
    }
}

/// The tables of `restora stats` print numbers through FixedFormat: the same text as printf's %.Nf.
@Suite("Fixed-point formatting")
struct FixedFormatTests {
    @Test("200,000 random values and decimals: FixedFormat.fixed == String(format:)")
    func sameAsPrintf() {
        var r = CSVLegacyComparisonTests.RNG(seed: 7)
        var mismatches: [String] = []
        for i in 0..<200_000 {
            let decimals = r.below(9)
            let value: Double
            switch i % 4 {
            case 0: value = Double(r.below(10_000_000)) / [1, 10, 100, 1000, 1e4][r.below(5)] + [0, 0.5, 0.05, 0.005][r.below(4)]
            case 1: value = (Double(r.next() >> 11) / Double(1 << 53)) * [1, 10, 1e3, 1e6][r.below(4)]
            case 2: value = Double(r.below(100_000)) / 8 / [1, 16, 256][r.below(3)]
            default: value = -Double(r.below(1_000_000)) / 1e4
            }
            let expected = String(format: "%.\(decimals)f", value)
            let got = FixedFormat.fixed(value, decimals: decimals)
            if got != expected, mismatches.count < 10 { mismatches.append("\(value) %.\(decimals)f: \(got) vs \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(FixedFormat.fixed(-0.0001, decimals: 2) == "-0.00")
        #expect(FixedFormat.fixed(9.9996, decimals: 3) == "10.000")
        #expect(FixedFormat.fixed(0.125, decimals: 2) == String(format: "%.2f", 0.125))
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}
