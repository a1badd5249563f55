import Crypto
import Foundation
import Hummingbird
import RestoraDomain

/// The web door of electronic signatures (issue #16 item 3, docs/signatures.md): `GET /signatures/{kind}/{id}`
/// shows the record's signatures and the signing form; `POST` signs through `Signing`, as the JSON API does.
///
/// 21 CFR 11.200(a)(1) (REFERENCE.md H1): the first signing in a web session asks for the user name AND the
/// password; later signings in the same session the password only. "The same session" is the session cookie's
/// token: `SigningSessions` remembers (in memory, as a SHA-256 of the token) the sessions that have signed once.
/// A server restart forgets them, which only means the user name is asked again (the stricter side).
struct SignaturePagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    /// Password re-entries count against the sign-in limits (`SignInGuard.reauthenticating`).
    let signInGuard: SignInGuard
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.signRecord) { request, context in
            let user = try PageAccess.user(request, context)
            let target = try Self.target(context)
            let owner = try await SignatureController.visibleOwner(target, for: user, in: repositories)
            let session = SessionCookie.token(in: request.headers)
            return HTMLResponse.html(try await page(target, owner: owner, user: user, context: context, session: session, state: FormState()))
        }
        router.post(PageRoute.signRecord) { request, context in try await sign(request, context) }
    }

    static func lockedOutMessage(retryAfter: Int) -> String {
        let wait = retryAfter <= 90 ? "\(retryAfter) seconds" : "\((retryAfter + 59) / 60) minutes"
        return "Too many wrong passwords for this account or from this computer. For your protection, signing and "
            + "sign-in are paused: try again in \(wait). Nothing was signed."
    }

    static func target(_ context: AppRequestContext) throws -> SignatureTarget {
        guard let kind = SignedRecordKind(rawValue: try context.parameters.require("kind")) else { throw APIError.notFound }
        return SignatureTarget(kind: kind, id: try context.parameters.require("id"))
    }

    func sign(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
        let target = try Self.target(context)
        let owner = try await SignatureController.visibleOwner(target, for: user, in: repositories)
        let session = SessionCookie.token(in: request.headers)
        let firstInSession = await !SigningSessions.shared.hasSigned(session)
        var state = FormState(form: form)
        guard let meaning = form["meaning"].flatMap(SignatureMeaning.init(rawValue:)) else {
            state.errors["meaning"] = "choose the meaning of your signature"
            return HTMLResponse.html(try await page(target, owner: owner, user: user, context: context, session: session, state: state),
                                     status: .unprocessableContent)
        }
        do {
            let client = ClientAddress.of(request, context, trustForwardedFor: config.trustForwardedFor)
            let outcome = try await signInGuard.reauthenticating(user, passwordGiven: !(form["password"] ?? "").isEmpty, client: client, requestID: context.requestID) {
                try await Signing(repositories: repositories).sign(
                    target, meaning: meaning, signer: user,
                    credentials: .init(username: firstInSession ? (form["username"] ?? "") : nil, password: form["password"] ?? ""),
                    id: Identifier(dependencies.ids.next()), at: dependencies.clock.now(), context: context.audit(user))
            }
            if case let .lockedOut(retryAfter) = outcome {
                state.general = [Self.lockedOutMessage(retryAfter: retryAfter)]
                state.form = form.removing("password")
                var response = HTMLResponse.html(
                    try await page(target, owner: owner, user: user, context: context, session: session, state: state), status: .tooManyRequests)
                response.headers[SessionController.retryAfter] = String(retryAfter)
                return response
            }
        } catch let error as DomainError {
            switch error {
            case let .invalidValue(field, message): state.errors[field] = message; state.general = field == "fullName" ? [message] : []
            default: state.general = [error.description]
            }
            state.form = form.removing("password")
            return HTMLResponse.html(try await page(target, owner: owner, user: user, context: context, session: session, state: state),
                                     status: error.isConflict ? .conflict : .unprocessableContent)
        } catch let error as RoleRefusal {
            state.general = [error.description]
            return HTMLResponse.html(try await page(target, owner: owner, user: user, context: context, session: session, state: state),
                                     status: .forbidden)
        }
        await SigningSessions.shared.markSigned(session)
        return HTMLResponse.redirect(WebPath.participant(owner.participantID) + "#signatures")
    }

    func page(
        _ target: SignatureTarget, owner: Signing.Owner, user: UserAccount, context: AppRequestContext, session: String?, state: FormState
    ) async throws -> Node {
        let signatures = try await repositories.signatures.list(target: target)
        let firstInSession = await !SigningSessions.shared.hasSigned(session)
        return SignaturePage.view(target: target, owner: owner, signatures: signatures, user: user, firstInSession: firstInSession,
                                  context: context, state: state)
    }
}

