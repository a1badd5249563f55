import Foundation
import Hummingbird
import RestoraDomain

/// Observations of a participant: recorded, listed, corrected under If-Match with a reason.
struct ObservationController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct ObservationInput: Decodable {
        var enrolmentID: Identifier<Enrolment>?
        var visitID: Identifier<Visit>?
        var panelID: String?
        var code: Coding
        var value: ObservationValue
        var effective: Date
        var specimen: SpecimenDetails?
        var bodySite: String?
        var note: String?
        /// The laboratory's upper limit of normal, in the value's unit.
        var upperLimitOfNormal: Double?
        var reason: String?

        func observation(id: Identifier<Observation>, participant: Identifier<Participant>, now: Date) throws -> Observation {
            guard !code.code.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw DomainError.invalidValue(field: "code.code", message: "a code is required")
            }
            if let number = value.number, !number.isFinite {
                throw DomainError.invalidValue(field: "value", message: "the value must be a finite number")
            }
            if let quantity = value.quantity, quantity.unit.trimmingCharacters(in: .whitespaces).isEmpty {
                throw DomainError.invalidValue(field: "value.quantity.unit", message: "a UCUM unit is required")
            }
            if let uln = upperLimitOfNormal, !(uln > 0 && uln.isFinite) {
                throw DomainError.invalidValue(field: "upperLimitOfNormal", message: "the upper limit of normal must be a positive number in the value's unit")
            }
            guard effective <= now.addingTimeInterval(300) else {
                throw DomainError.invalidValue(field: "effective", message: "the observation time is in the future")
            }
            return Observation(id: id, participantID: participant, enrolmentID: enrolmentID, visitID: visitID, panelID: panelID,
                               code: code, value: value, effective: effective, specimen: specimen, bodySite: bodySite, note: note,
                               upperLimitOfNormal: upperLimitOfNormal)
        }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createObservation, use: create)
        group.on(.observations, use: list)
        group.on(.updateObservation, use: update)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(ObservationInput.self, limit: config.maxBodyBytes)
        let observation = try input.observation(id: Identifier(dependencies.ids.next()), participant: participant.value.id, now: dependencies.clock.now())
        // The grading context is read once: for the interpretation here, and for the rules inside `record`.
        let lab = try await dependencies.clinicalEntry.labContext(for: observation)
        let interpretation = try ObservationInterpretation.of(observation, lab: lab)
        let (stored, safety) = try await dependencies.clinicalEntry.record(
            observation, context: context.audit(user), idempotencyKey: request.idempotencyKey, lab: lab)
        let body = CreatedWithAlerts(record: stored, interpretation: interpretation, safety: safety)
        return try JSONResponse.make(body, status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.observations.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<Observation>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let current = try await repositories.observations.get(id)
        _ = try await Access.participant(current.value.participantID, for: user, in: repositories)
        let input = try await request.decodeJSON(ObservationInput.self, limit: config.maxBodyBytes)
        let observation = try input.observation(id: id, participant: current.value.participantID, now: dependencies.clock.now())
        let lab = try await dependencies.clinicalEntry.labContext(for: observation)
        let interpretation = try ObservationInterpretation.of(observation, lab: lab)
        // A correction runs the safety rules again, like a new value (ClinicalEntry.correct).
        let (stored, safety) = try await dependencies.clinicalEntry.correct(
            observation, expectedVersion: expected, context: context.audit(user, reason: input.reason), lab: lab)
        return try JSONResponse.make(CreatedWithAlerts(record: stored, interpretation: interpretation, safety: safety), version: stored.version)
    }
}
