import Foundation
import Hummingbird
import RestoraDomain

/// The visit calendar of an enrolment and the recording of an actual visit.
struct VisitController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct VisitInput: Decodable {
        var visitKey: String
        var plannedDay: Int
        var windowBefore: Int
        var windowAfter: Int
    }

    struct RecordInput: Decodable {
        var actualDate: CalendarDate?
        var status: Visit.Status
        var note: String?
        var reason: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("enrolments/:id/visits", use: plan)
        group.get("enrolments/:id/visits", use: calendar)
        group.put("visits/:id", use: record)
    }

    /// The enrolment, if the user may see its site (404 otherwise).
    private func enrolment(_ id: String, _ user: UserAccount) async throws -> Enrolment {
        let enrolment = try await repositories.enrolments.get(Identifier(id)).value
        try Access.requireSite(user, enrolment.siteID, kind: "enrolment", id: id)
        return enrolment
    }

    @Sendable func plan(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let enrolment = try await enrolment(try context.parameters.require("id"), user)
        let input = try await request.decodeJSON(VisitInput.self, limit: config.maxBodyBytes)
        guard input.windowBefore >= 0, input.windowAfter >= 0, !input.visitKey.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError.invalidValue(field: "window", message: "a visit key and non-negative windows are required")
        }
        // Plausibility bounds (no program here runs past ten years or has a window over a year).
        guard (-365...3_650).contains(input.plannedDay) else {
            throw DomainError.invalidValue(field: "plannedDay", message: "the planned day is from -365 to 3650 days after the start")
        }
        guard input.windowBefore <= 365, input.windowAfter <= 365 else {
            throw DomainError.invalidValue(field: "windowBefore", message: "a visit window is at most 365 days on either side")
        }
        let visit = Visit(id: Identifier(dependencies.ids.next()), enrolmentID: enrolment.id, visitKey: input.visitKey,
                          plannedDay: input.plannedDay, windowBefore: input.windowBefore, windowAfter: input.windowAfter)
        let stored = try await repositories.visits.create(visit, context: context.audit(user), idempotencyKey: request.idempotencyKey)
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
        var visit = try await repositories.visits.get(id).value
        _ = try await enrolment(visit.enrolmentID.rawValue, user)
        let input = try await request.decodeJSON(RecordInput.self, limit: config.maxBodyBytes)
        if input.status == .completed && input.actualDate == nil {
            throw DomainError.invalidValue(field: "actualDate", message: "a completed visit needs its actual date")
        }
        if let date = input.actualDate, date > CalendarDate(dependencies.clock.now()) {
            throw DomainError.invalidValue(field: "actualDate", message: "the visit date is in the future")
        }
        visit.actualDate = input.actualDate
        visit.status = input.status
        visit.note = input.note
        let stored = try await repositories.visits.update(visit, expectedVersion: expected, context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
