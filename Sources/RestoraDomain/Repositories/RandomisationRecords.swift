import Foundation

/// One participant's randomised allocation (issue #16 item 1, docs/randomisation.md "In the system"): made once,
/// in the same transaction as the enrolment's move to enrolled, and never changed afterwards (a wrong allocation is
/// recorded as a protocol deviation, not corrected here). Stored in `randomisation_allocations` (migration 0042),
/// audited in the enrolment's site chain. The enrolment's `armID` is set from it in that same transaction.
public struct RandomisationAllocation: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<RandomisationAllocation>
    public var enrolmentID: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var programID: Identifier<Program>
    public var siteID: Identifier<Site>
    /// The protocol and version the allocation was made under (the enrolment's).
    public var protocolID: String
    public var protocolVersion: String
    /// `permuted-blocks` or `minimisation` (`RandomisationScheme.Method`).
    public var method: String
    /// The allocation sequence it belongs to (`RandomisationScheme.stratumKey`): `site=PAR1`, or `*`.
    public var stratum: String
    /// 1-based, gap-free and unique within (program, stratum): the order of allocation.
    public var sequenceNumber: Int
    /// The factor levels entered at randomisation (factor id → level).
    public var factors: [String: String]
    public var armID: String
    /// The kit or treatment code blinded roles see instead of the arm (blinded protocols only).
    public var kitCode: String?
    /// Permuted blocks only: the block, its size and this allocation's 1-based position in it.
    public var blockNumber: Int?
    public var blockSize: Int?
    public var positionInBlock: Int?
    public var allocatedBy: Actor
    public var allocatedAt: Date

    public init(
        id: Identifier<RandomisationAllocation>, enrolmentID: Identifier<Enrolment>, participantID: Identifier<Participant>,
        programID: Identifier<Program>, siteID: Identifier<Site>, protocolID: String, protocolVersion: String, method: String,
        stratum: String, sequenceNumber: Int, factors: [String: String], armID: String, kitCode: String?, blockNumber: Int?,
        blockSize: Int?, positionInBlock: Int?, allocatedBy: Actor, allocatedAt: Date
    ) {
        self.id = id
        self.enrolmentID = enrolmentID
        self.participantID = participantID
        self.programID = programID
        self.siteID = siteID
        self.protocolID = protocolID
        self.protocolVersion = protocolVersion
        self.method = method
        self.stratum = stratum
        self.sequenceNumber = sequenceNumber
        self.factors = factors
        self.armID = armID
        self.kitCode = kitCode
        self.blockNumber = blockNumber
        self.blockSize = blockSize
        self.positionInBlock = positionInBlock
        self.allocatedBy = allocatedBy
        self.allocatedAt = allocatedAt
    }
}

/// The state of one allocation sequence (a stratum, or a whole minimised trial), read with its row locked for the
/// rest of the transaction. CONCEALED (REFERENCE.md I, allocation concealment): `block` holds what is left of the
/// current block; it is never shown by a route, page, log, export or the audit trail (docs/randomisation.md).
public struct RandomisationStratum: Hashable, Sendable {
    public var programID: Identifier<Program>
    public var key: String
    /// Allocations made so far in this sequence: the next one gets `allocations + 1`.
    public var allocations: Int
    /// Permuted blocks: the current block (nil before the first allocation; unused by minimisation).
    public var block: BlockState?

    public init(programID: Identifier<Program>, key: String, allocations: Int, block: BlockState?) {
        self.programID = programID
        self.key = key
        self.allocations = allocations
        self.block = block
    }
}

/// An emergency unblinding (issue #16 item 1): an investigator saw the arm of a blinded participant, with a reason.
/// Appended, never edited; stored in `randomisation_unblindings` (migration 0042) and audited (REFERENCE.md H1 11.10(e)).
public struct EmergencyUnblinding: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<EmergencyUnblinding>
    public var enrolmentID: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var siteID: Identifier<Site>
    public var allocationID: Identifier<RandomisationAllocation>
    public var reason: String
    public var unblindedBy: Actor
    public var unblindedAt: Date

    public init(
        id: Identifier<EmergencyUnblinding>, enrolmentID: Identifier<Enrolment>, participantID: Identifier<Participant>,
        siteID: Identifier<Site>, allocationID: Identifier<RandomisationAllocation>, reason: String, unblindedBy: Actor, unblindedAt: Date
    ) {
        self.id = id
        self.enrolmentID = enrolmentID
        self.participantID = participantID
        self.siteID = siteID
        self.allocationID = allocationID
        self.reason = reason
        self.unblindedBy = unblindedBy
        self.unblindedAt = unblindedAt
    }
}

/// Allocations, the concealed per-sequence state and emergency unblindings (migration 0042).
public protocol RandomisationRepository: Sendable {
    /// The sequence's state with its row LOCKED until the open transaction ends (PostgreSQL `SELECT … FOR UPDATE`;
    /// SQLite has one writer). Created empty on first use. Call it only inside `Repositories.transaction`.
    func lockStratum(program: Identifier<Program>, key: String) async throws -> RandomisationStratum
    /// Writes the sequence's state back (same transaction as `lockStratum`). Not audited: the audit trail is
    /// readable by auditors and monitors and must not show the rest of a block (concealment); the allocations,
    /// each with its block number, size and position, are audited and let the sequence be checked afterwards.
    func saveStratum(_ stratum: RandomisationStratum) async throws
    /// Stores a new allocation (audited). A second allocation of the same enrolment is refused (409).
    func create(_ allocation: RandomisationAllocation, context: AuditContext) async throws -> Versioned<RandomisationAllocation>
    /// Sets the enrolment's arm from its allocation (audited, same transaction).
    func assignArm(_ enrolment: Identifier<Enrolment>, armID: String, expectedVersion: Int, context: AuditContext) async throws -> Versioned<Enrolment>
    func allocation(enrolment: Identifier<Enrolment>) async throws -> Versioned<RandomisationAllocation>?
    func allocations(enrolments: [Identifier<Enrolment>]) async throws -> [Versioned<RandomisationAllocation>]
    /// Every allocation of a program in sequence order (per stratum); `sites` nil = every site.
    func list(program: Identifier<Program>, sites: [Identifier<Site>]?) async throws -> [Versioned<RandomisationAllocation>]
    /// Whether a kit code is already used in the program (a drawn code that clashes is drawn again).
    func kitCodeExists(program: Identifier<Program>, code: String) async throws -> Bool
    func recordUnblinding(_ event: EmergencyUnblinding, context: AuditContext) async throws -> Versioned<EmergencyUnblinding>
    func unblindings(enrolment: Identifier<Enrolment>) async throws -> [Versioned<EmergencyUnblinding>]
}
