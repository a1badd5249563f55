import Foundation
import Hummingbird
import RestoraDomain

/// The visit calendar of an enrolment and the recording of its visits, through `VisitEntry` (the web form
/// and the demo clinic take the same service): the visit key comes from the protocol's schedule, the plan
/// (day and window) from the schedule, and an attended visit outside its window needs an investigator's
/// deviation (docs/visits.md).
struct VisitController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    /// `plannedDay`/`windowBefore`/`windowAfter` may be left out (they come from the schedule); when sent they
    /// must equal the schedule's. Without `status` the visit is only placed on the calendar.
    struct VisitInput: Decodable {
        var visitKey: String
        var plannedDay: Int?
        var windowBefore: Int?
        var windowAfter: Int?
        var status: Visit.Status?
        var actualDate: CalendarDate?
        var note: String?
        var deviation: DeviationInput?
    }

    struct RecordInput: Decodable {
        var actualDate: CalendarDate?
        var status: Visit.Status
        var note: String?
        var reason: String?
        var deviation: DeviationInput?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.recordVisit, use: plan)
        group.on(.visits, use: calendar)
        group.on(.correctVisit, use: record)
    }

    var entry: VisitEntry { VisitEntry(repositories: repositories, catalog: dependencies.catalog, ids: dependencies.ids) }

    /// The enrolment, if the user may see its site (404 otherwise).
    private func enrolment(_ id: String, _ user: UserAccount) async throws -> Enrolment {
        let enrolment = try await repositories.enrolments.get(Identifier(id)).value
        try Access.requireSite(user, enrolment.siteID, kind: "enrolment", id: id)
        return enrolment
    }

    /// What the request says happened; a completed visit needs its date.
    static func outcome(_ status: Visit.Status?, _ date: CalendarDate?) throws -> VisitEntry.Outcome {
        switch status {
        case nil, .scheduled?: return .scheduled
        case .missed?: return .missed
        case .cancelled?: return .cancelled
        case .completed?:
            guard let date else { throw DomainError.invalidValue(field: "actualDate", message: "a completed visit needs its actual date") }
            return .attended(date)
        }
    }

    /// A deviation is signed by an investigator only (issue #14): anyone else is refused before anything is judged.
    static func requireSigner(_ deviation: DeviationInput?, _ user: UserAccount) throws {
        guard deviation != nil, user.role != .investigator else { return }
        throw APIError.forbidden("only an investigator may sign a protocol deviation")
    }

    @Sendable func plan(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let enrolment = try await enrolment(try context.parameters.require("id"), user)
        let input = try await request.decodeJSON(VisitInput.self, limit: config.maxBodyBytes)
        try Self.requireSigner(input.deviation, user)
        let stored = try await entry.record(
            VisitEntry.Request(visitKey: input.visitKey, outcome: try Self.outcome(input.status, input.actualDate), note: input.note,
                               deviation: input.deviation, plannedDay: input.plannedDay, windowBefore: input.windowBefore,
                               windowAfter: input.windowAfter),
            enrolment: enrolment.id, today: CalendarDate(dependencies.clock.now()), context: context.audit(user),
            idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func calendar(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let enrolment = try await enrolment(try context.parameters.require("id"), user)
        let visits = try await repositories.visits.list(enrolment: enrolment.id).sorted { $0.value.plannedDay < $1.value.plannedDay }
        return try JSONResponse.make(visits.map { VersionedResponse(value: $0) })
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<Visit>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let visit = try await repositories.visits.get(id).value
        _ = try await enrolment(visit.enrolmentID.rawValue, user)
        let input = try await request.decodeJSON(RecordInput.self, limit: config.maxBodyBytes)
        try Self.requireSigner(input.deviation, user)
        let stored = try await entry.correct(
            id, expectedVersion: expected, outcome: try Self.outcome(input.status, input.actualDate), note: input.note,
            deviation: input.deviation, today: CalendarDate(dependencies.clock.now()), context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
