import Foundation
import Hummingbird
import RestoraDomain

/// The randomisation API (issue #16 item 1, docs/randomisation.md "In the system").
struct RandomisationController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var door: RandomisationDoor { RandomisationDoor(dependencies: dependencies) }

    struct RandomiseInput: Decodable {
        /// The enrolment's version (or an `If-Match` header).
        var expectedVersion: Int?
        /// factor id → level, for every factor the protocol names.
        var factors: [String: String]?
        var reason: String?
        /// An investigator's protocol deviation, when a gate of the move to enrolled refuses (issue #14).
        var deviation: DeviationInput?
    }

    struct UnblindInput: Decodable {
        var reason: String?
    }

    /// The answer to a randomisation: the allocation as the user may see it, and the enrolment's new version.
    struct RandomisedResponse: Encodable {
        var allocation: AllocationDisclosure
        var enrolmentVersion: Int
        var enrolmentStatus: EnrolmentStatus
        var deviationID: String?

        func encode(to encoder: any Encoder) throws {
            try allocation.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(enrolmentVersion, forKey: .enrolmentVersion)
            try c.encode(enrolmentStatus, forKey: .enrolmentStatus)
            try c.encodeIfPresent(deviationID, forKey: .deviationID)
        }

        private enum Key: String, CodingKey { case enrolmentVersion, enrolmentStatus, deviationID }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.randomise, use: randomise)
        group.on(.randomisation, use: show)
        group.on(.unblind, use: unblind)
        group.on(.randomisationReport, use: report)
    }

    @Sendable func randomise(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let input = try await request.decodeJSON(RandomiseInput.self, limit: config.maxBodyBytes)
        let expected: Int
        if let version = input.expectedVersion {
            expected = version
        } else if request.headers[.ifMatch] != nil {
            expected = try request.expectedVersion()
        } else {
            throw DomainError.invalidValue(field: "expectedVersion", message: "the enrolment's version is required (expectedVersion or If-Match)")
        }
        let (outcome, view) = try await door.randomise(
            id, factors: input.factors ?? [:], expectedVersion: expected, reason: input.reason, deviation: input.deviation,
            user: user, context: context)
        let body = RandomisedResponse(allocation: view, enrolmentVersion: outcome.enrolment.version,
                                      enrolmentStatus: outcome.enrolment.value.status, deviationID: outcome.deviation?.value.id.rawValue)
        return try JSONResponse.make(body, status: .created, version: outcome.enrolment.version)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let enrolment = try await door.enrolment(id, user: user)
        guard let view = try await door.disclosure(of: enrolment.value, user: user) else {
            throw RepositoryError.notFound(kind: "randomisation of enrolment", id: id)
        }
        return try JSONResponse.make(view)
    }

    @Sendable func unblind(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let input = try await request.decodeJSON(UnblindInput.self, limit: config.maxBodyBytes)
        let view = try await door.unblind(id, reason: input.reason, user: user, context: context)
        return try JSONResponse.make(view, status: .created)
    }

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try JSONResponse.make(try await door.report(try context.parameters.require("id"), user: user))
    }
}
