/// Permuted blocks with random block sizes (REFERENCE.md I: blocks within strata, C; random sizes from the
/// protocol's list reduce the predictability of a block's last allocations, U).
///
/// Each new block draws its size uniformly from `blocks.sizes` and holds every arm `ratio × size / ratioSum`
/// times. Each allocation then draws one arm uniformly from the block's remaining multiset: drawing without
/// replacement one at a time gives every ordering of the block the same probability (a uniformly random
/// permutation), and the order never exists before the allocation is made.
public enum PermutedBlocks {
    /// The next allocation in one stratum; `state` is that stratum's stored state (nil before its first
    /// allocation) and is updated in place. The caller stores it in the same transaction as the allocation.
    /// Precondition: `scheme` passed `RandomisationScheme.problems()` (block sizes are multiples of the ratio sum).
    public static func next(
        _ state: inout BlockState?, scheme: RandomisationScheme, using rng: inout some RandomNumberGenerator
    ) -> Allocation {
        var current = state ?? newBlock(number: 1, scheme: scheme, using: &rng)
        if current.remaining.isEmpty { current = newBlock(number: current.blockNumber + 1, scheme: scheme, using: &rng) }
        let index = Int.random(in: 0..<current.remaining.count, using: &rng)
        let arm = current.remaining.remove(at: index)
        state = current
        return Allocation(armID: arm, blockNumber: current.blockNumber, blockSize: current.blockSize, positionInBlock: current.used)
    }

    /// A fresh block: a size drawn from the scheme's sizes, each arm as often as the ratio says.
    static func newBlock(number: Int, scheme: RandomisationScheme, using rng: inout some RandomNumberGenerator) -> BlockState {
        let sizes = scheme.blocks?.sizes.filter { $0 > 0 } ?? []
        let size = sizes.randomElement(using: &rng) ?? scheme.ratioSum
        let multiple = max(1, size / max(1, scheme.ratioSum))
        var arms: [String] = []
        for (arm, weight) in zip(scheme.arms, scheme.ratio) {
            arms += Array(repeating: arm, count: weight * multiple)
        }
        return BlockState(blockNumber: number, remaining: arms.sorted(), blockSize: arms.count)
    }
}
