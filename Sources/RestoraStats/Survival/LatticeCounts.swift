import Foundation

/// Per-time counts by direct addressing when every time is a whole multiple of 1/scale for a small
/// decimal scale (whole days, 0.1 or 0.01 day — how follow-up is recorded in practice). Each time maps to
/// k = round(t·scale) and is accepted only if Double(k)/scale reproduces its bit pattern exactly, so the
/// row time written back is the caller's own double and the table equals the hashed one bit for bit.
/// One linear pass with no hashing, probing or sort; returns nil (callers fall back to hashing) when
/// a time is off the lattice or the lattice would be too long for the sample.
enum LatticeCounts {
    static let scales: [Double] = [1, 10, 100, 1000]

    /// Counts laid out as `width` Int32 per lattice point 0...maxIndex (events per group, then censorings
    /// per group), the scale used, and subjects per group.
    struct Counts {
        var counts: [Int32]
        var scale: Double
        var maxIndex: Int
        var subjects: [Int]
    }

    /// - Parameter maxTime: the largest time (validated by the caller, all times finite and ≥ 0).
    static func build(time: [Double], event: [Bool], group: [Int32], groupCount: Int, maxTime: Double) -> Counts? {
        let n = time.count
        guard n > 0 else { return nil }
        guard let scale = chooseScale(time, maxTime: maxTime) else { return nil }
        let maxIndex = (maxTime * scale).rounded()
        // The lattice is scanned once afterwards; keep it within a small multiple of n (and addressable).
        let limit = max(1 << 16, 4 * n)
        guard maxIndex <= Double(limit) else { return nil }
        let points = Int(maxIndex) + 1
        let lastPoint = points - 1
        let width = 2 * groupCount
        var counts = [Int32](repeating: 0, count: points * width)
        var subjects = [Int](repeating: 0, count: groupCount)
        var offLattice = false
        time.withUnsafeBufferPointer { t in
            event.withUnsafeBufferPointer { e in
                group.withUnsafeBufferPointer { g in
                    counts.withUnsafeMutableBufferPointer { c in
                        subjects.withUnsafeMutableBufferPointer { s in
                            for i in 0..<n {
                                let x = t[i]
                                // Truncation instead of rounded() (a libm call): any k that reproduces
                                // x is the right point, and a k that does not only sends us to hashing.
                                // 0 ≤ x·scale ≤ maxIndex, so the conversion cannot overflow.
                                let k = Int(x * scale + 0.5)
                                // Rare (never for lattice data): leave the loop and let the caller hash.
                                if Double(k) / scale != x || k > lastPoint { offLattice = true; return }
                                let code = Int(g[i])
                                // Events in columns 0..<groupCount, censorings after: no branch on the flag.
                                let column = code &+ (e[i] ? 0 : groupCount)
                                c[k &* width &+ column] &+= 1
                                s[code] &+= 1
                            }
                        }
                    }
                }
            }
        }
        if offLattice { return nil }
        return Counts(counts: counts, scale: scale, maxIndex: points - 1, subjects: subjects)
    }

    /// The smallest scale on which the first times and the largest lie.
    private static func chooseScale(_ time: [Double], maxTime: Double) -> Double? {
        let probe = time.prefix(64)
        for scale in scales {
            let fits = { (x: Double) -> Bool in (x * scale).rounded() / scale == x }
            if fits(maxTime), probe.allSatisfy(fits) { return scale }
        }
        return nil
    }
}
