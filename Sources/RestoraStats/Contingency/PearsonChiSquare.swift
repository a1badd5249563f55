import Foundation

/// Pearson's chi-square test of independence, as R's chisq.test (Yates' correction on 2×2 tables only).
public struct PearsonChiSquareResult: Sendable, Equatable, Codable {
    public let table: ContingencyTable
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double
    public let expected: [[Double]]
    /// The correction actually subtracted from |O − E| (R: min(0.5, min |O − E|)); 0 when not applied.
    public let yatesCorrection: Double
    /// Cells with expected count below 5, where the chi-square approximation is doubtful (R warns).
    public let cellsWithExpectedBelowFive: Int
}

public enum PearsonChiSquare {
    public static func test(_ table: ContingencyTable, continuityCorrection: Bool = true) throws -> PearsonChiSquareResult {
        if let i = table.rowTotals.firstIndex(of: 0) {
            throw StatsError.invalidInput(field: "table", message: "row \(i + 1) sums to 0, so its expected counts are 0 and the chi-square statistic is undefined")
        }
        if let j = table.columnTotals.firstIndex(of: 0) {
            throw StatsError.invalidInput(field: "table", message: "column \(j + 1) sums to 0, so its expected counts are 0 and the chi-square statistic is undefined")
        }
        let expected = table.expectedCounts
        var yates = 0.0
        if continuityCorrection, table.isTwoByTwo {
            var smallest = Double.infinity
            for i in 0..<2 { for j in 0..<2 { smallest = min(smallest, abs(Double(table.counts[i][j]) - expected[i][j])) } }
            yates = min(0.5, smallest)
        }
        var statistic = 0.0
        var low = 0
        for i in 0..<table.rowCount {
            for j in 0..<table.columnCount {
                let e = expected[i][j]
                let d = abs(Double(table.counts[i][j]) - e) - yates
                statistic += d * d / e
                if e < 5 { low += 1 }
            }
        }
        let df = (table.rowCount - 1) * (table.columnCount - 1)
        return PearsonChiSquareResult(
            table: table, statistic: statistic, degreesOfFreedom: df,
            pValue: ChiSquared.sf(statistic, df: Double(df)), expected: expected,
            yatesCorrection: yates, cellsWithExpectedBelowFive: low)
    }
}
