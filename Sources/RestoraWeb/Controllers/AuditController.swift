import Foundation
import Hummingbird
import RestoraDomain

/// The audit history of one record, for monitors, auditors and admins, at their sites:
/// `GET /audit/{kind}/{id}` with kind participants, enrolments, visits, observations, procedures,
/// cell-products, medication-courses, adverse-events or safety-alerts.
struct AuditController {
    let dependencies: WebDependencies
    var repositories: Repositories { dependencies.repositories }

    /// URL kind → stored table name.
    static let tables = [
        "participants": "participants", "enrolments": "enrolments", "visits": "visits", "observations": "observations",
        "procedures": "procedures", "cell-products": "cell_products", "medication-courses": "medication_courses",
        "adverse-events": "adverse_events", "safety-alerts": "safety_alerts", "queries": "data_queries",
        "screenings": "screenings", "deviations": "protocol_deviations",
    ]

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.participantAudit) { request, context in
            try await history(kind: "participants", id: try context.parameters.require("id"), context: context)
        }
        group.on(.recordAudit) { request, context in
            try await history(kind: try context.parameters.require("kind"), id: try context.parameters.require("id"), context: context)
        }
    }

    func history(kind: String, id: String, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        try Access.requireAuditReader(user)
        guard let table = Self.tables[kind] else {
            throw APIError.badRequest(code: "unknown_kind", message: "unknown record kind '\(kind)'; use one of: \(Self.tables.keys.sorted().joined(separator: ", "))")
        }
        let site = try await site(kind: kind, id: id)
        try Access.requireSite(user, site, kind: kind, id: id)
        return try JSONResponse.make(try await repositories.audit.history(table: table, recordID: id))
    }

    /// The site a record belongs to, through its participant.
    private func site(kind: String, id: String) async throws -> Identifier<Site> {
        let participant = try await RecordReferences(repositories: repositories).owner(ofRecord: kind, id: id)
        return try await repositories.participants.get(participant).value.siteID
    }
}
