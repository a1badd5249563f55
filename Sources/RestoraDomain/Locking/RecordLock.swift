import Foundation

/// What can be locked (issue #16 item 4, docs/locking.md): a whole casebook (an enrolment and every record linked
/// to it) or one visit (the visit and the observations taken at it). The raw value is the path segment of the
/// record's API route, so a target reads like its URL (`visits/v-1`), as SIGN's `SignedRecordKind` does.
/// REFERENCE.md H2: locking after investigator sign-off is standard EDC practice (OpenClinica signs and locks an
/// event or a whole casebook).
public enum LockedRecordKind: String, Hashable, Sendable, Codable, CaseIterable {
    case casebook = "enrolments"
    case visit = "visits"

    /// The kind in words for messages and pages.
    public var noun: String {
        switch self {
        case .casebook: return "casebook"
        case .visit: return "visit"
        }
    }
}

/// The record a lock is on.
public struct LockTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    public var kind: LockedRecordKind
    public var id: String

    public init(kind: LockedRecordKind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func casebook(_ id: Identifier<Enrolment>) -> LockTarget { LockTarget(kind: .casebook, id: id.rawValue) }
    public static func visit(_ id: Identifier<Visit>) -> LockTarget { LockTarget(kind: .visit, id: id.rawValue) }

    public var description: String { "\(kind.rawValue)/\(id)" }
    /// "casebook e-1", "visit v-1": how messages name the lock.
    public var words: String { "\(kind.noun) \(id)" }
}

/// One lock of a casebook or a visit (migration 0045, `record_locks`). While `unlockedAt` is nil the lock stands
/// and storage refuses every write to the data it covers (`RepositoryError.locked`, HTTP 423). An unlock is an
/// audited update of the same row (who, when, why, how many signatures it voided); the row is never deleted, so
/// the page and the audit trail show every lock a record ever had.
public struct RecordLock: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<RecordLock>
    public var target: LockTarget
    /// The casebook the locked data belongs to (the enrolment itself, or the visit's enrolment).
    public var enrolmentID: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var siteID: Identifier<Site>
    public var lockedBy: Actor
    public var lockedAt: Date
    /// Optional words of the investigator who locked it.
    public var lockReason: String?
    public var unlockedBy: Actor?
    public var unlockedAt: Date?
    /// Required to unlock (REFERENCE.md H2: unlocking only with a documented reason).
    public var unlockReason: String?
    /// How many signatures the unlock voided.
    public var voidedSignatures: Int?

    public init(
        id: Identifier<RecordLock>, target: LockTarget, enrolmentID: Identifier<Enrolment>, participantID: Identifier<Participant>,
        siteID: Identifier<Site>, lockedBy: Actor, lockedAt: Date, lockReason: String? = nil, unlockedBy: Actor? = nil,
        unlockedAt: Date? = nil, unlockReason: String? = nil, voidedSignatures: Int? = nil
    ) {
        self.id = id
        self.target = target
        self.enrolmentID = enrolmentID
        self.participantID = participantID
        self.siteID = siteID
        self.lockedBy = lockedBy
        self.lockedAt = lockedAt
        self.lockReason = lockReason
        self.unlockedBy = unlockedBy
        self.unlockedAt = unlockedAt
        self.unlockReason = unlockReason
        self.voidedSignatures = voidedSignatures
    }

    /// The lock stands (not unlocked).
    public var isActive: Bool { unlockedAt == nil }
}

/// Record locks (migration 0045). Writes are audited in the participant's site chain; usable inside a
/// transaction (`repositories.transaction { tx in tx.locks … }`), which is how `RecordLocking` checks the
/// signature and writes the lock under one guard.
public protocol RecordLockRepository: Sendable {
    /// Serialises lock, unlock and every write to the casebook's data (PostgreSQL: `SELECT … FOR UPDATE` of the
    /// enrolment row, which writers take `FOR KEY SHARE` before their lock check; SQLite has one writer). Call it
    /// first inside the transaction. `RepositoryError.notFound` when the enrolment does not exist.
    func guardCasebook(_ enrolmentID: Identifier<Enrolment>) async throws
    /// Stores a new, standing lock. A second standing lock of the same target is `RepositoryError.duplicate`.
    func create(_ lock: RecordLock, context: AuditContext) async throws -> Versioned<RecordLock>
    /// The standing lock of `target`, if any.
    func active(_ target: LockTarget) async throws -> Versioned<RecordLock>?
    /// Every lock (standing and lifted) of the enrolments of a participant, oldest first (the participant page).
    func list(participant: Identifier<Participant>) async throws -> [Versioned<RecordLock>]
    /// Every lock (standing and lifted) of one target, oldest first.
    func list(target: LockTarget) async throws -> [Versioned<RecordLock>]
    /// Lifts a standing lock: an audited update with the reason (required).
    func unlock(_ lock: RecordLock, expectedVersion: Int, context: AuditContext) async throws -> Versioned<RecordLock>
}
