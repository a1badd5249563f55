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
    static func format(_ value: Double?, digits: Int = 4) -> String { TableNumber.text(value, digits: digits) }

    /// "p = 0.0123" or "p < 0.0001".
    static func pClause(_ p: Double) -> String { p < 1e-4 ? "p < 0.0001" : "p = \(format(p, digits: 3))" }

    /// A p-value table cell.
    static func pValue(_ p: Double) -> String { p < 1e-4 ? "<0.0001" : format(p, digits: 3) }

    /// Left-aligned first column, right-aligned others (`TextTable`).
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var table = TextTable(header, expectedRows: rows.count)
        for row in rows { for cell in row { table.cell(cell) } }
        return table.text
    }

    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}
