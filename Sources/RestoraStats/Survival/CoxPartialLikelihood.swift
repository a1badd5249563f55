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
        let n = self.n, p = self.p, efron = ties == .efron
        // Raw pointers in the hot loop: no bounds, exclusivity or copy-on-write checks per element.
        x.withUnsafeBufferPointer { x in
        times.withUnsafeBufferPointer { times in
        events.withUnsafeBufferPointer { events in
        beta.withUnsafeBufferPointer { beta in
        w.eta.withUnsafeMutableBufferPointer { eta in
        w.s1.withUnsafeMutableBufferPointer { s1 in
        w.s2.withUnsafeMutableBufferPointer { s2 in
        w.e1.withUnsafeMutableBufferPointer { e1 in
        w.e2.withUnsafeMutableBufferPointer { e2 in
        w.a1.withUnsafeMutableBufferPointer { a1 in
        score.withUnsafeMutableBufferPointer { score in
        info.withUnsafeMutableBufferPointer { info in
            for k in 0..<p { s1[k] = 0 }
            for k in 0..<(p * p) { s2[k] = 0 }
            for i in 0..<n {
                var e = 0.0
                for k in 0..<p { e += x[i * p + k] * beta[k] }
                eta[i] = e
            }
            var s0 = 0.0
            var i = 0
            while i < n {
                let t = times[i]
                var e0 = 0.0
                var d = 0
                var j = i
                // Add everyone at this time to the risk set; collect the tied events separately.
                while j < n, times[j] == t {
                    let r = exp(eta[j])
                    let row = j * p
                    s0 += r
                    if events[j] {
                        if d == 0 {
                            for k in 0..<p { e1[k] = 0 }
                            for k in 0..<(p * p) { e2[k] = 0 }
                        }
                        d += 1
                        e0 += r
                        loglik += eta[j]
                        for a in 0..<p {
                            let xa = x[row + a]
                            let ra = r * xa
                            s1[a] += ra
                            e1[a] += ra
                            score[a] += xa
                            for b in 0...a {
                                let v = ra * x[row + b]
                                s2[a * p + b] += v
                                e2[a * p + b] += v
                            }
                        }
                    } else {
                        for a in 0..<p {
                            let ra = r * x[row + a]
                            s1[a] += ra
                            for b in 0...a { s2[a * p + b] += ra * x[row + b] }
                        }
                    }
                    j += 1
                }
                if d > 0 {
                    let dd = Double(d)
                    for m in 0..<d {
                        // Efron: the m-th of d tied deaths removes m/d of the tied events' weight.
                        let f = efron ? Double(m) / dd : 0
                        let denom = s0 - f * e0
                        loglik -= log(denom)
                        for a in 0..<p {
                            a1[a] = (s1[a] - f * e1[a]) / denom
                            score[a] -= a1[a]
                        }
                        for a in 0..<p {
                            for b in 0...a {
                                info[a * p + b] += (s2[a * p + b] - f * e2[a * p + b]) / denom - a1[a] * a1[b]
                            }
                        }
                    }
                }
                i = j
            }
        }}}}}}}}}}}}
        for a in 0..<p { for b in 0..<a { info[b * p + a] = info[a * p + b] } }
        return Evaluation(logLikelihood: loglik, score: score, information: SymmetricMatrix(order: p, storage: info))
    }
}
