import Foundation

/// Locking and unlocking a casebook or a visit (issue #16 item 4, docs/locking.md). REFERENCE.md H2: record
/// locking after investigator sign-off, and unlocking only with a documented reason that voids the e-signature, is
/// standard EDC practice (REDCap, OpenClinica). The one way every door (JSON API, web form) locks and unlocks; each
/// action is one transaction that first takes the casebook's guard (`RecordLockRepository.guardCasebook`), so no
/// write of the casebook's data slips between the signature check and the lock.
/// - Lock: an investigator or an admin; the target must carry a valid signature (SIGN's `Signing`), must not be
///   locked already, and a visit must not sit in a locked casebook (it is locked with it).
/// - Unlock: an admin only, with a reason; audited; voids the signatures it affects (`voidedTargets`).
/// What a lock covers is storage's single list (`LockGuard` in RestoraStorage, docs/locking.md "What a lock covers").
public struct RecordLocking: Sendable {
    public let repositories: Repositories
    public let ids: any IDGenerator

    public init(repositories: Repositories, ids: any IDGenerator) {
        self.repositories = repositories
        self.ids = ids
    }

    /// REFERENCE.md H2 (ICH E6: the investigator is responsible for the data): who locks.
    public static let lockRule = "a casebook or visit is locked by an investigator or an admin"
    /// REFERENCE.md H2 (unlocking only with a documented reason): who unlocks.
    public static let unlockRule = "a casebook or visit is unlocked by an admin, with a reason"
    /// REFERENCE.md H2: a record is locked after investigator sign-off.
    public static let signedFirstRule = "a record is locked only once it carries a valid signature"

    /// What an unlock did: the lock as lifted and how many signatures it voided.
    public struct Unlocked: Sendable {
        public var lock: Versioned<RecordLock>
        public var voidedSignatures: Int
    }

    public func lock(_ target: LockTarget, reason: String?, at instant: Date, context: AuditContext) async throws -> Versioned<RecordLock> {
        guard context.actor.role == "investigator" || context.actor.role == "admin" else {
            throw RoleRefusal(rule: Self.lockRule,
                              message: "only an investigator or an admin may lock a \(target.kind.noun); you are signed in as \(context.actor.role ?? "an unknown role")")
        }
        let id = Identifier<RecordLock>(ids.next())
        let words = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await repositories.transaction { tx in
            let enrolment = try await Self.casebook(of: target, in: tx)
            try await tx.locks.guardCasebook(enrolment.id)
            if let standing = try await tx.locks.active(target) {
                throw DomainError.illegalTransition(
                    from: "locked", to: "locked", message: "\(target.words) is already locked (since \(Self.stamp(standing.value.lockedAt)))")
            }
            if target.kind == .visit, try await tx.locks.active(.casebook(enrolment.id)) != nil {
                throw DomainError.illegalTransition(
                    from: "locked", to: "locked", message: "\(target.words) is already locked with its casebook \(enrolment.id.rawValue)")
            }
            guard try await Signing(repositories: tx).hasValidSignature(Self.signatureTarget(target), in: tx) else {
                throw DomainError.protocolRule(
                    rule: Self.signedFirstRule, field: "signatures",
                    message: "\(target.words) has no valid signature: an investigator signs it first (\(target.kind.rawValue)/\(target.id)/signatures)")
            }
            let lock = RecordLock(
                id: id, target: target, enrolmentID: enrolment.id, participantID: enrolment.participantID, siteID: enrolment.siteID,
                lockedBy: context.actor, lockedAt: instant, lockReason: words?.isEmpty == false ? words : nil)
            return try await tx.locks.create(lock, context: context)
        }
    }

    public func unlock(_ target: LockTarget, reason: String?, at instant: Date, context: AuditContext) async throws -> Unlocked {
        guard context.actor.role == "admin" else {
            throw RoleRefusal(rule: Self.unlockRule,
                              message: "only an admin may unlock a \(target.kind.noun); you are signed in as \(context.actor.role ?? "an unknown role")")
        }
        guard let why = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !why.isEmpty else {
            throw DomainError.invalidValue(field: "reason", message: "a reason is required to unlock a \(target.kind.noun) (it is kept in the audit trail)")
        }
        var audit = context
        audit.reason = why
        let unlockContext = audit
        return try await repositories.transaction { tx in
            let enrolment = try await Self.casebook(of: target, in: tx)
            try await tx.locks.guardCasebook(enrolment.id)
            guard let standing = try await tx.locks.active(target) else {
                throw DomainError.illegalTransition(from: "unlocked", to: "unlocked", message: "\(target.words) is not locked")
            }
            if target.kind == .visit, try await tx.locks.active(.casebook(enrolment.id)) != nil {
                throw DomainError.illegalTransition(
                    from: "locked", to: "unlocked",
                    message: "\(target.words) stays locked by its casebook \(enrolment.id.rawValue): unlock the casebook first")
            }
            var voided = 0
            for signed in try await Self.voidedTargets(of: target, in: tx) {
                voided += try await tx.signatures.void(
                    target: signed, reason: "\(target.words) unlocked: \(why)", context: unlockContext)
            }
            var lifted = standing.value
            lifted.unlockedBy = context.actor
            lifted.unlockedAt = instant
            lifted.unlockReason = why
            lifted.voidedSignatures = voided
            let stored = try await tx.locks.unlock(lifted, expectedVersion: standing.version, context: unlockContext)
            return Unlocked(lock: stored, voidedSignatures: voided)
        }
    }

    /// The signatures an unlock voids (REFERENCE.md H2, "unlocking voids the e-signature"): the target's own; for a
    /// casebook also those of its visits that are not held by a lock of their own (those stay signed and locked).
    /// Eligibility and release signatures are separate decisions and stay; their content hash still shows them
    /// invalidated if the record changes while unlocked.
    static func voidedTargets(of target: LockTarget, in tx: Repositories) async throws -> [SignatureTarget] {
        var targets = [signatureTarget(target)]
        if target.kind == .casebook {
            for visit in try await tx.visits.list(enrolment: Identifier(target.id))
            where try await tx.locks.active(.visit(visit.value.id)) == nil {
                targets.append(SignatureTarget(kind: .visit, id: visit.value.id.rawValue))
            }
        }
        return targets
    }

    /// The signature a lock of `target` needs (and an unlock voids).
    public static func signatureTarget(_ target: LockTarget) -> SignatureTarget {
        SignatureTarget(kind: target.kind == .casebook ? .casebook : .visit, id: target.id)
    }

    /// The enrolment a target belongs to (404 as the record's kind when it does not exist).
    static func casebook(of target: LockTarget, in tx: Repositories) async throws -> Enrolment {
        switch target.kind {
        case .casebook: return try await tx.enrolments.get(Identifier(target.id)).value
        case .visit:
            let visit = try await tx.visits.get(Identifier(target.id)).value
            return try await tx.enrolments.get(visit.enrolmentID).value
        }
    }

    static func stamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}
