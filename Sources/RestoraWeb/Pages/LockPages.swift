import Foundation
import Hummingbird
import RestoraDomain

/// The web forms of record locking (docs/locking.md), posted from the participant page's "Record locks" section:
/// `POST /enrolments/{id}/lock|unlock` and `/visits/{id}/lock|unlock` call `RecordLocking` as the JSON API does.
/// A refusal (no valid signature, already locked, no reason, wrong role) shows the error page with the service's
/// message and nothing written; success returns to the participant page.
struct LockPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        for kind in LockedRecordKind.allCases {
            router.post(LockPages.route(LockTarget(kind: kind, id: ""), unlock: false)) { request, context in
                try await act(request, context, kind: kind, unlock: false)
            }
            router.post(LockPages.route(LockTarget(kind: kind, id: ""), unlock: true)) { request, context in
                try await act(request, context, kind: kind, unlock: true)
            }
        }
    }

    func act(_ request: Request, _ context: AppRequestContext, kind: LockedRecordKind, unlock: Bool) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let target = LockTarget(kind: kind, id: try context.parameters.require("id"))
        try await LockController.requireSite(target, user: user, in: repositories)
        let locking = RecordLocking(repositories: repositories, ids: dependencies.ids)
        if unlock {
            _ = try await locking.unlock(target, reason: form["reason"], at: dependencies.clock.now(), context: context.audit(user))
        } else {
            _ = try await locking.lock(target, reason: form["reason"], at: dependencies.clock.now(), context: context.audit(user))
        }
        return HTMLResponse.redirect(WebPath.safeNext(form["next"]))
    }
}

enum LockPages {
    static func route(_ target: LockTarget, unlock: Bool) -> PageRoute {
        switch (target.kind, unlock) {
        case (.casebook, false): return .lockCasebook
        case (.casebook, true): return .unlockCasebook
        case (.visit, false): return .lockVisit
        case (.visit, true): return .unlockVisit
        }
    }
}

extension PageRoute {
    static let lockCasebook = PageRoute("/enrolments/:id/lock")
    static let unlockCasebook = PageRoute("/enrolments/:id/unlock")
    static let lockVisit = PageRoute("/visits/:id/lock")
    static let unlockVisit = PageRoute("/visits/:id/unlock")
}
