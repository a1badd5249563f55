import Foundation
import Hummingbird
import RestoraDomain

/// Autologous cell products of a participant and their chain of custody (appended, never rewritten).
struct CellProductController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct ProductInput: Decodable {
        var lot: String
        var enrolmentID: Identifier<Enrolment>?
        var sourceTissue: String
        var harvestProcedureID: Identifier<Procedure>?
        var totalCells: Double?
        var viableCells: Double?
        var viabilityPercent: Double?
    }

    struct CustodyInput: Decodable {
        var kind: CustodyEvent.Kind
        var at: Date
        var location: String?
        var note: String?
    }

    static let sourceTissues: Set<String> = ["bone-marrow-aspirate", "adipose-lipoaspirate"]

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.createCellProduct, use: create)
        group.on(.cellProducts, use: list)
        group.on(.appendCustody, use: custody)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let input = try await request.decodeJSON(ProductInput.self, limit: config.maxBodyBytes)
        let lot = input.lot.trimmingCharacters(in: .whitespaces)
        guard !lot.isEmpty else { throw DomainError.invalidValue(field: "lot", message: "a lot number is required") }
        guard Self.sourceTissues.contains(input.sourceTissue) else {
            throw DomainError.invalidValue(field: "sourceTissue", message: "use bone-marrow-aspirate or adipose-lipoaspirate")
        }
        if let viability = input.viabilityPercent, !(0...100).contains(viability) {
            throw DomainError.invalidValue(field: "viabilityPercent", message: "viability is a percentage from 0 to 100")
        }
        let product = CellProduct(
            id: Identifier(dependencies.ids.next()), lot: lot, participantID: participant.value.id, enrolmentID: input.enrolmentID,
            sourceTissue: input.sourceTissue, harvestProcedureID: input.harvestProcedureID, totalCells: input.totalCells,
            viableCells: input.viableCells, viabilityPercent: input.viabilityPercent)
        let stored = try await dependencies.cellTherapy.registerProduct(product, context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: repositories)
        let items = try await repositories.cellProducts.list(participant: participant.value.id)
        return try JSONResponse.make(items.map { VersionedResponse(value: $0) })
    }

    @Sendable func custody(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<CellProduct>(try context.parameters.require("id"))
        let expected = try request.expectedVersion()
        let product = try await repositories.cellProducts.get(id).value
        _ = try await Access.participant(product.participantID, for: user, in: repositories)
        let input = try await request.decodeJSON(CustodyInput.self, limit: config.maxBodyBytes)
        guard input.at <= dependencies.clock.now().addingTimeInterval(300) else {
            throw DomainError.invalidValue(field: "at", message: "a custody event cannot be in the future")
        }
        if let last = product.custody.last, input.at < last.at {
            throw DomainError.invalidValue(field: "at", message: "custody events are recorded in time order")
        }
        let event = CustodyEvent(kind: input.kind, at: input.at, actor: user.actor, location: input.location, note: input.note)
        let stored = try await repositories.cellProducts.appendCustody(event, to: id, expectedVersion: expected, context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
