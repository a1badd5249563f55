import Foundation
import Hummingbird
import RestoraDomain

/// The participant page's SDV forms (`POST /participants/{id}/sdv`: `recordKind` + `recordID` [+ `field`], or
/// `visitID`), through the same call as `POST /api/v1/participants/{id}/sdv` (`SDVController.verify`). Success
/// returns to the page's SDV section; a refused input answers 422 naming the field, nothing written; site staff
/// 403; another site's participant 404.
struct SDVPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post(PageRoute.verifySourcePage, use: verify)
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let participant = try await Access.participant(Identifier(try context.parameters.require("id")), for: user, in: dependencies.repositories)
        let input = SDVController.VerifyInput(recordKind: form["recordKind"], recordID: form["recordID"], field: form["field"],
                                              visitID: form["visitID"], note: form["note"])
        _ = try await SDVController.verify(input, participant: participant.value.id, user: user, context: context, dependencies: dependencies)
        return HTMLResponse.redirect(WebPath.participant(participant.value.id) + "#sdv")
    }
}
