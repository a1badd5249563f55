import Foundation
import Hummingbird
import RestoraDomain

/// The audit history of one record, for monitors, auditors and admins. Only participant-linked tables
/// are offered, so the site check always has a participant to look at.
struct AuditController {
    let dependencies: WebDependencies
    var repositories: Repositories { dependencies.repositories }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("participants/:id/audit", use: participantHistory)
    }

    @Sendable func participantHistory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        try Access.requireAuditReader(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let entries = try await repositories.audit.history(table: "participants", recordID: participant.value.id.rawValue)
        return try JSONResponse.make(entries)
    }
}
