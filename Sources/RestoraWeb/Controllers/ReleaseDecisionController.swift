import Foundation
import Hummingbird
import RestoraDomain

/// The release decision of a cell product: its release tests judged against the release specification of
/// the program's protocol (the ISCT 2006 defaults when the protocol has none, or the product no enrolment).
/// The decision, the tests it judged and the new status (released or rejected) are one audited update
/// under If-Match. Only an investigator decides.
struct ReleaseDecisionController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    struct DecisionInput: Decodable {
        /// The results to judge; the product's stored results when absent. They are stored with the decision.
        var releaseTests: ReleaseTestResults?
    }

    /// Release-test results entered before the decision (the web form's counterpart).
    struct TestsInput: Decodable {
        var releaseTests: ReleaseTestResults
        /// Required when results already entered change.
        var reason: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.decideRelease, use: decide)
        group.on(.recordReleaseTests, use: recordTests)
    }

    /// Stores the results under If-Match (a lot in process moves to quarantine); writers at the lot's site.
    @Sendable func recordTests(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try Access.requireWriter(user)
        let id = Identifier<CellProduct>(try context.parameters.require("id"))
        let product = try await repositories.cellProducts.get(id).value
        _ = try await Access.participant(product.participantID, for: user, in: repositories)
        let expected = try request.expectedVersion()
        let input = try await request.decodeJSON(TestsInput.self, limit: config.maxBodyBytes)
        let stored = try await dependencies.cellTherapy.recordReleaseTests(
            input.releaseTests, product: id, expectedVersion: expected, at: dependencies.clock.now(),
            context: context.audit(user, reason: input.reason))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = Identifier<CellProduct>(try context.parameters.require("id"))
        let product = try await repositories.cellProducts.get(id).value
        _ = try await Access.participant(product.participantID, for: user, in: repositories)
        guard user.role == .investigator else {
            throw APIError.forbidden("only an investigator decides the release of a cell product")
        }
        let expected = try request.expectedVersion()
        let input = try await request.decodeJSONIfPresent(DecisionInput.self, limit: config.maxBodyBytes)
        let stored = try await dependencies.cellTherapy.decideRelease(
            product: id, tests: input?.releaseTests, expectedVersion: expected, at: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }
}
