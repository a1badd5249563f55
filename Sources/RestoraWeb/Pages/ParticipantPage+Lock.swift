import Foundation
import RestoraDomain

/// What the participant page knows about locks (issue #16 item 4, docs/locking.md): every lock of the
/// participant's casebooks and visits, standing and lifted, and what this user may do.
struct ParticipantLocks: Sendable {
    var locks: [Versioned<RecordLock>] = []
    /// Investigators and admins lock (`RecordLocking.lockRule`).
    var mayLock = false
    /// Admins unlock, with a reason (`RecordLocking.unlockRule`).
    var mayUnlock = false

    static func load(_ id: Identifier<Participant>, user: UserAccount, repositories: Repositories) async throws -> ParticipantLocks {
        ParticipantLocks(
            locks: try await repositories.locks.list(participant: id),
            mayLock: user.role == .investigator || user.role == .admin, mayUnlock: user.role == .admin)
    }

    func standing(_ target: LockTarget) -> Versioned<RecordLock>? {
        locks.last { $0.value.target == target && $0.value.isActive }
    }
}

/// The "Locks" section of the participant page: per casebook its lock state with the lock or unlock form, per
/// visit the same, and the history of lifted locks with who unlocked them and why (REFERENCE.md H2).
enum ParticipantLockSection {
    static func section(_ m: ParticipantPageModel, context: AppRequestContext) -> Node {
        let l = m.locking
        let next = WebPath.participant(m.participant.value.id)
        return Layout.section("locks", "Record locks") {
            if m.enrolments.isEmpty { Layout.empty("No casebooks: the participant is not enrolled in a program.") }
            m.enrolments.map { view in casebook(view, l, signed: signed(m), context: context, next: next) }
            history(l)
        }
    }

    /// Whether a target carries a valid signature now (the page's signatures, SIGN's statuses): the lock button is
    /// offered only then; the service checks it again inside the lock's transaction.
    static func signed(_ m: ParticipantPageModel) -> @Sendable (LockTarget) -> Bool {
        let signatures = m.signatures
        return { target in
            signatures.of(RecordLocking.signatureTarget(target)).contains { $0.value.status == .valid }
        }
    }

    static func casebook(
        _ view: ParticipantPageModel.EnrolmentView, _ l: ParticipantLocks, signed: (LockTarget) -> Bool, context: AppRequestContext, next: String
    ) -> Node {
        let enrolment = view.enrolment.value
        let target = LockTarget.casebook(enrolment.id)
        let standing = l.standing(target)
        return el("div", ["class": "casebook-lock", "id": "casebook-lock-\(enrolment.id.rawValue)"]) {
            el("h3") { "Casebook: \(view.program.name)" }
            state(target, standing)
            controls(target, standing, l, signed: signed(target), context: context, next: next)
            if !view.visits.isEmpty {
                el("table", ["class": "visit-locks"]) {
                    el("thead") { el("tr") { el("th") { "Visit" }; el("th") { "Lock" }; el("th") { "" } } }
                    el("tbody") {
                        view.visits.map { visit in
                            let visitTarget = LockTarget.visit(visit.id)
                            let visitLock = l.standing(visitTarget)
                            return el("tr", ["class": "visit-lock", "id": "visit-lock-\(visit.id.rawValue)"]) {
                                el("td") { "\(visit.visitKey) (\(visit.id.rawValue))" }
                                el("td") { standing != nil ? "locked with the casebook" : words(visitLock) }
                                el("td") {
                                    if standing == nil {
                                        controls(visitTarget, visitLock, l, signed: signed(visitTarget), context: context, next: next)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func state(_ target: LockTarget, _ standing: Versioned<RecordLock>?) -> Node {
        guard standing != nil else { return el("p", ["class": "lock-state"]) { "Not locked." } }
        return el("p", ["class": "lock-state locked form-errors", "role": "status"]) {
            "Locked: \(words(standing)). Its data cannot be changed until an admin unlocks it with a reason; "
                + "data queries, source data verification and signatures stay open."
        }
    }

    static func words(_ standing: Versioned<RecordLock>?) -> String {
        guard let lock = standing?.value else { return "not locked" }
        return "locked \(DeviationText.instant(lock.lockedAt)) by \(ActorText.describe(lock.lockedBy))"
            + (lock.lockReason.map { " (\($0))" } ?? "")
    }

    /// Lock (investigator, admin; needs a valid signature, which the service checks) or unlock (admin, reason required).
    static func controls(
        _ target: LockTarget, _ standing: Versioned<RecordLock>?, _ l: ParticipantLocks, signed: Bool, context: AppRequestContext, next: String
    ) -> Node {
        let slug = "\(target.kind.noun)-\(target.id)"
        if standing != nil {
            guard l.mayUnlock else { return .fragment([]) }
            let field = "unlock-reason-\(slug)"
            return el("form", ["class": "unlock-form inline", "method": "post", "action": LockPages.route(target, unlock: true).path(target.id)]) {
                Forms.csrf(context)
                el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
                el("label", ["for": field]) { "Reason to unlock" }
                Node.element("input", ["id": field, "name": "reason", "type": "text", "placeholder": "Why the data must change"],
                             flags: ["required": true])
                el("button", ["type": "submit", "class": "unlock-button secondary"]) { "Unlock \(target.kind.noun) (voids its signatures)" }
            }
        }
        guard l.mayLock else { return .fragment([]) }
        // REFERENCE.md H2: a record is locked after investigator sign-off.
        guard signed else { return el("span", ["class": "lock-needs-signature"]) { "Sign it first to lock it." } }
        return el("form", ["class": "lock-form inline", "method": "post", "action": LockPages.route(target, unlock: false).path(target.id)]) {
            Forms.csrf(context)
            el("input", ["type": "hidden", "name": "next", "value": WebPath.safeNext(next)])
            el("button", ["type": "submit", "class": "lock-button secondary", "id": "lock-\(slug)"]) { "Lock \(target.kind.noun)" }
        }
    }

    static func history(_ l: ParticipantLocks) -> Node {
        let lifted = l.locks.filter { !$0.value.isActive }
        guard !lifted.isEmpty else { return .fragment([]) }
        return .fragment([
            el("h3") { "Unlocked" },
            el("table", ["id": "lifted-locks"]) {
                el("thead") { el("tr") { el("th") { "Record" }; el("th") { "Locked" }; el("th") { "Unlocked" }; el("th") { "Reason" }; el("th") { "Signatures voided" } } }
                el("tbody") {
                    lifted.reversed().map { stored in
                        let lock = stored.value
                        return el("tr", ["class": "lifted-lock"]) {
                            el("td") { lock.target.words }
                            el("td") { "\(DeviationText.instant(lock.lockedAt)) by \(ActorText.describe(lock.lockedBy))" }
                            el("td") { "\(lock.unlockedAt.map(DeviationText.instant) ?? "?") by \(lock.unlockedBy.map(ActorText.describe) ?? "?")" }
                            el("td") { lock.unlockReason ?? "" }
                            el("td") { String(lock.voidedSignatures ?? 0) }
                        }
                    }
                }
            },
        ])
    }
}
