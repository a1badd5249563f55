import RestoraDomain
import SQLKit

/// Record locks (migration 0045, docs/locking.md). A lock is created once and lifted once, each an audited write
/// in the participant's site chain (`site_id` is the lock's own column); a lifted lock stays stored.
struct SQLRecordLockRepository: RecordLockRepository {
    let records: RecordStore<RecordLockMapping>

    func guardCasebook(_ enrolmentID: Identifier<Enrolment>) async throws {
        let found = try await records.transaction { db in
            // PostgreSQL: held until the caller's transaction ends; writers' `FOR KEY SHARE` (LockGuard) waits for it.
            let lock = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            return try await db.raw("SELECT id FROM enrolments WHERE id = \(bind: enrolmentID.rawValue) AND deleted_at IS NULL\(unsafeRaw: lock)")
                .first() != nil
        }
        guard found else { throw RepositoryError.notFound(kind: "enrolment", id: enrolmentID.rawValue) }
    }

    func create(_ lock: RecordLock, context: AuditContext) async throws -> Versioned<RecordLock> {
        try await records.create(lock, context: context, idempotencyKey: nil)
    }

    func active(_ target: LockTarget) async throws -> Versioned<RecordLock>? {
        try await list(target: target).last { $0.value.isActive }
    }

    func list(participant: Identifier<Participant>) async throws -> [Versioned<RecordLock>] {
        try await records.list(where: "participant_id", equals: participant.rawValue)
    }

    func list(target: LockTarget) async throws -> [Versioned<RecordLock>] {
        try await records.list(matching: [("target_kind", target.kind.rawValue), ("target_id", target.id)])
    }

    func unlock(_ lock: RecordLock, expectedVersion: Int, context: AuditContext) async throws -> Versioned<RecordLock> {
        try await records.update(lock, expectedVersion: expectedVersion, context: context, requireReason: true)
    }
}
