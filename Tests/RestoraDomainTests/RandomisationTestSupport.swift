@testable import RestoraDomain

/// A small seeded generator for reproducible statistical tests (xorshift64*, Vigna 2016). Tests only: the
/// system allocates with `SystemRandomNumberGenerator` (docs/randomisation.md).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

enum RandomisationFixture {
    static func blocks(ratio: [Int] = [1, 1], sizes: [Int] = [2, 4, 6], strata: [String] = ["site"],
                       factors: [RandomisationFactor] = []) -> RandomisationScheme {
        RandomisationScheme(arms: Array(["a", "b", "c"].prefix(ratio.count)), ratio: ratio, method: .permutedBlocks,
                            blocks: BlockSettings(sizes: sizes, strata: strata), factors: factors)
    }

    static let prognostic: [RandomisationFactor] = [
        RandomisationFactor(id: "fsh", label: "FSH", levels: ["normal", "raised"]),
        RandomisationFactor(id: "age-group", label: "Age group", levels: ["21-34", "35-44", "45-60"]),
        RandomisationFactor(id: "histology", label: "Histology", levels: ["sco", "ma", "hs"]),
    ]

    static func minimisation(ratio: [Int] = [1, 1], probability: Double = 0.8, imbalance: MinimisationSettings.Imbalance = .range,
                             siteWeight: Double = 1) -> RandomisationScheme {
        RandomisationScheme(arms: Array(["a", "b", "c"].prefix(ratio.count)), ratio: ratio, method: .minimisation,
                            minimisation: MinimisationSettings(imbalance: imbalance, probability: probability, siteWeight: siteWeight),
                            factors: prognostic)
    }
}
