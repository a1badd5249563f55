import Foundation

/// Fisher's exact test for an R×C table (also valid for 2×2): the probability, under independence with all
/// margins fixed, of the tables no more probable than the observed one — R's fisher.test definition
/// (p ≤ p_observed·(1 + 1e-7)). Exact enumeration column by column with network-algorithm pruning
/// (see `RxCEnumerator`); refuses tables whose enumeration would exceed `nodeLimit` nodes.
public struct FisherExactRxCResult: Sendable, Equatable, Codable {
    public let table: ContingencyTable
    public let pValue: Double
    /// Hypergeometric probability of the observed table.
    public let observedProbability: Double
    /// Nodes of the enumeration visited (a measure of the work done).
    public let nodesVisited: Int
}

extension FisherExact {
    /// Default enumeration budget: about 3 s on one core (release build). Larger tables are refused
    /// with an error naming the table rather than running for hours.
    public static let defaultNodeLimit = 5_000_000

    public static func testRxC(_ table: ContingencyTable, nodeLimit: Int = defaultNodeLimit) throws -> FisherExactRxCResult {
        // Empty rows and columns contribute a factor 1 to every table: drop them.
        var rows = table.counts.filter { $0.reduce(0, +) > 0 }
        let keepColumns = (0..<table.columnCount).filter { j in rows.contains { $0[j] > 0 } }
        rows = rows.map { row in keepColumns.map { row[$0] } }
        if rows.count < 2 || keepColumns.count < 2 {
            return FisherExactRxCResult(table: table, pValue: 1, observedProbability: 1, nodesVisited: 0)
        }
        // Enumerate over the longer dimension so each column split is over the fewer rows.
        if rows.count > keepColumns.count {
            rows = (0..<keepColumns.count).map { j in rows.map { $0[j] } }
        }
        // The enumeration tabulates log k! for k ≤ N; beyond 10^7 subjects it could never finish anyway.
        let total = rows.reduce(0) { $0 + $1.reduce(0, +) }
        guard total <= 10_000_000 else {
            throw StatsError.invalidInput(field: "table", message: "too large for exact enumeration (N = \(total) > 10^7); use the chi-square test")
        }
        var enumerator = RxCEnumerator(cells: rows, nodeLimit: nodeLimit)
        guard let p = enumerator.run() else {
            throw StatsError.invalidInput(
                field: "table",
                message: "too large for exact enumeration (more than \(nodeLimit) nodes); use the chi-square test")
        }
        return FisherExactRxCResult(
            table: table, pValue: min(1, p), observedProbability: exp(enumerator.logObserved),
            nodesVisited: enumerator.nodes)
    }
}
