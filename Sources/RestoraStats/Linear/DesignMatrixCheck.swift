import Foundation

/// Checks shared by every regression: finite values, each covariate varies, no column is a linear
/// combination of the others. Errors name the offending column so a user can fix the input.
public enum DesignMatrixCheck {
    public static func requireFinite(_ values: [Double], name: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw StatsError.invalidInput(field: name, message: "value at row \(i + 1) is not a finite number")
        }
    }

    /// - Parameters:
    ///   - columns: covariate columns (no intercept column).
    ///   - names: their names, same order.
    ///   - intercept: whether the model has an intercept (then a constant column is degenerate).
    public static func requireIdentifiable(columns: [[Double]], names: [String], intercept: Bool) throws {
        for (column, name) in zip(columns, names) {
            try requireFinite(column, name: name)
            if let first = column.first, column.allSatisfy({ $0 == first }) {
                throw StatsError.degenerateDesign("covariate '\(name)' has no variance (every value is \(first))")
            }
        }
        let n = columns.first?.count ?? 0
        let p = columns.count + (intercept ? 1 : 0)
        if p > n {
            throw StatsError.insufficientData("\(p) parameters but only \(n) observations")
        }
        // Centre and scale so the rank tolerance does not depend on units.
        var scaled: [[Double]] = intercept ? [[Double](repeating: 1, count: n)] : []
        for column in columns {
            let mean = intercept ? column.reduce(0, +) / Double(n) : 0
            let centred = column.map { $0 - mean }
            let norm = max(centred.reduce(0) { $0 + $1 * $1 }.squareRoot(), Double.leastNormalMagnitude)
            scaled.append(centred.map { $0 / norm })
        }
        let qr = HouseholderQR(columns: scaled, tolerance: 1e-9)
        if let j = qr.firstDependentColumn {
            let index = j - (intercept ? 1 : 0)
            let name = index >= 0 && index < names.count ? names[index] : "intercept"
            throw StatsError.degenerateDesign(
                "covariate '\(name)' is collinear with \(intercept ? "the intercept and " : "")earlier covariates")
        }
    }
}
