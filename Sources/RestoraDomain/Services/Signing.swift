import Foundation

/// Electronic signatures on records (issue #16 item 3, docs/signatures.md; REFERENCE.md H1). The one way every
/// door (JSON API, web form) signs, and what record locking asks before it locks (`hasValidSignature`).
///
/// Rules, each from REFERENCE.md H1 / H2:
/// - Only an investigator signs (H2: the investigator is responsible for the data; issue #16 item 3).
/// - 11.200(a)(1): every signing re-checks the password against the signed-in account; the first signing of a
///   web session also re-enters the user name (`Credentials.username`), which must be the signed-in user's. The
///   door decides whether the user name is required (web: first signing in the session; API: never, but the
///   password every time).
/// - 11.300: a failed re-authentication is appended to the audit trail as a security event
///   (`signature_reauthentication_failed`), never with the password; nothing is signed.
/// - 11.50(a): the signature stores the printed name (the account's full name), the date and time (UTC) and the
///   meaning; an account without a printed name cannot sign.
/// - 11.70: it stores the SHA-256 of the signed content as stored, computed in the signing transaction.
public struct Signing: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// The rule a refusal names when someone other than an investigator signs.
    public static let signerRule = "an electronic signature on a record is applied by an investigator"

    /// What the signer re-enters.
    public struct Credentials: Sendable {
        /// Required by the web door on the first signing of a session (11.200(a)(1)); nil otherwise.
        public var username: String?
        public var password: String

        public init(username: String? = nil, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// The record a target names: whose participant it is (for the caller's site check) and its enrolment.
    public struct Owner: Hashable, Sendable {
        public var participantID: Identifier<Participant>
        public var enrolmentID: Identifier<Enrolment>?
    }

    /// Whom `target` belongs to; `RepositoryError.notFound` for an unknown record.
    public func owner(of target: SignatureTarget, in repositories: Repositories? = nil) async throws -> Owner {
        let repositories = repositories ?? self.repositories
        switch target.kind {
        case .casebook:
            let enrolment = try await repositories.enrolments.get(Identifier(target.id)).value
            return Owner(participantID: enrolment.participantID, enrolmentID: enrolment.id)
        case .visit:
            let visit = try await repositories.visits.get(Identifier(target.id)).value
            let enrolment = try await repositories.enrolments.get(visit.enrolmentID).value
            return Owner(participantID: enrolment.participantID, enrolmentID: enrolment.id)
        case .eligibility:
            let screening = try await repositories.screenings.get(Identifier(target.id)).value
            return Owner(participantID: screening.participantID, enrolmentID: screening.enrolmentID)
        case .release:
            let lot = try await repositories.cellProducts.get(Identifier(target.id)).value
            return Owner(participantID: lot.participantID, enrolmentID: lot.enrolmentID)
        }
    }

    /// Signs `target` as `signer` with `meaning`, after re-authenticating with `credentials`. One transaction:
    /// the content hash is taken from the rows as stored in it, and the signature is appended with its audit
    /// entry. A wrong user name or password: `DomainError.invalidValue` (field `password` or `username`, 422),
    /// a security event recorded, nothing signed.
    public func sign(
        _ target: SignatureTarget, meaning: SignatureMeaning, signer: UserAccount, credentials: Credentials,
        id: Identifier<ElectronicSignature>, at signedAt: Date, context: AuditContext
    ) async throws -> Versioned<ElectronicSignature> {
        try RoleRefusal.requireInvestigator(signer.actor, rule: Self.signerRule, doing: "sign a \(target.kind.noun)")
        guard let printedName = signer.fullName?.trimmingCharacters(in: .whitespacesAndNewlines), !printedName.isEmpty else {
            throw DomainError.invalidValue(
                field: "fullName",
                message: "your account has no printed name, which a signature must show (21 CFR 11.50); ask an administrator to set it")
        }
        try await reauthenticate(signer, credentials, context: context)
        let owner = try await owner(of: target)
        return try await repositories.transaction { tx in
            let signatures = try await tx.signatures.list(target: target)
            if signatures.contains(where: { $0.value.status == .valid && $0.value.signer.userID == signer.id.rawValue && $0.value.meaning == meaning }) {
                throw DomainError.illegalTransition(
                    from: "signed", to: "signed",
                    message: "you have already signed this \(target.kind.noun) with the meaning \(meaning.rawValue), and that signature is still valid")
            }
            let hash = try await tx.signatures.contentHash(of: target)
            let signature = ElectronicSignature(
                id: id, target: target, participantID: owner.participantID, enrolmentID: owner.enrolmentID, signer: signer.actor,
                signerUsername: signer.username, printedName: printedName, meaning: meaning, signedAt: signedAt, contentHash: hash)
            var audit = context
            audit.reason = audit.reason ?? "electronic signature (\(meaning.rawValue)) of \(target.kind.noun) \(target.id)"
            return try await tx.signatures.create(signature, context: audit)
        }
    }

    /// 11.200(a)(1) and 11.300: the password (and, when given, the user name) must be the signer's own; a failure
    /// is appended as a security event naming the account and the reason, and refused with the field at fault.
    private func reauthenticate(_ signer: UserAccount, _ credentials: Credentials, context: AuditContext) async throws {
        if let username = credentials.username {
            guard !username.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw DomainError.invalidValue(field: "username", message: "the first signing of a session needs your user name and password (21 CFR 11.200)")
            }
        }
        guard !credentials.password.isEmpty else {
            throw DomainError.invalidValue(field: "password", message: "your password is required to sign (21 CFR 11.200)")
        }
        var failure: (field: String, why: String)?
        if let username = credentials.username, username != signer.username {
            failure = ("username", "user name is not the signed-in user's")
        } else if try await repositories.users.authenticate(username: signer.username, password: credentials.password)?.id != signer.id {
            failure = ("password", "wrong password")
        }
        guard let failure else { return }
        let event = SecurityEvent(kind: "signature_reauthentication_failed", subject: "account:\(signer.id.rawValue)",
                                  details: ["reason": failure.why])
        try await repositories.users.recordSecurityEvent(event, context: context)
        let message = failure.field == "username"
            ? "the user name is not the one you signed in with; nothing was signed"
            : "the password is not correct; nothing was signed"
        throw DomainError.invalidValue(field: failure.field, message: message)
    }

    /// Whether `target` carries at least one signature that is neither voided nor invalidated by a later change
    /// of its content. Call it with the transaction's repositories (`tx`) so the answer holds for the write that
    /// follows (record locking: REFERENCE.md H2, a casebook is locked after investigator sign-off).
    public func hasValidSignature(_ target: SignatureTarget, in tx: Repositories) async throws -> Bool {
        try await tx.signatures.list(target: target).contains { $0.value.status == .valid }
    }
}
