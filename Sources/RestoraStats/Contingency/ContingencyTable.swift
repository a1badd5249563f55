import Foundation

/// An R×C table of non-negative counts, validated once so every test can rely on its shape.
public struct ContingencyTable: Sendable, Equatable, Codable {
    public let counts: [[Int]]

    public var rowCount: Int { counts.count }
    public var columnCount: Int { counts.first?.count ?? 0 }
    public var rowTotals: [Int] { counts.map { $0.reduce(0, +) } }
    public var columnTotals: [Int] { (0..<columnCount).map { j in counts.reduce(0) { $0 + $1[j] } } }
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// - Throws: `StatsError.invalidInput(field: "table", …)` for ragged rows, fewer than 2 rows or columns,
    ///   negative counts, or an empty table.
    public init(_ counts: [[Int]]) throws {
        guard counts.count >= 2 else {
            throw StatsError.invalidInput(field: "table", message: "needs at least 2 rows, got \(counts.count)")
        }
        let width = counts[0].count
        guard width >= 2 else {
            throw StatsError.invalidInput(field: "table", message: "needs at least 2 columns, got \(width)")
        }
        for (i, row) in counts.enumerated() {
            guard row.count == width else {
                throw StatsError.invalidInput(
                    field: "table", message: "row \(i + 1) has \(row.count) cells but row 1 has \(width)")
            }
            if let j = row.firstIndex(where: { $0 < 0 }) {
                throw StatsError.invalidInput(
                    field: "table", message: "cell (\(i + 1), \(j + 1)) is negative (\(row[j]))")
            }
        }
        // Counts beyond 10^12 would overflow sums and mean nothing clinically; refusing them keeps every
        // later margin and product in range.
        for (i, row) in counts.enumerated() {
            if let j = row.firstIndex(where: { $0 > 1_000_000_000_000 }) {
                throw StatsError.invalidInput(field: "table", message: "cell (\(i + 1), \(j + 1)) is too large (\(row[j]) > 10^12)")
            }
        }
        let sum = counts.reduce(0) { $0 + $1.reduce(0, +) }
        guard sum > 0 else { throw StatsError.invalidInput(field: "table", message: "all counts are zero") }
        self.counts = counts
    }

    /// Parses "6,5;5,14": rows separated by ';', cells by ',' (spaces ignored).
    public init(parsing text: String) throws {
        let rows = text.split(separator: ";", omittingEmptySubsequences: false)
        var counts: [[Int]] = []
        for (i, row) in rows.enumerated() {
            var cells: [Int] = []
            for (j, cell) in row.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                guard let value = Int(trimmed) else {
                    throw StatsError.invalidInput(
                        field: "table",
                        message: "cell (\(i + 1), \(j + 1)) is not a whole number: '\(trimmed)' (expected e.g. \"6,5;5,14\")")
                }
                cells.append(value)
            }
            counts.append(cells)
        }
        try self.init(counts)
    }

    /// Expected counts under independence, row total × column total / N.
    public var expectedCounts: [[Double]] {
        let rows = rowTotals, cols = columnTotals, n = Double(total)
        return rows.map { r in cols.map { c in Double(r) * Double(c) / n } }
    }

    public var isTwoByTwo: Bool { rowCount == 2 && columnCount == 2 }
}
