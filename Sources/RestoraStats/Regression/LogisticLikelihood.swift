import Foundation

/// Binomial log-likelihood (optionally with Firth's penalty ½·log|I(β)|), its (modified) score and the
/// Fisher information for a logistic model. X is row-major n×p and includes the intercept column.
struct LogisticLikelihood: Sendable {
    let n: Int
    let p: Int
    let x: [Double]
    let y: [Double]
    let firth: Bool

    struct Evaluation: Sendable {
        /// Log-likelihood, plus ½·log|I| when penalized.
        var objective: Double
        /// Unpenalized binomial log-likelihood.
        var logLikelihood: Double
        /// Score; Firth's modified score Σ (y − π + h(½ − π))·x when penalized.
        var score: [Double]
        var information: SymmetricMatrix
        var maxAbsLinearPredictor: Double
    }

    /// nil when the information matrix is singular (e.g. fitted probabilities all 0 or 1).
    func evaluate(_ beta: [Double]) -> Evaluation? {
        var loglik = 0.0
        var info = SymmetricMatrix(order: p)
        var probabilities = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        var maxEta = 0.0
        for i in 0..<n {
            var eta = 0.0
            for k in 0..<p { eta += x[i * p + k] * beta[k] }
            maxEta = max(maxEta, abs(eta))
            // log(1 + e^η) without overflow.
            let softplus = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))
            loglik += y[i] * eta - softplus
            let pi = 1 / (1 + exp(-eta))
            probabilities[i] = pi
            let w = pi * (1 - pi)
            weights[i] = w
            for a in 0..<p {
                let wa = w * x[i * p + a]
                for b in 0...a { info.storage[a * p + b] += wa * x[i * p + b] }
            }
        }
        for a in 0..<p { for b in 0..<a { info.storage[b * p + a] = info.storage[a * p + b] } }
        var residual = (0..<n).map { y[$0] - probabilities[$0] }
        var objective = loglik
        if firth {
            guard let inverse = info.inverse(), let logDet = info.logDeterminant() else { return nil }
            objective += 0.5 * logDet
            for i in 0..<n {
                var h = 0.0
                for a in 0..<p {
                    var row = 0.0
                    for b in 0..<p { row += inverse.storage[a * p + b] * x[i * p + b] }
                    h += x[i * p + a] * row
                }
                h *= weights[i]
                residual[i] += h * (0.5 - probabilities[i])
            }
        }
        var score = [Double](repeating: 0, count: p)
        for i in 0..<n { for k in 0..<p { score[k] += residual[i] * x[i * p + k] } }
        return Evaluation(objective: objective, logLikelihood: loglik, score: score, information: info,
                          maxAbsLinearPredictor: maxEta)
    }
}
