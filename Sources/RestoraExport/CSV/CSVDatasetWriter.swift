import Foundation
import RestoraDomain

/// Writes one dataset as `<spec.name>.csv` (docs/csv-export.md):
/// - UTF-8 **without** a byte-order mark: R, pandas, Python's csv module, Stata and SAS read UTF-8 without one,
///   and a BOM becomes part of the first column's name in readers that do not expect it;
/// - RFC 4180: every record (the header too) ends in CRLF; a field is quoted when it contains a comma, a double
///   quote, CR or LF, and a quote inside it is doubled; every row has one field per variable;
/// - the header row is the variable names in the spec's order;
/// - numbers with a dot and no grouping, in the shortest text that reads back as the same double (no locale),
///   whole numbers without ".0" (`NumberText.plain`);
/// - a missing value is an empty field (so an empty text and a missing one read back the same, as in SAS).
/// Rows are appended as they arrive through a 64 KiB buffer; nothing else is held.
public struct CSVDatasetWriter: DatasetWriter {
    public let spec: DatasetSpec
    private let output: FormatFileOutput
    /// Per variable, what `append` checks (read from the spec once, not per cell).
    private let numeric: [Bool]
    private let integer: [Bool]
    private var rows = 0
    private var finished: [ExportedFile]?

    public init(spec: DatasetSpec, directory: URL) throws {
        self.spec = spec
        numeric = spec.variables.map { $0.kind == .number }
        integer = spec.variables.map { $0.dataType == .integer }
        output = try FormatFileOutput(url: directory.appendingPathComponent(Self.fileName(spec)), capacity: 64 * 1024)
        for (index, variable) in spec.variables.enumerated() {
            if index > 0 { output.append(0x2C) }
            Self.writeText(variable.name, to: output)
        }
        try endRecord()
    }

    /// The file a spec is written to: its name as given (`observations.csv`).
    public static func fileName(_ spec: DatasetSpec) -> String { "\(spec.name).csv" }

    /// Writes the row's cells straight into the file's buffer as it checks them; a refused cell takes the row
    /// back out of the buffer, so a refused row leaves the file as it was.
    public mutating func append(_ row: [ExportValue]) throws {
        guard finished == nil else { throw ExportError("\(spec.name): a row was appended after the file was completed") }
        let number = rows + 1
        guard row.count == numeric.count else {
            throw ExportError("\(spec.name): row \(number) has \(row.count) values for \(spec.variables.count) variables")
        }
        if let refused = Self.encode(row, numeric: numeric, integer: integer, into: output) {
            try refuse(row[refused], variable: refused, row: number)
        }
        try endRecord()
        rows = number
    }

    /// An empty buffer for rows of this file formatted apart from it (on another thread), appended whole by
    /// `append(_: CSVRowBuffer)` in the order the rows belong.
    func rowBuffer() -> CSVRowBuffer {
        CSVRowBuffer(numeric: numeric, integer: integer)
    }

    /// Appends rows formatted into `buffer`; a buffer that stopped at a refused row throws that row's error,
    /// numbered as the row of this file it would have been.
    mutating func append(_ buffer: CSVRowBuffer) throws {
        guard finished == nil else { throw ExportError("\(spec.name): a row was appended after the file was completed") }
        if let refusal = buffer.refusal {
            let number = rows + refusal.row
            if let variable = refusal.variable { try refuse(refusal.value, variable: variable, row: number) }
            throw ExportError("\(spec.name): row \(number) has \(refusal.cells) values for \(spec.variables.count) variables")
        }
        try buffer.bytes.withBytes { try output.writeThrough($0) }
        rows += buffer.rows
    }

    /// The error for a value that does not fit its variable (the same check as `field` makes, for its message).
    private func refuse(_ value: ExportValue, variable: Int, row: Int) throws -> Never {
        _ = try Self.field(value, variable: spec.variables[variable], dataset: spec.name, row: row)
        throw ExportError("\(spec.name): row \(row) variable \(spec.variables[variable].name) cannot be written")
    }

    /// Writes one row's cells (without the line end) into `sink`; returns the index of the first cell that does
    /// not fit its variable, with the row taken back out of `sink`, or nil when the row was written.
    static func encode<Sink: CSVByteSink>(_ row: [ExportValue], numeric: [Bool], integer: [Bool], into sink: Sink) -> Int? {
        let mark = sink.mark
        for index in row.indices {
            if index > 0 { sink.append(0x2C) }
            switch row[index] {
            case .missing:
                continue
            case .text(let text) where !numeric[index]:
                writeText(text, to: sink)
                continue
            case .number(let value) where numeric[index] && value.isFinite && (!integer[index] || value == value.rounded()):
                writeNumber(value, to: sink)
                continue
            default:
                sink.rollBack(to: mark)
                return index
            }
        }
        return nil
    }

    private func endRecord() throws {
        output.append(0x0D)
        output.append(0x0A)
        try output.flushIfFull()
    }

    public mutating func finish() throws -> [ExportedFile] {
        if let finished { return finished }
        try output.close()
        let files = [ExportedFile(name: Self.fileName(spec), rows: rows, description: "\(spec.label) (CSV, RFC 4180, UTF-8)")]
        finished = files
        return files
    }

    /// The text of one cell, refusing a value that does not fit its variable (a text in a numeric column, a
    /// fraction in an integer column, an infinite or NaN number) with the dataset, variable and row named.
    static func field(_ value: ExportValue, variable: VariableSpec, dataset: String, row: Int) throws -> String {
        switch value {
        case .missing:
            return ""
        case .text(let text):
            guard variable.kind == .text else {
                throw ExportError("\(dataset): variable \(variable.name) is numeric but row \(row) gives the text '\(text.prefix(40))'")
            }
            return text
        case .number(let number):
            guard variable.kind == .number else {
                throw ExportError("\(dataset): variable \(variable.name) is text but row \(row) gives a number")
            }
            guard number.isFinite else {
                throw ExportError("\(dataset): variable \(variable.name) in row \(row) is \(number), which CSV cannot carry as a number")
            }
            if variable.dataType == .integer, number != number.rounded() {
                throw ExportError("\(dataset): variable \(variable.name) is an integer but row \(row) gives \(number)")
            }
            return NumberText.plain(number)
        }
    }

    /// RFC 4180 section 2: quoted when the field holds a comma, a quote, CR or LF; quotes doubled inside.
    static func writeText<Sink: CSVByteSink>(_ field: String, to output: Sink) {
        let written = field.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
                output.append(bytes)
                return true
            }
            return false
        }
        if written == true { return }
        let utf8 = field.utf8
        guard utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
            output.append(utf8)
            return
        }
        output.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { output.append(0x22) }
            output.append(byte)
        }
        output.append(0x22)
    }

    /// `NumberText.plain`'s text: a whole number below 10^15 as its digits (written here without a String),
    /// anything else as Swift's shortest round-tripping text.
    static func writeNumber<Sink: CSVByteSink>(_ value: Double, to output: Sink) {
        guard value == value.rounded() && abs(value) < 1e15 else {
            output.append(NumberText.plain(value).utf8)
            return
        }
        var whole = Int64(value)
        if whole < 0 {
            output.append(UInt8(ascii: "-"))
            whole = -whole
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(whole % 10)
                whole /= 10
            } while whole > 0
            output.append(UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }
}
