import Foundation
import RestoraDomain

/// `record_locks` (migration 0045, docs/locking.md): one lock of a casebook or a visit. Not clinical data itself
/// (a lock needs no reason for change; an unlock carries its reason in its own column, required by the service
/// and by a CHECK). Written only through `SQLRecordLockRepository`.
enum RecordLockMapping: TableMapping {
    typealias Value = RecordLock
    static let table = "record_locks"
    static let kind = "record lock"
    static let isClinical = false
    static let uniqueField = "target"
    static let columns = [
        Column("id"), Column("target_kind"), Column("target_id"), Column("enrolment_id"), Column("visit_id"),
        Column("participant_id"), Column("site_id"), Column("locked_by_user"), Column("locked_by_role"), Column("locked_at"),
        Column("lock_reason"), Column("unlocked_by_user"), Column("unlocked_by_role"), Column("unlocked_at"),
        Column("unlock_reason"), Column("voided_signatures", .integer),
    ]
    static func id(of value: RecordLock) -> String { value.id.rawValue }

    static func cells(of lock: RecordLock) throws -> [String: SQLCell] {
        ["id": .text(lock.id.rawValue), "target_kind": .text(lock.target.kind.rawValue), "target_id": .text(lock.target.id),
         "enrolment_id": .text(lock.enrolmentID.rawValue), "visit_id": lock.target.kind == .visit ? .text(lock.target.id) : .null,
         "participant_id": .text(lock.participantID.rawValue), "site_id": .text(lock.siteID.rawValue),
         "locked_by_user": .text(lock.lockedBy.userID), "locked_by_role": Cell.text(lock.lockedBy.role),
         "locked_at": Cell.instant(lock.lockedAt), "lock_reason": Cell.text(lock.lockReason),
         "unlocked_by_user": Cell.text(lock.unlockedBy?.userID), "unlocked_by_role": Cell.text(lock.unlockedBy?.role),
         "unlocked_at": Cell.instant(lock.unlockedAt), "unlock_reason": Cell.text(lock.unlockReason),
         "voided_signatures": Cell.integer(lock.voidedSignatures)]
    }

    static func value(from cells: [String: SQLCell]) throws -> RecordLock {
        let c = StoredCells(cells: cells, table: table)
        let unlockedBy = try c.optionalText("unlocked_by_user").map { Actor(userID: $0, role: try c.optionalText("unlocked_by_role")) }
        return RecordLock(
            id: try c.id("id"), target: LockTarget(kind: try c.enumValue("target_kind"), id: try c.text("target_id")),
            enrolmentID: try c.id("enrolment_id"), participantID: try c.id("participant_id"), siteID: try c.id("site_id"),
            lockedBy: Actor(userID: try c.text("locked_by_user"), role: try c.optionalText("locked_by_role")),
            lockedAt: try c.instant("locked_at"), lockReason: try c.optionalText("lock_reason"), unlockedBy: unlockedBy,
            unlockedAt: try c.optionalInstant("unlocked_at"), unlockReason: try c.optionalText("unlock_reason"),
            voidedSignatures: try c.optionalInteger("voided_signatures"))
    }
}
