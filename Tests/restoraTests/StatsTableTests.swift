import Foundation
import Testing
@testable import restora

/// The tables of `restora stats`: cells written as bytes (`TableCells`) make the text the String cells made.
@Suite("Stats tables")
struct StatsTableTests {
    /// The layout as written before cells were bytes: widths in characters, the first column left-aligned, the
    /// others right-aligned, two spaces between columns.
    static func reference(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    @Test("numbers, integers, NA and non-ASCII labels: the same text from bytes, from Strings and by the reference")
    func sameText() {
        let header = ["gröup", "n", "value", "std err"]
        let values: [Double?] = [0, 1, -1, 0.5, 1e-5, -2.5e-7, 123_456.789, 9.99996, nil, .nan, .infinity, 1e8]
        var rows: [[String]] = []
        var cells = TableCells(columns: header.count)
        for (i, value) in values.enumerated() {
            let label = i % 3 == 0 ? "ärm \(i)" : "arm-\(i)"
            let count = i * 1_234 - 5_000
            rows.append([label, "\(count)", SurvivalRegressionCLI.format(value), SurvivalRegressionCLI.format(value.map { $0 / 7 })])
            cells.add(label)
            cells.add(count)
            cells.add(number: value)
            cells.add(number: value.map { $0 / 7 })
        }
        let expected = Self.reference(header, rows)
        #expect(SurvivalRegressionCLI.table(header, cells) == expected)
        #expect(SurvivalRegressionCLI.table(header, rows) == expected)
        #expect(SurvivalRegressionCLI.format(nil) == "NA")
        #expect(SurvivalRegressionCLI.format(1e-5) == "1.000e-05")
        #expect(SurvivalRegressionCLI.format(0.5) == "0.5000")
    }

    @Test("a table without rows is its header")
    func headerOnly() {
        #expect(SurvivalRegressionCLI.table(["a", "bb"], TableCells(columns: 2)) == "a  bb")
    }
}
