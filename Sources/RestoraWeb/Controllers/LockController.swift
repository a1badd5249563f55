import Foundation
import Hummingbird
import RestoraDomain

/// Locking casebooks and visits (docs/locking.md): `POST /enrolments/{id}/lock`, `/unlock`, the same under
/// `/visits/{id}`, body `{"reason": "…"}` (optional to lock, required to unlock); `GET /participants/{id}/locks`.
/// Lock: investigator or admin (403 otherwise), 422 without a valid signature, 409 when already locked; unlock:
/// admin only, 422 without a reason, 409 when not locked. Another site's record is 404. The refusal of writes to
/// locked data is not here: storage answers it on every write path (`RepositoryError.locked`, 423).
struct LockController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct Input: Decodable { var reason: String? }

    /// One lock as the API shows it.
    struct LockJSON: Encodable {
        var id: String
        /// `casebook` or `visit`.
        var kind: String
        var targetID: String
        var enrolmentID: String
        var participantID: String
        /// `locked` while it stands, `unlocked` once lifted.
        var status: String
        var lockedBy: String
        var lockedByRole: String?
        var lockedAt: Date
        var lockReason: String?
        var unlockedBy: String?
        var unlockedAt: Date?
        var unlockReason: String?
        var voidedSignatures: Int?
        var version: Int

        init(_ stored: Versioned<RecordLock>) {
            let lock = stored.value
            id = lock.id.rawValue
            kind = lock.target.kind.noun
            targetID = lock.target.id
            enrolmentID = lock.enrolmentID.rawValue
            participantID = lock.participantID.rawValue
            status = lock.isActive ? "locked" : "unlocked"
            lockedBy = lock.lockedBy.userID
            lockedByRole = lock.lockedBy.role
            lockedAt = lock.lockedAt
            lockReason = lock.lockReason
            unlockedBy = lock.unlockedBy?.userID
            unlockedAt = lock.unlockedAt
            unlockReason = lock.unlockReason
            voidedSignatures = lock.voidedSignatures
            version = stored.version
        }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.lockCasebook) { request, context in try await lock(request, context, kind: .casebook) }
        group.on(.lockVisit) { request, context in try await lock(request, context, kind: .visit) }
        group.on(.unlockCasebook) { request, context in try await unlock(request, context, kind: .casebook) }
        group.on(.unlockVisit) { request, context in try await unlock(request, context, kind: .visit) }
        group.on(.participantLocks, use: list)
    }

    func lock(_ request: Request, _ context: AppRequestContext, kind: LockedRecordKind) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let target = LockTarget(kind: kind, id: try context.parameters.require("id"))
        try await Self.requireSite(target, user: user, in: repositories)
        let input = try await request.decodeJSONIfPresent(Input.self, limit: config.maxBodyBytes)
        let stored = try await RecordLocking(repositories: repositories, ids: dependencies.ids)
            .lock(target, reason: input?.reason, at: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(LockJSON(stored), status: .created, version: stored.version)
    }

    func unlock(_ request: Request, _ context: AppRequestContext, kind: LockedRecordKind) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let target = LockTarget(kind: kind, id: try context.parameters.require("id"))
        try await Self.requireSite(target, user: user, in: repositories)
        let input = try await request.decodeJSONIfPresent(Input.self, limit: config.maxBodyBytes)
        let done = try await RecordLocking(repositories: repositories, ids: dependencies.ids)
            .unlock(target, reason: input?.reason, at: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(LockJSON(done.lock), version: done.lock.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        return try JSONResponse.make(try await repositories.locks.list(participant: participant.value.id).map(LockJSON.init))
    }

    /// 404 for a record that does not exist or belongs to a site the user does not work at.
    static func requireSite(_ target: LockTarget, user: UserAccount, in repositories: Repositories) async throws {
        let enrolment: Enrolment
        switch target.kind {
        case .casebook: enrolment = try await repositories.enrolments.get(Identifier(target.id)).value
        case .visit:
            let visit = try await repositories.visits.get(Identifier(target.id)).value
            enrolment = try await repositories.enrolments.get(visit.enrolmentID).value
            guard user.canSee(site: enrolment.siteID) else { throw RepositoryError.notFound(kind: "visit", id: target.id) }
            return
        }
        try Access.requireSite(user, enrolment.siteID, kind: "enrolment", id: target.id)
    }
}
