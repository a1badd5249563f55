/// Mean and unbiased variance by two passes with a mean correction (as R's mean/var): accurate for data
/// with a large common offset (1e9 + small), where Welford's one-pass update loses ~1e-7 relative.
struct SampleSummary: Sendable {
    let count: Int
    let mean: Double
    let variance: Double

    init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { mean = .nan; variance = .nan; return }
        let n = Double(values.count)
        var m = values.reduce(0, +) / n
        m += values.reduce(0) { $0 + ($1 - m) } / n // corrects the rounding of the first pass
        mean = m
        variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) : 0
    }
}

/// Checks on samples of measurements; errors name the sample ("x", "y").
enum SampleCheck {
    static func values(_ values: [Double], _ field: String, minimum: Int) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw StatsError.invalidInput(field: field, message: "value \(i + 1) is \(values[i]); every value must be a finite number")
        }
        guard values.count >= minimum else {
            throw StatsError.insufficientData("\(field): needs at least \(minimum) observations, got \(values.count)")
        }
    }

    /// R refuses "data are essentially constant" when the standard error is below 10·ε·|mean|.
    static func notConstant(se: Double, mean: Double, field: String) throws {
        guard se > 10 * Double.ulpOfOne * abs(mean), se > 0 else {
            throw StatsError.degenerateDesign("\(field): data are essentially constant, so the t statistic is undefined")
        }
    }
}
