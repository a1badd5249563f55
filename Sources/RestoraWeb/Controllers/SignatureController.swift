import Foundation
import Hummingbird
import RestoraDomain

/// Electronic signatures over the JSON API (issue #16 item 3, docs/signatures.md). `POST …/{id}/signatures`
/// with `meaning` and `password` (21 CFR 11.200(a)(1): the API re-checks the password on EVERY signing; there is
/// no session to remember an earlier one), 201 with the signature; `GET` lists the record's signatures with their
/// status as of now. Another site's record is 404; a role other than investigator 403 (`Signing`); a wrong
/// password 422 naming `password`, recorded as a security event, nothing signed; too many wrong passwords 429
/// with Retry-After, the same limits as sign-in.
struct SignatureController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    /// Password re-entries count against the sign-in limits (`SignInGuard.reauthenticating`).
    let signInGuard: SignInGuard
    var repositories: Repositories { dependencies.repositories }

    struct SignBody: Decodable {
        var meaning: SignatureMeaning
        var password: String
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        // One line per route, each naming its APIRoute (scripts/ci/contract.sh reads the names of these calls).
        group.on(.signEnrolment) { request, context in try await self.sign(.casebook, request, context) }
        group.on(.enrolmentSignatures) { request, context in try await self.list(.casebook, request, context) }
        group.on(.signVisit) { request, context in try await self.sign(.visit, request, context) }
        group.on(.visitSignatures) { request, context in try await self.list(.visit, request, context) }
        group.on(.signScreening) { request, context in try await self.sign(.eligibility, request, context) }
        group.on(.screeningSignatures) { request, context in try await self.list(.eligibility, request, context) }
        group.on(.signCellProduct) { request, context in try await self.sign(.release, request, context) }
        group.on(.cellProductSignatures) { request, context in try await self.list(.release, request, context) }
    }

    func sign(_ kind: SignedRecordKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let target = SignatureTarget(kind: kind, id: try context.parameters.require("id"))
        let signing = Signing(repositories: repositories)
        try await Self.requireVisible(target, for: user, signing: signing, in: repositories)
        let body = try await request.decodeJSON(SignBody.self, limit: config.maxBodyBytes)
        let client = ClientAddress.of(request, context, trustForwardedFor: config.trustForwardedFor)
        let outcome = try await signInGuard.reauthenticating(user, passwordGiven: !body.password.isEmpty, client: client, requestID: context.requestID) {
            try await signing.sign(
                target, meaning: body.meaning, signer: user, credentials: .init(password: body.password),
                id: Identifier(dependencies.ids.next()), at: dependencies.clock.now(), context: context.audit(user))
        }
        switch outcome {
        case let .done(stored): return try JSONResponse.make(SignatureJSON(stored), status: .created, version: stored.version)
        case let .lockedOut(retryAfter): return try SessionController.tooManyAttempts(retryAfter: retryAfter, context: context)
        }
    }

    func list(_ kind: SignedRecordKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let target = SignatureTarget(kind: kind, id: try context.parameters.require("id"))
        try await Self.requireVisible(target, for: user, signing: Signing(repositories: repositories), in: repositories)
        return try JSONResponse.make(try await repositories.signatures.list(target: target).map(SignatureJSON.init))
    }

    /// The target's participant must be one of the user's sites: 404 otherwise, like the record itself.
    static func requireVisible(_ target: SignatureTarget, for user: UserAccount, signing: Signing, in repositories: Repositories) async throws {
        _ = try await visibleOwner(target, for: user, in: repositories)
    }

    /// The target's owner, when the user may see it (404 otherwise).
    static func visibleOwner(_ target: SignatureTarget, for user: UserAccount, in repositories: Repositories) async throws -> Signing.Owner {
        let owner = try await Signing(repositories: repositories).owner(of: target)
        let participant = try await repositories.participants.get(owner.participantID)
        try Access.requireSite(user, participant.value.siteID, kind: target.kind.noun, id: target.id)
        return owner
    }
}

/// A signature as the API shows it: 11.50's printed name, UTC time and meaning (with its statement), the
/// content hash, and the status as of now.
struct SignatureJSON: Encodable {
    var id: String
    var recordKind: String
    var recordID: String
    var participantID: String
    var enrolmentID: String?
    var printedName: String
    var signerUsername: String
    var signerUserID: String
    var signerRole: String?
    var meaning: String
    var statement: String
    var signedAt: Date
    var contentHash: String
    var status: String
    var voidedAt: Date?
    var voidedBy: String?
    var voidReason: String?
    var version: Int

    init(_ stored: Versioned<ElectronicSignature>) {
        let s = stored.value
        id = s.id.rawValue
        recordKind = s.target.kind.rawValue
        recordID = s.target.id
        participantID = s.participantID.rawValue
        enrolmentID = s.enrolmentID?.rawValue
        printedName = s.printedName
        signerUsername = s.signerUsername
        signerUserID = s.signer.userID
        signerRole = s.signer.role
        meaning = s.meaning.rawValue
        statement = s.meaning.statement
        signedAt = s.signedAt
        contentHash = s.contentHash
        status = s.status.rawValue
        voidedAt = s.voidedAt
        voidedBy = s.voidedBy?.userID
        voidReason = s.voidReason
        version = stored.version
    }
}