/// The sessions (SHA-256 of the session token) that have signed once: later signings ask for the password only.
actor SigningSessions {
    static let shared = SigningSessions()
    private var signed: Set<String> = []

    func hasSigned(_ token: String?) -> Bool { token.map { signed.contains(Self.key($0)) } ?? false }

    func markSigned(_ token: String?) {
        guard let token else { return }
        if signed.count > 100_000 { signed.removeAll() }  // bounded; forgetting only asks for the user name again
        signed.insert(Self.key(token))
    }

    static func key(_ token: String) -> String { Data(SHA256.hash(data: Data(token.utf8))).base64EncodedString() }
}

extension PageRoute {
    static let signRecord = PageRoute("/signatures/:kind/:id")
}

extension DomainError {
    var isConflict: Bool { if case .illegalTransition = self { return true } else { return false } }
}

extension FormData {
    /// The form without one field (a password is never echoed back into a page).
    func removing(_ name: String) -> FormData {
        var copy = self
        copy.values[name] = nil
        return copy
    }
}

/// The signing page: the record, its signatures with their status, and the form (11.50 statement of meaning,
/// the credentials 11.200 asks for).
enum SignaturePage {
    static func view(
        target: SignatureTarget, owner: Signing.Owner, signatures: [Versioned<ElectronicSignature>], user: UserAccount,
        firstInSession: Bool, context: AppRequestContext, state: FormState
    ) -> Node {
        let title = "Sign \(SignatureWords.record(target))"
        return Layout.page(title: title, context: context) {
            el("h1") { title }
            el("p") { el("a", ["href": WebPath.participant(owner.participantID) + "#signatures"]) { "Back to the participant" } }
            Layout.section("record-signatures", "Signatures of this record") { SignatureWords.table(signatures, showRecord: false) }
            if user.role == .investigator {
                Layout.section("sign", "Sign") {
                    Forms.generalErrors(state)
                    el("form", ["method": "post", "action": PageRoute.signRecord.path(target.kind.rawValue, target.id), "id": "sign-form"]) {
                        Forms.csrf(context)
                        el("p", ["class": "hint"]) {
                            "Your signature will show your printed name (\(user.fullName ?? "none set: ask an administrator")), "
                                + "the date and time in UTC and its meaning. It covers the record as stored now; any later change "
                                + "invalidates it (21 CFR 11.50, 11.70)."
                        }
                        Forms.select("meaning", label: "Meaning", options: SignatureMeaning.allCases.map { ($0.rawValue, "\($0.rawValue): \($0.statement)") },
                                     state: state, required: true)
                        if firstInSession {
                            el("p", ["class": "hint", "id": "first-signing"]) {
                                "First signature in this session: enter your user name and password (21 CFR 11.200(a)(1))."
                            }
                            Forms.input("username", label: "User name", state: state, required: true)
                        }
                        Forms.input("password", label: "Password", type: "password", state: state, required: true, value: "")
                        Forms.submit("Sign", id: "sign")
                    }
                }
            } else {
                el("p", ["class": "empty"]) { "Only an investigator signs records." }
            }
        }
    }
}

/// Words and the table of signatures shared by the signing page and the participant page.
enum SignatureWords {
    static func record(_ target: SignatureTarget) -> String { "\(target.kind.noun) \(target.id)" }

    static func status(_ s: ElectronicSignature) -> String {
        switch s.status {
        case .valid: return "valid"
        case .invalidated: return "INVALIDATED: the record changed after signing; sign again"
        case .voided: return "voided \(s.voidedAt.map(DeviationText.instant) ?? "") (\(s.voidReason ?? "no reason"))"
        }
    }

    static func table(_ signatures: [Versioned<ElectronicSignature>], showRecord: Bool, label: (SignatureTarget) -> String = record) -> Node {
        guard !signatures.isEmpty else { return Layout.empty("Not signed.") }
        return el("table", ["class": "signatures"]) {
            el("thead") {
                el("tr") {
                    if showRecord { el("th") { "Record" } }
                    el("th") { "Printed name" }; el("th") { "Meaning" }; el("th") { "Signed (UTC)" }; el("th") { "Status" }
                }
            }
            el("tbody") {
                signatures.map { stored in
                    let s = stored.value
                    return el("tr", ["class": "signature signature-\(s.status.rawValue)", "id": "signature-\(s.id.rawValue)"]) {
                        if showRecord { el("td") { label(s.target) } }
                        el("td", ["class": "printed-name"]) { s.printedName }
                        el("td", ["class": "meaning"]) { "\(s.meaning.rawValue): \(s.meaning.statement)" }
                        el("td", ["class": "signed-at"]) { DeviationText.instant(s.signedAt) }
                        el("td", ["class": "signature-status"]) { status(s) }
                    }
                }
            }
        }
    }
}
