import Foundation

/// A dense symmetric positive-(semi)definite matrix stored row-major in one contiguous array.
/// Used for information matrices (Cox, logistic): small p, so a Cholesky factorisation is the right tool.
public struct SymmetricMatrix: Sendable, Equatable {
    public let order: Int
    public var storage: [Double]

    public init(order: Int) {
        self.order = order
        self.storage = [Double](repeating: 0, count: order * order)
    }

    public init(order: Int, storage: [Double]) {
        precondition(storage.count == order * order)
        self.order = order
        self.storage = storage
    }

    @inlinable public subscript(row: Int, col: Int) -> Double {
        get { storage[row * order + col] }
        set { storage[row * order + col] = newValue }
    }

    public var diagonal: [Double] { (0..<order).map { self[$0, $0] } }

    /// Lower-triangular Cholesky factor L with A = L·Lᵀ, or nil when A is not numerically positive definite.
    /// The pivot tolerance is relative to the largest diagonal so that scale does not matter.
    public func cholesky(relativeTolerance: Double = 1e-12) -> [Double]? {
        let n = order
        var l = [Double](repeating: 0, count: n * n)
        let scale = max((0..<n).map { abs(self[$0, $0]) }.max() ?? 0, Double.leastNormalMagnitude)
        for j in 0..<n {
            var diag = self[j, j]
            for k in 0..<j { diag -= l[j * n + k] * l[j * n + k] }
            if !(diag > relativeTolerance * scale) { return nil }
            let ljj = diag.squareRoot()
            l[j * n + j] = ljj
            for i in (j + 1)..<max(j + 1, n) {
                var s = self[i, j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / ljj
            }
        }
        return l
    }

    /// Solves A·x = b; nil when A is singular.
    public func solve(_ b: [Double]) -> [Double]? {
        guard let l = cholesky() else { return nil }
        return Self.choleskySolve(l, order: order, b)
    }

    /// A⁻¹; nil when A is singular.
    public func inverse() -> SymmetricMatrix? {
        guard let l = cholesky() else { return nil }
        var inv = SymmetricMatrix(order: order)
        var e = [Double](repeating: 0, count: order)
        for j in 0..<order {
            for i in 0..<order { e[i] = i == j ? 1 : 0 }
            let column = Self.choleskySolve(l, order: order, e)
            for i in 0..<order { inv[i, j] = column[i] }
        }
        return inv
    }

    /// log det A from the Cholesky factor; nil when A is singular.
    public func logDeterminant() -> Double? {
        guard let l = cholesky() else { return nil }
        var s = 0.0
        for i in 0..<order { s += log(l[i * order + i]) }
        return 2 * s
    }

    /// The quadratic form xᵀ·A·x.
    public func quadraticForm(_ x: [Double]) -> Double {
        var total = 0.0
        for i in 0..<order {
            var row = 0.0
            for j in 0..<order { row += self[i, j] * x[j] }
            total += x[i] * row
        }
        return total
    }

    /// The principal submatrix on `indices`.
    public func submatrix(_ indices: [Int]) -> SymmetricMatrix {
        var sub = SymmetricMatrix(order: indices.count)
        for (a, i) in indices.enumerated() {
            for (b, j) in indices.enumerated() { sub[a, b] = self[i, j] }
        }
        return sub
    }

    static func choleskySolve(_ l: [Double], order n: Int, _ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }
}
