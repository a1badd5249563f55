import ArgumentParser
import Foundation
import RestoraStats

/// Shared plumbing for the survival and regression subcommands (km, logrank, cox, logistic, linear).
enum SurvivalRegressionCLI {
    /// Runs an analysis, turning RestoraStats' refusals into one-line CLI failures.
    static func analysis<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StatsError {
            throw CLIFailure(error.description)
        }
    }

    /// Comma-separated numbers for an option such as `--at 3,6,12`.
    static func numberList(_ text: String?, option: String) throws -> [Double] {
        guard let text, !text.isEmpty else { return [] }
        return try text.split(separator: ",").map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = DecimalNumber.parse(trimmed) else {
                throw CLIFailure("--\(option): '\(DecimalNumber.visible(trimmed))' is not a decimal number")
            }
            return value
        }
    }

    static func nameList(_ text: String, option: String) throws -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names.isEmpty { throw CLIFailure("--\(option): give at least one column name") }
        return names
    }

    static func confidenceLevel(_ value: Double) throws -> Double {
        guard value > 0, value < 1 else { throw CLIFailure("--conf-level: \(value) must be strictly between 0 and 1") }
        return value
    }

    /// Significant-digit formatting for tables; "NA" for an undefined value (never "nan").
    static func format(_ value: Double?, digits: Int = 4) -> String {
        var bytes: [UInt8] = []
        appendFormatted(value, digits: digits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `format`'s text appended to `out` as UTF-8 bytes.
    static func appendFormatted(_ value: Double?, digits: Int = 4, to out: inout [UInt8]) {
        guard let value, value.isFinite else { return out.append(contentsOf: "NA".utf8) }
        if value == 0 { return out.append(UInt8(ascii: "0")) }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e7 {
            let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
            return FixedFormat.append(value, decimals: decimals, to: &out)
        }
        out.append(contentsOf: String(format: "%.\(digits - 1)e", value).utf8)
    }

    /// "p = 0.0123" or "p < 0.0001".
    static func pClause(_ p: Double) -> String { p < 1e-4 ? "p < 0.0001" : "p = \(format(p, digits: 3))" }

    /// A p-value table cell.
    static func pValue(_ p: Double) -> String { p < 1e-4 ? "<0.0001" : format(p, digits: 3) }

    /// Left-aligned first column, right-aligned others.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var cells = TableCells(columns: header.count, rows: rows.count)
        for row in rows {
            for column in header.indices { cells.add(column < row.count ? row[column] : "") }
        }
        return table(header, cells)
    }

    /// The same table from cells already written as bytes (`TableCells`: a KM curve on a million subjects has
    /// ~70,000 rows, which no longer make a String per cell). Widths count characters, as before; an ASCII
    /// cell's width is its byte count.
    static func table(_ header: [String], _ cells: TableCells) -> String {
        func width(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            for b in bytes where b >= 0x80 { return String(decoding: bytes, as: UTF8.self).count }
            return bytes.count
        }
        let headerBytes = header.map { Array($0.utf8) }
        var widths = headerBytes.map { $0.withUnsafeBufferPointer(width) }
        return cells.bytes.withUnsafeBufferPointer { all -> String in
            let cellCount = min(cells.ends.count, cells.rowCount * header.count)
            var cellWidths = [Int](repeating: 0, count: cellCount)
            var start = 0
            for i in 0..<cellCount {
                let end = cells.ends[i]
                let w = width(UnsafeBufferPointer(rebasing: all[start..<end]))
                cellWidths[i] = w
                widths[i % header.count] = max(widths[i % header.count], w)
                start = end
            }
            var out: [UInt8] = []
            out.reserveCapacity((cells.rowCount + 1) * (widths.reduce(0, +) + 2 * widths.count + 1))
            func append(column c: Int, _ cell: UnsafeBufferPointer<UInt8>, width: Int) {
                if c > 0 { out.append(0x20); out.append(0x20) }
                let pad = widths[c] - width
                if c == 0 { out.append(contentsOf: cell) }
                if pad > 0 { out.append(contentsOf: repeatElement(0x20, count: pad)) }
                if c > 0 { out.append(contentsOf: cell) }
            }
            for (c, bytes) in headerBytes.enumerated() {
                bytes.withUnsafeBufferPointer { append(column: c, $0, width: width($0)) }
            }
            start = 0
            for i in 0..<cellCount {
                if i % header.count == 0 { out.append(0x0A) }
                let end = cells.ends[i]
                append(column: i % header.count, UnsafeBufferPointer(rebasing: all[start..<end]), width: cellWidths[i])
                start = end
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}

/// A table's cells as UTF-8 bytes, row after row, `columns` to a row: one buffer and one end offset per cell
/// instead of a String per cell (`SurvivalRegressionCLI.table`).
struct TableCells {
    let columns: Int
    private(set) var bytes: [UInt8] = []
    /// Where each cell ends in `bytes` (the next one starts there).
    private(set) var ends: [Int] = []

    init(columns: Int, rows: Int = 0) {
        self.columns = max(1, columns)
        ends.reserveCapacity(rows * self.columns)
        bytes.reserveCapacity(rows * self.columns * 8)
    }

    /// Complete rows.
    var rowCount: Int { ends.count / columns }

    mutating func add(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        ends.append(bytes.count)
    }

    /// An integer's decimal digits, as `"\(value)"` writes them.
    mutating func add(_ value: Int) {
        var n = value.magnitude
        let start = bytes.count
        repeat { bytes.append(UInt8(ascii: "0") + UInt8(n % 10)); n /= 10 } while n > 0
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes[start...].reverse()
        ends.append(bytes.count)
    }

    /// A number as `SurvivalRegressionCLI.format` writes it ("NA" when undefined).
    mutating func add(number value: Double?, digits: Int = 4) {
        SurvivalRegressionCLI.appendFormatted(value, digits: digits, to: &bytes)
        ends.append(bytes.count)
    }
}
