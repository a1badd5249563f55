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

    static let undecided: Set<CellProduct.ReleaseStatus> = [.inProcess, .quarantine]

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("cell-products/:id/release-decision", use: decide)
    }

    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let id = Identifier<CellProduct>(try context.parameters.require("id"))
        var product = try await repositories.cellProducts.get(id).value
        _ = try await Access.participant(product.participantID, for: user, in: repositories)
        guard user.role == .investigator else {
            throw APIError.forbidden("only an investigator decides the release of a cell product")
        }
        let expected = try request.expectedVersion()
        let input = try await request.decodeJSONIfPresent(DecisionInput.self, limit: config.maxBodyBytes)
        guard Self.undecided.contains(product.releaseStatus) else {
            throw DomainError.illegalTransition(from: product.releaseStatus.rawValue, to: "released",
                                                message: "the release of this product is already decided")
        }
        let tests = input?.releaseTests ?? product.releaseTests
        let (specification, source) = try await specification(for: product)
        let decision = try specification.evaluate(tests, specificationSource: source)
        switch decision.outcome {
        case .released: product.releaseStatus = .released
        case .rejected: product.releaseStatus = .rejected
        case .cannotDecide: throw DomainError.invalidValue(field: "releaseTests", message: decision.summary)
        }
        product.releaseTests = tests
        product.releaseDecision = decision
        let stored = try await repositories.cellProducts.update(
            product, expectedVersion: expected, context: context.audit(user, reason: "release decision: \(decision.summary)"))
        return try JSONResponse.make(VersionedResponse(value: stored), version: stored.version)
    }

    private func specification(for product: CellProduct) async throws -> (ReleaseSpecification, String) {
        let fallback = (ReleaseSpecification.isct2006Default, "built-in ISCT 2006 defaults")
        guard let enrolmentID = product.enrolmentID else { return fallback }
        let enrolment = try await repositories.enrolments.get(enrolmentID).value
        let program = try await repositories.programs.get(enrolment.programID).value
        let definition = try dependencies.catalog.definition(id: program.protocolID)
        guard let release = definition.release else { return fallback }
        return (release, "protocol \(definition.id)")
    }
}
