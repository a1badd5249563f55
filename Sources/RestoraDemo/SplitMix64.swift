import Foundation

/// The demo's only source of variation: SplitMix64 (Steele, Lea & Flood 2014), seeded explicitly, so the
/// same seed always produces the same clinic. Nothing here reads the system's randomness or clock.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) from the top 53 bits (exactly representable doubles).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in a closed integer range by multiply-shift on the top 32 bits (bias < 2⁻³², fine for demo data;
    /// ranges must be narrower than 2³²).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound + 1)
        // Parenthesised: in Swift `>>` binds tighter than `*`.
        let pick = Int(((next() >> 32) * width) >> 32)
        return range.lowerBound + pick
    }

    public mutating func double(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// Normal(mean, sd) by Box–Muller; `unit()` never returns 1, so the logarithm stays finite.
    public mutating func normal(mean: Double, sd: Double) -> Double {
        let u1 = 1 - unit()
        let u2 = unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return mean + sd * z
    }

    /// A value rounded to `places` decimals, so generated lab values look like lab reports.
    public mutating func rounded(_ range: ClosedRange<Double>, places: Int) -> Double {
        DemoNumber.round(double(range), places: places)
    }

    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }
}

enum DemoNumber {
    static func round(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
