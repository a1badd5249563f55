import Foundation
import Hummingbird
import RestoraDomain

/// Procedures of a participant: harvests, processing, injections, sperm retrievals, biopsies.
struct ProcedureController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct ProcedureInput: Decodable {
        var enrolmentID: Identifier<Enrolment>?
        var kind: Procedure.Kind
        var code: Coding?
        var performed: Date
        var anatomicalSite: String?
        var laterality: String?
        var imagingGuidance: Procedure.ImagingGuidance?
        var anaesthesia: Procedure.Anaesthesia?
        var sourceTissue: String?
        var volumeML: Double?
        var cellProductID: Identifier<CellProduct>?
        var outcome: String?
        var note: String?
        /// An investigator's protocol deviation letting a procedure outside the protocol's intervention through.
        var deviation: DeviationInput?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createProcedure, use: create)
        group.on(.procedures, use: list)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(ProcedureInput.self, limit: config.maxBodyBytes)
        guard input.performed <= dependencies.clock.now().addingTimeInterval(300) else {
            throw DomainError.invalidValue(field: "performed", message: "a procedure cannot be recorded before it is performed")
        }
        let procedure = Procedure(
            id: Identifier(dependencies.ids.next()), participantID: participant.value.id, enrolmentID: input.enrolmentID,
            kind: input.kind, code: input.code, performed: input.performed, performer: user.actor,
            anatomicalSite: input.anatomicalSite, laterality: input.laterality, imagingGuidance: input.imagingGuidance,
            anaesthesia: input.anaesthesia, sourceTissue: input.sourceTissue, volumeML: input.volumeML,
            cellProductID: input.cellProductID, outcome: input.outcome, note: input.note)
        // The protocol's limits, the autologous rule, and a released lot for an injection: the same rules as the web form.
        let stored = try await dependencies.cellTherapy.recordProcedure(
            procedure, deviation: input.deviation, now: dependencies.clock.now(), context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.procedures.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }
}
