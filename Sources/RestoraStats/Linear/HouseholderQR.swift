import Foundation

/// Householder QR of an n×p design (n ≥ p), column-major, without pivoting so that a rank deficiency is
/// attributed to the first column (in the caller's order) that lies in the span of the earlier ones —
/// the column R's `lm` would report as NA.
public struct HouseholderQR: Sendable {
    public let rows: Int
    public let cols: Int
    /// Column-major: R in the upper triangle, Householder vectors below the diagonal.
    var qr: [Double]
    var tau: [Double]
    /// Index of the first column found to be (numerically) a combination of earlier ones, if any.
    public let firstDependentColumn: Int?

    /// - Parameter columns: p columns of length n each.
    public init(columns: [[Double]], tolerance: Double = 1e-10) {
        let n = columns.first?.count ?? 0
        let p = columns.count
        rows = n
        cols = p
        var a = [Double](repeating: 0, count: n * p)
        for j in 0..<p { for i in 0..<n { a[j * n + i] = columns[j][i] } }
        var tau = [Double](repeating: 0, count: p)
        var dependent: Int?
        for j in 0..<min(p, n) {
            let original = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            var norm = 0.0
            for i in j..<n { norm += a[j * n + i] * a[j * n + i] }
            norm = norm.squareRoot()
            if norm <= tolerance * max(original, Double.leastNormalMagnitude) {
                if dependent == nil { dependent = j }
                continue
            }
            let alpha = a[j * n + j] > 0 ? -norm : norm
            let v0 = a[j * n + j] - alpha
            // v = (1, a[j+1..]/v0); H = I − τ v vᵀ with τ = −v0/alpha.
            for i in (j + 1)..<n { a[j * n + i] /= v0 }
            tau[j] = -v0 / alpha
            a[j * n + j] = alpha
            for k in (j + 1)..<p {
                var s = a[k * n + j]
                for i in (j + 1)..<n { s += a[j * n + i] * a[k * n + i] }
                s *= tau[j]
                a[k * n + j] -= s
                for i in (j + 1)..<n { a[k * n + i] -= s * a[j * n + i] }
            }
        }
        if n < p, dependent == nil { dependent = n }
        qr = a
        self.tau = tau
        firstDependentColumn = dependent
    }

    /// Qᵀ·y.
    public func qTransposeTimes(_ y: [Double]) -> [Double] {
        var b = y
        let n = rows
        for j in 0..<min(cols, n) where tau[j] != 0 {
            var s = b[j]
            for i in (j + 1)..<n { s += qr[j * n + i] * b[i] }
            s *= tau[j]
            b[j] -= s
            for i in (j + 1)..<n { b[i] -= s * qr[j * n + i] }
        }
        return b
    }

    /// Least-squares solution of X·β ≈ y (requires full column rank).
    public func solve(_ y: [Double]) -> [Double] {
        let qty = qTransposeTimes(y)
        var beta = [Double](repeating: 0, count: cols)
        for i in stride(from: cols - 1, through: 0, by: -1) {
            var s = qty[i]
            for k in (i + 1)..<cols { s -= qr[k * rows + i] * beta[k] }
            beta[i] = s / qr[i * rows + i]
        }
        return beta
    }

    /// (XᵀX)⁻¹ = R⁻¹R⁻ᵀ, the unscaled covariance of the coefficients.
    public func unscaledCovariance() -> SymmetricMatrix {
        let p = cols
        var rinv = [Double](repeating: 0, count: p * p)  // row-major upper triangular
        for j in 0..<p {
            rinv[j * p + j] = 1 / qr[j * rows + j]
            for i in stride(from: j - 1, through: 0, by: -1) {
                var s = 0.0
                for k in (i + 1)...j { s += qr[k * rows + i] * rinv[k * p + j] }
                rinv[i * p + j] = -s / qr[i * rows + i]
            }
        }
        var cov = SymmetricMatrix(order: p)
        for i in 0..<p {
            for j in i..<p {
                var s = 0.0
                for k in j..<p { s += rinv[i * p + k] * rinv[j * p + k] }
                cov[i, j] = s
                cov[j, i] = s
            }
        }
        return cov
    }
}
