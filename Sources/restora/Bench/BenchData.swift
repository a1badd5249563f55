import Foundation

/// SplitMix64: a tiny, fast, fully deterministic generator so Swift and the Python/R comparison read
/// exactly the same synthetic data (the data are also written to CSV, so nothing needs re-implementing).
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func exponential(rate: Double) -> Double { -log(uniform()) / rate }
    /// Standard normal by Box–Muller.
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

/// Two-arm survival data: exponential event times (hazard ratio 0.8 in arm 1), exponential censoring,
/// times rounded to 1/100 of a day so that ties occur as in real follow-up data.
struct SurvivalBenchData: Sendable {
    var time: [Double]
    var event: [Bool]
    var group: [Int32]

    init(subjects n: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        time = []; event = []; group = []
        time.reserveCapacity(n); event.reserveCapacity(n); group.reserveCapacity(n)
        for _ in 0..<n {
            let g: Int32 = rng.uniform() < 0.5 ? 0 : 1
            let t = rng.exponential(rate: g == 0 ? 0.010 : 0.008)
            let c = rng.exponential(rate: 0.004)
            time.append((min(t, c) * 100).rounded() / 100)
            event.append(t <= c)
            group.append(g)
        }
    }
}

/// Cox data: p standard-normal covariates, true log hazard ratios 0.1·(k+1)·(−1)^k, random censoring.
struct CoxBenchData: Sendable {
    var time: [Double]
    var event: [Bool]
    var covariates: [[Double]]

    init(subjects n: Int, covariates p: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let beta: [Double] = (0..<p).map { k -> Double in
            let sign: Double = k % 2 == 0 ? 1 : -1
            return sign * 0.2 * Double(k + 1) / Double(p)
        }
        covariates = [[Double]](repeating: [Double](repeating: 0, count: n), count: p)
        time = []; event = []
        for i in 0..<n {
            var eta = 0.0
            for k in 0..<p {
                let x = (rng.normal() * 1000).rounded() / 1000
                covariates[k][i] = x
                eta += beta[k] * x
            }
            let t = rng.exponential(rate: 0.01 * exp(eta))
            let c = rng.exponential(rate: 0.005)
            time.append((min(t, c) * 100).rounded() / 100)
            event.append(t <= c)
        }
    }
}

enum BenchCSV {
    /// Writes columns with round-trip precision so other tools read the identical numbers.
    static func write(path: String, header: [String], columns: [[Double]]) throws {
        let n = columns.first?.count ?? 0
        var text = header.joined(separator: ",") + "\n"
        text.reserveCapacity(n * 12 * columns.count)
        for i in 0..<n {
            text += columns.map { column -> String in
                let v = column[i]
                return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
            }.joined(separator: ",")
            text += "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
