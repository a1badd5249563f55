import Foundation

/// A small RFC 4180 CSV reader: header row, comma separators, double-quoted fields with "" escapes and
/// embedded commas or line breaks, CRLF or LF line ends. Errors name the row (as counted in the file,
/// header = row 1) and the column, so a user can find the bad cell.
struct CSVTable: Sendable {
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
            guard let value = DecimalNumber.parse(text) else {
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
}
