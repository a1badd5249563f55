import Foundation
import Hummingbird
import RestoraDomain

/// Medication courses of a participant: prescribing (an investigator, within the protocol's regimen or with a
/// signed deviation), dispensing (at most 30 days each, REFERENCE.md E2), counting returned units, and holding,
/// resuming or stopping a course. Every write goes through `MedicationEntry`, as the web pages' do.
struct MedicationController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }
    var medication: MedicationEntry { MedicationEntry(repositories: repositories, catalog: dependencies.catalog) }

    /// The frequency as `timesPerDay` (as before issue #14) or as `dosesPerPeriod` with `period` (day, week).
    struct CourseInput: Decodable {
        var enrolmentID: Identifier<Enrolment>?
        var drug: Coding
        var dose: Quantity
        var route: String
        var frequency: DoseFrequency
        var start: CalendarDate
        var plannedStop: CalendarDate?
        var deviation: DeviationInput?

        enum CodingKeys: String, CodingKey {
            case enrolmentID, drug, dose, route, timesPerDay, dosesPerPeriod, period, start, plannedStop, deviation
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            enrolmentID = try c.decodeIfPresent(Identifier<Enrolment>.self, forKey: .enrolmentID)
            drug = try c.decode(Coding.self, forKey: .drug)
            dose = try c.decode(Quantity.self, forKey: .dose)
            route = try c.decode(String.self, forKey: .route)
            frequency = try DoseFrequency.decode(from: c, timesPerDay: .timesPerDay, doses: .dosesPerPeriod, period: .period)
            start = try c.decode(CalendarDate.self, forKey: .start)
            plannedStop = try c.decodeIfPresent(CalendarDate.self, forKey: .plannedStop)
            deviation = try c.decodeIfPresent(DeviationInput.self, forKey: .deviation)
        }
    }

    struct ReturnInput: Decodable {
        /// The dispensing's number on the course, 1 for the first supply.
        var dispensing: Int
        var unitsReturned: Int
    }

    struct StatusInput: Decodable {
        var status: MedicationCourse.Status
        var date: CalendarDate
        var reason: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.startCourse, use: create)
        group.on(.medicationCourses, use: list)
        group.on(.dispense, use: dispense)
        group.on(.countReturn, use: recordReturn)
        group.on(.changeCourseStatus, use: changeStatus)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(CourseInput.self, limit: config.maxBodyBytes)
        let course = MedicationCourse(
            id: Identifier(dependencies.ids.next()), participantID: participant.value.id, enrolmentID: input.enrolmentID,
            drug: input.drug, dose: input.dose, route: input.route, frequency: input.frequency, start: input.start,
            plannedStop: input.plannedStop)
        let stored = try await medication.startCourse(course, deviation: input.deviation, now: dependencies.clock.now(),
                                                      context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.medicationCourses.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    /// The course named in the path, if the user may see its participant (404 otherwise), and the If-Match version.
    func course(_ request: Request, _ context: AppRequestContext, user: UserAccount) async throws -> (Identifier<MedicationCourse>, Int) {
        let id = Identifier<MedicationCourse>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let course = try await repositories.medicationCourses.get(id).value
        _ = try await Access.participant(course.participantID, for: user, in: repositories)
        return (id, expected)
    }

    @Sendable func dispense(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let (id, expected) = try await course(request, context, user: user)
        let dispensing = try await request.decodeJSON(Dispensing.self, limit: config.maxBodyBytes)
        let stored = try await medication.dispense(dispensing, to: id, expectedVersion: expected, context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    @Sendable func recordReturn(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let (id, expected) = try await course(request, context, user: user)
        let input = try await request.decodeJSON(ReturnInput.self, limit: config.maxBodyBytes)
        // Checked before the arithmetic: `Int.min - 1` would trap and stop the server.
        guard input.dispensing >= 1 else {
            throw DomainError.invalidValue(field: "dispensing", message: "dispensing is the supply's number on the course, from 1")
        }
        let stored = try await medication.recordReturn(units: input.unitsReturned, dispensing: input.dispensing - 1, of: id,
                                                       expectedVersion: expected, context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    @Sendable func changeStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let (id, expected) = try await course(request, context, user: user)
        let input = try await request.decodeJSON(StatusInput.self, limit: config.maxBodyBytes)
        let stored = try await medication.changeStatus(of: id, to: input.status, on: input.date, reason: input.reason,
                                                       expectedVersion: expected, context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
