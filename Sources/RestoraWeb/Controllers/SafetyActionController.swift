import Foundation
import Hummingbird
import RestoraDomain

/// Resuming a treatment held by a safety rule (docs/safety-actions.md): `POST /medication-courses/{id}/resume`
/// and, for a hold on an enrolment without a course to resume (a cell program's injections),
/// `POST /safety-alerts/{id}/resume`. Body `{"reason": "…"}`, `If-Match` the version. Only an investigator
/// (403 otherwise, `TreatmentHolds.resumeRule`); a blank reason is 422 naming `reason`; other sites 404.
struct SafetyActionController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct ResumeInput: Decodable { var reason: String? }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.resumeCourse, use: resumeCourse)
        group.on(.resumeAlertHold, use: resumeAlert)
    }

    @Sendable func resumeCourse(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = Identifier<MedicationCourse>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let course = try await repositories.medicationCourses.get(id).value
        _ = try await Access.participant(course.participantID, for: user, in: repositories)
        let input = try await request.decodeJSON(ResumeInput.self, limit: config.maxBodyBytes)
        let stored = try await TreatmentHolds(repositories: repositories).resume(
            course: id, reason: input.reason, expectedVersion: expected, now: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    @Sendable func resumeAlert(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = Identifier<SafetyAlertRecord>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let alert = try await repositories.safetyAlerts.get(id).value
        _ = try await Access.participant(alert.participantID, for: user, in: repositories)
        let input = try await request.decodeJSON(ResumeInput.self, limit: config.maxBodyBytes)
        let stored = try await TreatmentHolds(repositories: repositories).resume(
            alert: id, reason: input.reason, expectedVersion: expected, now: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
