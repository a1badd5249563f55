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
        guard let value, value.isFinite else { return "NA" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e7 {
            let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
            return FixedFormat.fixed(value, decimals: decimals)
        }
        return String(format: "%.\(digits - 1)e", value)
    }

    /// "p = 0.0123" or "p < 0.0001".
    static func pClause(_ p: Double) -> String { p < 1e-4 ? "p < 0.0001" : "p = \(format(p, digits: 3))" }

    /// A p-value table cell.
    static func pValue(_ p: Double) -> String { p < 1e-4 ? "<0.0001" : format(p, digits: 3) }

    /// Left-aligned first column, right-aligned others.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        // Bytes appended into one buffer (a KM curve on a million subjects has ~70,000 rows); widths count
        // characters, as before, but an ASCII cell's width is its byte count.
        func width(_ cell: String) -> Int {
            var ascii = true
            for b in cell.utf8 where b >= 0x80 { ascii = false; break }
            return ascii ? cell.utf8.count : cell.count
        }
        var widths = header.map(width)
        var cellWidths: [Int] = []
        cellWidths.reserveCapacity(rows.count * header.count)
        for row in rows {
            for (c, cell) in row.enumerated() { let w = width(cell); cellWidths.append(w); widths[c] = max(widths[c], w) }
        }
        var out: [UInt8] = []
        out.reserveCapacity((rows.count + 1) * (widths.reduce(0, +) + 2 * widths.count + 1))
        var next = 0
        func append(_ row: [String], _ rowWidths: (Int) -> Int) {
            for (c, cell) in row.enumerated() {
                if c > 0 { out.append(0x20); out.append(0x20) }
                let pad = widths[c] - rowWidths(c)
                if c == 0 { out.append(contentsOf: cell.utf8) }
                if pad > 0 { out.append(contentsOf: repeatElement(0x20, count: pad)) }
                if c > 0 { out.append(contentsOf: cell.utf8) }
            }
        }
        append(header) { width(header[$0]) }
        for row in rows {
            out.append(0x0A)
            append(row) { cellWidths[next + $0] }
            next += row.count
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}
