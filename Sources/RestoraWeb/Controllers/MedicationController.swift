import Foundation
import Hummingbird
import RestoraDomain

/// Medication courses of a participant and the dispensings handed out (iPLEDGE: at most 30 days each).
struct MedicationController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct CourseInput: Decodable {
        var enrolmentID: Identifier<Enrolment>?
        var drug: Coding
        var dose: Quantity
        var route: String
        var timesPerDay: Int
        var start: CalendarDate
        var plannedStop: CalendarDate?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("participants/:id/medication-courses", use: create)
        group.get("participants/:id/medication-courses", use: list)
        group.post("medication-courses/:id/dispensings", use: dispense)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(CourseInput.self, limit: config.maxBodyBytes)
        let course = MedicationCourse(
            id: Identifier(dependencies.ids.next()), participantID: participant.value.id, enrolmentID: input.enrolmentID,
            drug: input.drug, dose: input.dose, route: input.route, timesPerDay: input.timesPerDay, start: input.start,
            plannedStop: input.plannedStop)
        let stored = try await MedicationEntry(repositories: repositories).startCourse(course, context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.medicationCourses.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    @Sendable func dispense(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<MedicationCourse>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let course = try await repositories.medicationCourses.get(id).value
        _ = try await Access.participant(course.participantID, for: user, in: repositories)
        let dispensing = try await request.decodeJSON(Dispensing.self, limit: config.maxBodyBytes)
        let stored = try await MedicationEntry(repositories: repositories).dispense(dispensing, to: id, expectedVersion: expected, context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
