/// One participant's assignment to an arm. Block fields are set for permuted blocks, nil for minimisation.
public struct Allocation: Hashable, Sendable {
    public var armID: String
    public var blockNumber: Int?
    public var blockSize: Int?
    /// 1-based position of this allocation within its block.
    public var positionInBlock: Int?

    public init(armID: String, blockNumber: Int? = nil, blockSize: Int? = nil, positionInBlock: Int? = nil) {
        self.armID = armID
        self.blockNumber = blockNumber
        self.blockSize = blockSize
        self.positionInBlock = positionInBlock
    }
}

/// The stored state of one stratum's permuted blocks: the arms still to be assigned in the current block.
/// `remaining` is the unordered multiset (sorted by arm id) — the order is drawn only at the moment of each
/// allocation, so the stored state never holds the next assignment, only the block's remaining composition
/// (concealment, REFERENCE.md I, U). The state is itself secret: storage must never show it (docs/randomisation.md).
public struct BlockState: Hashable, Sendable, Codable {
    /// 1-based number of the current block within its stratum.
    public var blockNumber: Int
    public var remaining: [String]
    public var blockSize: Int

    public init(blockNumber: Int, remaining: [String], blockSize: Int) {
        self.blockNumber = blockNumber
        self.remaining = remaining
        self.blockSize = blockSize
    }

    /// How many allocations of the current block have been made.
    public var used: Int { blockSize - remaining.count }
}
