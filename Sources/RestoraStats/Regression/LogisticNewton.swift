import Foundation

/// Newton–Raphson on the (penalized) logistic likelihood with some coefficients optionally held fixed
/// (for profile likelihoods and likelihood-ratio tests). Steps are capped and halved as R's logistf does
/// (max step 5, halving while the objective decreases), and iterated to tight tolerances.
struct LogisticNewton: Sendable {
    let likelihood: LogisticLikelihood
    var maximumIterations = 200
    var maximumStep = 5.0

    struct Result: Sendable {
        var beta: [Double]
        var evaluation: LogisticLikelihood.Evaluation
        var iterations: Int
        var converged: Bool
    }

    /// nil only if the start itself cannot be evaluated; a fit that runs into a singular information
    /// (ordinary ML under separation) returns its last iterate with `converged == false`.
    func fit(start: [Double], fixed: Set<Int> = []) -> Result? {
        let p = likelihood.p
        let free = (0..<p).filter { !fixed.contains($0) }
        var beta = start
        guard var current = likelihood.evaluate(beta) else { return nil }
        if free.isEmpty { return Result(beta: beta, evaluation: current, iterations: 0, converged: true) }
        for iteration in 1...maximumIterations {
            let sub = current.information.submatrix(free)
            guard var delta = sub.solve(free.map { current.score[$0] }) else {
                return Result(beta: beta, evaluation: current, iterations: iteration, converged: false)
            }
            let largest = delta.map(abs).max() ?? 0
            if largest > maximumStep { delta = delta.map { $0 * maximumStep / largest } }
            var candidate = beta
            for (d, k) in zip(delta, free) { candidate[k] += d }
            var next = likelihood.evaluate(candidate)
            var halvings = 0
            while (next == nil || !(next!.objective >= current.objective - 1e-12 * abs(current.objective)))
                && halvings < 40 {
                for (d, k) in zip(delta, free) { candidate[k] = beta[k] + d * pow(0.5, Double(halvings + 1)) }
                next = likelihood.evaluate(candidate)
                halvings += 1
            }
            guard let accepted = next else {
                return Result(beta: beta, evaluation: current, iterations: iteration, converged: false)
            }
            let stepSize = free.map { abs(candidate[$0] - beta[$0]) }.max() ?? 0
            let gradient = free.map { abs(accepted.score[$0]) }.max() ?? 0
            beta = candidate
            current = accepted
            if stepSize < 1e-10 || (gradient < 1e-11 && stepSize < 1e-8) {
                return Result(beta: beta, evaluation: current, iterations: iteration, converged: true)
            }
        }
        return Result(beta: beta, evaluation: current, iterations: maximumIterations, converged: false)
    }
}
