import Foundation
import Hummingbird
import RestoraDomain

/// Screening an enrolment: the participant's stored record run through the eligibility criteria of the
/// program's protocol on a date; the verdict, criterion by criterion, is stored (audited) and returned.
struct ScreeningController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct ScreeningInput: Decodable {
        /// `YYYY-MM-DD`; today (UTC, from the injected clock) when absent.
        var on: CalendarDate?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.screen, use: screen)
        group.on(.screenings, use: list)
    }

    @Sendable func screen(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let enrolment = try await visibleEnrolment(context: context, user: user)
        guard user.role == .coordinator || user.role == .investigator || user.role == .admin else {
            throw APIError.forbidden("the \(user.role.rawValue) role cannot screen a participant")
        }
        let input = try await request.decodeJSONIfPresent(ScreeningInput.self, limit: config.maxBodyBytes)
        let date = input?.on ?? CalendarDate(dependencies.clock.now())
        let stored = try await EnrolmentScreening(dependencies: dependencies).screen(
            enrolment, on: date, context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let enrolment = try await visibleEnrolment(context: context, user: user)
        let items = try await repositories.screenings.list(participant: enrolment.participantID)
            .filter { $0.value.enrolmentID == enrolment.id }
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    /// The enrolment, if the user's sites include it; 404 otherwise (before any role check, so another
    /// site's enrolment is not revealed).
    private func visibleEnrolment(context: AppRequestContext, user: UserAccount) async throws -> Enrolment {
        let id = Identifier<Enrolment>(try context.parameters.require("id"))
        let enrolment = try await repositories.enrolments.get(id).value
        try Access.requireSite(user, enrolment.siteID, kind: "enrolment", id: id.rawValue)
        return enrolment
    }
}

/// Screens an enrolment against its program protocol's criteria on `date` and stores the verdict with every
/// criterion's result; the JSON API and the participant page's screening form both go through it.
struct EnrolmentScreening {
    let dependencies: WebDependencies

    func screen(_ enrolment: Enrolment, on date: CalendarDate, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<ScreeningRecord> {
        let repositories = dependencies.repositories
        let program = try await repositories.programs.get(enrolment.programID).value
        // Screened against the protocol version the enrolment runs under (docs/amendments.md).
        let definition = try dependencies.catalog.definition(for: enrolment, program: program)
        let record = try await ParticipantRecordLoader(repositories: repositories).load(enrolment.participantID)
        let report = EligibilityEngine.screen(record, against: definition, on: date)
        let screening = ScreeningRecord(id: Identifier(dependencies.ids.next()), participantID: enrolment.participantID,
                                        enrolmentID: enrolment.id, report: report, screenedBy: context.actor)
        return try await repositories.screenings.create(screening, context: context, idempotencyKey: idempotencyKey)
    }
}
