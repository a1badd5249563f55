import Foundation

/// How tied event times enter the Cox partial likelihood (R `coxph(ties=)`; Efron is R's and lifelines' default).
public enum CoxTies: String, Sendable, Codable, CaseIterable {
    case efron
    case breslow
}

/// Log partial likelihood, score and information of a Cox model for one β, computed in one pass from the
/// largest time down with running sums S0 = Σw, S1 = Σw·x, S2 = Σw·x·xᵀ over the risk set.
/// Data are sorted once (descending time) into contiguous row-major storage; no allocation per subject.
struct CoxPartialLikelihood: Sendable {
    let n: Int
    let p: Int
    /// Row-major n×p, centred covariates, rows in descending time order.
    let x: [Double]
    let times: [Double]
    let events: [Bool]
    let ties: CoxTies

    struct Evaluation: Sendable {
        var logLikelihood: Double
        var score: [Double]
        var information: SymmetricMatrix
    }

    /// Work arrays reused across iterations.
    struct Workspace {
        var eta: [Double]
        var s1: [Double]
        var s2: [Double]
        var e1: [Double]
        var e2: [Double]
        var a1: [Double]
        init(n: Int, p: Int) {
            eta = [Double](repeating: 0, count: n)
            s1 = [Double](repeating: 0, count: p)
            s2 = [Double](repeating: 0, count: p * p)
            e1 = s1; e2 = s2; a1 = s1
        }
    }

    func evaluate(beta: [Double], workspace w: inout Workspace) -> Evaluation {
        var loglik = 0.0
        var score = [Double](repeating: 0, count: p)
        var info = [Double](repeating: 0, count: p * p)
        let n = self.n, p = self.p
        for k in 0..<p { w.s1[k] = 0; w.e1[k] = 0 }
        for k in 0..<(p * p) { w.s2[k] = 0; w.e2[k] = 0 }
        x.withUnsafeBufferPointer { x in
            for i in 0..<n {
                var e = 0.0
                for k in 0..<p { e += x[i * p + k] * beta[k] }
                w.eta[i] = e
            }
            var s0 = 0.0
            var i = 0
            while i < n {
                let t = times[i]
                var e0 = 0.0
                var d = 0
                for k in 0..<p { w.e1[k] = 0 }
                for k in 0..<(p * p) { w.e2[k] = 0 }
                var j = i
                // Add everyone at this time to the risk set; collect the tied events separately.
                while j < n, times[j] == t {
                    let r = exp(w.eta[j])
                    let row = j * p
                    s0 += r
                    for a in 0..<p {
                        let ra = r * x[row + a]
                        w.s1[a] += ra
                        for b in 0...a { w.s2[a * p + b] += ra * x[row + b] }
                    }
                    if events[j] {
                        d += 1
                        e0 += r
                        loglik += w.eta[j]
                        for a in 0..<p {
                            let ra = r * x[row + a]
                            w.e1[a] += ra
                            score[a] += x[row + a]
                            for b in 0...a { w.e2[a * p + b] += ra * x[row + b] }
                        }
                    }
                    j += 1
                }
                if d > 0 {
                    let dd = Double(d)
                    for m in 0..<d {
                        // Efron: the m-th of d tied deaths removes m/d of the tied events' weight.
                        let f = ties == .efron ? Double(m) / dd : 0
                        let denom = s0 - f * e0
                        loglik -= log(denom)
                        for a in 0..<p {
                            w.a1[a] = (w.s1[a] - f * w.e1[a]) / denom
                            score[a] -= w.a1[a]
                        }
                        for a in 0..<p {
                            for b in 0...a {
                                info[a * p + b] += (w.s2[a * p + b] - f * w.e2[a * p + b]) / denom - w.a1[a] * w.a1[b]
                            }
                        }
                    }
                }
                i = j
            }
        }
        for a in 0..<p { for b in 0..<a { info[b * p + a] = info[a * p + b] } }
        return Evaluation(logLikelihood: loglik, score: score, information: SymmetricMatrix(order: p, storage: info))
    }
}
