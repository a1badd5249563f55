import Foundation

/// Cox proportional hazards by Newton–Raphson with step halving, as R's `coxph`.
public enum CoxRegression {
    public static let maximumIterations = 50

    /// - Parameters:
    ///   - covariates: one array per covariate, each with one value per subject.
    ///   - names: covariate names (used in results and error messages).
    public static func fit(
        time: [Double], event: [Bool], covariates: [[Double]], names: [String],
        ties: CoxTies = .efron, confidenceLevel: Double = 0.95, concordance: Bool = false
    ) throws -> CoxModel {
        guard covariates.count == names.count, !covariates.isEmpty else {
            throw StatsError.invalidInput(field: "covariates", message: "need at least one covariate, each with a name")
        }
        for (column, name) in zip(covariates, names) where column.count != time.count {
            throw StatsError.invalidInput(field: name, message: "has \(column.count) values but time has \(time.count)")
        }
        guard confidenceLevel > 0, confidenceLevel < 1 else {
            throw StatsError.invalidInput(field: "confidence level", message: "must be strictly between 0 and 1")
        }
        let sample = try SurvivalSample(time: time, event: event)
        let eventCount = event.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard eventCount > 0 else { throw StatsError.insufficientData("no events: a Cox model needs at least one event") }
        try DesignMatrixCheck.requireIdentifiable(columns: covariates, names: names, intercept: true)

        let n = time.count, p = covariates.count
        let means = covariates.map { $0.reduce(0, +) / Double(n) }
        // Descending time; among equal times the order does not matter.
        var x = [Double](repeating: 0, count: n * p)
        var times = [Double](repeating: 0, count: n)
        var events = [Bool](repeating: false, count: n)
        for r in 0..<n {
            let source = sample.order[n - 1 - r]
            times[r] = time[source]
            events[r] = event[source]
            for k in 0..<p { x[r * p + k] = covariates[k][source] - means[k] }
        }
        let model = CoxPartialLikelihood(n: n, p: p, x: x, times: times, events: events, ties: ties)
        var workspace = CoxPartialLikelihood.Workspace(n: n, p: p)
        let (beta, fitted, null, iterations) = try newtonRaphson(model: model, workspace: &workspace, names: names)
        guard let covariance = fitted.information.inverse() else {
            throw StatsError.degenerateDesign("information matrix is singular at the estimate")
        }
        let z = Normal.quantile(1 - (1 - confidenceLevel) / 2)
        let coefficients = (0..<p).map { k -> CoxCoefficient in
            let se = covariance[k, k].squareRoot()
            let zk = beta[k] / se
            return CoxCoefficient(
                name: names[k], coefficient: beta[k], standardError: se, hazardRatio: exp(beta[k]),
                lower: exp(beta[k] - z * se), upper: exp(beta[k] + z * se),
                z: zk, pValue: 2 * Normal.sf(abs(zk)))
        }
        let scoreStatistic = null.information.solve(null.score).map {
            zip($0, null.score).reduce(0) { $0 + $1.0 * $1.1 }
        } ?? .nan
        guard scoreStatistic.isFinite else {
            throw StatsError.degenerateDesign("information matrix is singular at β = 0")
        }
        let c = concordance ? CoxConcordance.harrell(
            times: times, events: events, risk: (0..<n).map { r in
                var e = 0.0
                for k in 0..<p { e += x[r * p + k] * beta[k] }
                return e
            }) : nil
        return CoxModel(
            coefficients: coefficients, covariance: covariance.storage, subjects: n, events: eventCount,
            ties: ties, confidenceLevel: confidenceLevel,
            nullLogLikelihood: null.logLikelihood, logLikelihood: fitted.logLikelihood,
            likelihoodRatioTest: ModelChiSquareTest(
                statistic: 2 * (fitted.logLikelihood - null.logLikelihood), degreesOfFreedom: p),
            waldTest: ModelChiSquareTest(statistic: fitted.information.quadraticForm(beta), degreesOfFreedom: p),
            scoreTest: ModelChiSquareTest(statistic: scoreStatistic, degreesOfFreedom: p),
            iterations: iterations, concordance: c)
    }

    static func newtonRaphson(
        model: CoxPartialLikelihood, workspace: inout CoxPartialLikelihood.Workspace, names: [String]
    ) throws -> (beta: [Double], fit: CoxPartialLikelihood.Evaluation, null: CoxPartialLikelihood.Evaluation, iterations: Int) {
        let p = model.p
        var beta = [Double](repeating: 0, count: p)
        let null = model.evaluate(beta: beta, workspace: &workspace)
        var current = null
        for iteration in 1...maximumIterations {
            guard let step = current.information.solve(current.score) else {
                throw StatsError.degenerateDesign("information matrix is singular during the fit")
            }
            var candidate = zip(beta, step).map { $0 + $1 }
            var next = model.evaluate(beta: candidate, workspace: &workspace)
            var halvings = 0
            // Step halving: never accept a step that lowers the partial likelihood (or overflows).
            while !(next.logLikelihood >= current.logLikelihood) && halvings < 30 {
                candidate = zip(beta, candidate).map { ($0 + $1) / 2 }
                next = model.evaluate(beta: candidate, workspace: &workspace)
                halvings += 1
            }
            let change = abs(next.logLikelihood - current.logLikelihood)
            let stepSize = zip(beta, candidate).map { abs($0 - $1) }.max() ?? 0
            beta = candidate
            current = next
            if change <= 1e-13 * max(1, abs(next.logLikelihood)) && stepSize < 1e-7 {
                try checkFinite(beta: beta, model: model, names: names)
                return (beta, current, null, iteration)
            }
        }
        try checkFinite(beta: beta, model: model, names: names)
        throw StatsError.didNotConverge("Cox model after \(maximumIterations) Newton–Raphson iterations")
    }

    /// Monotone likelihood (e.g. every event in one group) drives a coefficient to ±∞; R only warns,
    /// we refuse with the covariate named.
    static func checkFinite(beta: [Double], model: CoxPartialLikelihood, names: [String]) throws {
        let n = model.n, p = model.p
        for k in 0..<p {
            var spread = 0.0
            for r in 0..<n { spread = max(spread, abs(model.x[r * p + k])) }
            if !beta[k].isFinite || abs(beta[k]) * spread > 30 {
                throw StatsError.separation(
                    "the Cox coefficient for '\(names[k])' tends to infinity (monotone likelihood: "
                        + "the events are perfectly ordered by this covariate); no finite hazard ratio exists")
            }
        }
    }
}
