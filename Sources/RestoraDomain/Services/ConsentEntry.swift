import Foundation

/// Recording a participant's signed consent on an enrolment (issue #16 item 2, docs/consent.md): the one way the
/// JSON API, the web form and the demo seeder take. Site staff who write clinical data record it (admin,
/// investigator, coordinator); the consent is on the program's CURRENT document version (a superseded version is
/// refused: the participant reads and signs what the ethics committee approved last); the witness's name is
/// required when that version says so; the signing time is not in the future.
/// Recording does not move the enrolment: the move to consented is a transition, which the consent gate admits
/// (`ConsentGate`). ICH E6 (REFERENCE.md H2): consent is obtained and documented before participation; the record
/// is audited (21 CFR 11.10(e), REFERENCE.md H1).
public struct ConsentEntry: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) { self.repositories = repositories }

    public static let recorderRoles: Set<String> = ["admin", "investigator", "coordinator"]
    /// How far ahead of the server's clock a signing time may be (clock skew of the recording device).
    public static let futureTolerance: TimeInterval = 5 * 60

    /// What a door sends, as typed (JSON body or form fields).
    public struct Input: Codable, Sendable {
        /// The version signed; nil = the program's current one.
        public var documentVersion: Int?
        public var signerName: String
        /// ISO 8601; nil or blank = now.
        public var signedAt: String?
        public var method: String
        public var witnessName: String?

        public init(documentVersion: Int? = nil, signerName: String, signedAt: String? = nil, method: String, witnessName: String? = nil) {
            self.documentVersion = documentVersion
            self.signerName = signerName
            self.signedAt = signedAt
            self.method = method
            self.witnessName = witnessName
        }
    }

    public func record(
        _ input: Input, enrolment enrolmentID: Identifier<Enrolment>, id: Identifier<ConsentRecord>, now: Date,
        context: AuditContext, idempotencyKey: String?
    ) async throws -> Versioned<ConsentRecord> {
        guard let role = context.actor.role, Self.recorderRoles.contains(role) else {
            throw RoleRefusal(rule: "consent is recorded by site staff (admin, investigator, coordinator)",
                              message: "the \(context.actor.role ?? "unknown") role cannot record a consent")
        }
        return try await repositories.transaction { tx in
            let enrolment = try await tx.enrolments.get(enrolmentID).value
            guard !enrolment.status.isTerminal else {
                throw DomainError.illegalTransition(from: enrolment.status.rawValue, to: "consent",
                                                    message: "the enrolment is \(enrolment.status.rawValue); a consent can no longer be recorded on it")
            }
            let withdrawals = try await tx.consents.withdrawals(enrolment: enrolmentID)
            if let withdrawn = withdrawals.first {
                throw DomainError.illegalTransition(from: "withdrawn", to: "consent",
                                                    message: "consent was withdrawn (\(withdrawn.value.scope.label)); a withdrawal stands, a new consent cannot be recorded on this enrolment")
            }
            let documents = try await tx.consents.documents(program: enrolment.programID).map(\.value)
            guard let current = documents.max(by: { $0.documentVersion < $1.documentVersion }) else {
                throw DomainError.invalidValue(field: "documentVersion", message: "this program has no consent document issued; issue one first")
            }
            let version = input.documentVersion ?? current.documentVersion
            guard let document = documents.first(where: { $0.documentVersion == version }) else {
                throw DomainError.invalidValue(field: "documentVersion", message: "this program has no consent document version \(version); the current one is \(current.documentVersion)")
            }
            guard document.documentVersion == current.documentVersion else {
                throw DomainError.invalidValue(field: "documentVersion", message: "version \(version) is superseded by version \(current.documentVersion); the participant signs the current version")
            }
            let signer = try ConsentText.required(input.signerName, field: "signerName", max: 200)
            guard let method = ConsentRecord.Method(rawValue: input.method.trimmingCharacters(in: .whitespaces)) else {
                throw DomainError.invalidValue(field: "method", message: "method must be in-person or remote")
            }
            let signedAt = try ConsentText.instant(input.signedAt, field: "signedAt", default: now)
            guard signedAt <= now.addingTimeInterval(Self.futureTolerance) else {
                throw DomainError.invalidValue(field: "signedAt", message: "signedAt is in the future")
            }
            // No lower bound from the version's upload time: a site may upload the approved version after paper
            // consents on it were signed (the upload is not the approval; docs/consent.md).
            let witness = try ConsentText.optional(input.witnessName, field: "witnessName", max: 200)
            if document.witnessRequired, witness == nil {
                throw DomainError.invalidValue(field: "witnessName", message: "version \(document.documentVersion) requires a witness; give the witness's name")
            }
            let existing = try await tx.consents.consents(enrolment: enrolmentID)
            if existing.contains(where: { $0.value.documentVersion == document.documentVersion }), idempotencyKey == nil {
                throw DomainError.illegalTransition(from: "consented", to: "consent",
                                                    message: "this enrolment already has a consent on version \(document.documentVersion)")
            }
            let record = ConsentRecord(
                id: id, participantID: enrolment.participantID, enrolmentID: enrolmentID, programID: enrolment.programID,
                documentID: document.id, documentVersion: document.documentVersion, documentSHA256: document.sha256, signerName: signer,
                signedAt: signedAt, method: method, witnessName: witness, recordedBy: context.actor, recordedAt: now)
            return try await tx.consents.record(record, context: context, idempotencyKey: idempotencyKey)
        }
    }
}

/// The consent gate (issue #16 item 2; called by `EnrolmentTransitions` inside its transaction): a move into
/// consented or enrolled needs a valid consent — on the program's current document version, not withdrawn; a
/// move into on-treatment is refused once consent to treatment was withdrawn. A program with no consent document
/// issued is not gated (docs/consent.md: existing programs keep working; the dashboard names them). Unlike the
/// eligibility gate, no protocol deviation lets a move through: without consent there is no participation
/// (ICH E6, REFERENCE.md H2).
public struct ConsentGate: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) { self.repositories = repositories }

    public static let gated: Set<EnrolmentStatus> = [.consented, .enrolled]
    public static let rule = "consent gate: a valid consent on the program's current consent document version"
    public static let treatmentRule = "consent gate: no treatment after consent to treatment was withdrawn"

    /// The enrolment's consent state, read through `repositories` (a transaction's, inside one).
    public func state(of enrolment: Enrolment) async throws -> ConsentState {
        let consents = repositories.consents
        return ConsentState.judge(
            documents: try await consents.documents(program: enrolment.programID).map(\.value),
            consents: try await consents.consents(enrolment: enrolment.id).map(\.value),
            withdrawals: try await consents.withdrawals(enrolment: enrolment.id).map(\.value))
    }

    /// Throws `DomainError.protocolRule` (field `to`) when the move is refused; nothing is written by the caller.
    public func check(moving enrolment: Enrolment, to target: EnrolmentStatus) async throws {
        if target == .onTreatment {
            if case let .withdrawn(w) = try await state(of: enrolment) {
                throw DomainError.protocolRule(rule: Self.treatmentRule, field: "to",
                                               message: "starting treatment needs consent: it was withdrawn (\(w.scope.label))")
            }
            return
        }
        guard Self.gated.contains(target) else { return }
        let what = StatusWord.label(target)
        switch try await state(of: enrolment) {
        case .noDocument, .valid: return
        case let .missing(current):
            throw DomainError.protocolRule(rule: Self.rule, field: "to",
                                           message: "\(what) needs a signed consent on consent document version \(current); record the consent first")
        case let .reconsentNeeded(signed, current):
            throw DomainError.protocolRule(rule: Self.rule, field: "to",
                                           message: "\(what) needs a consent on the current version \(current); the participant signed version \(signed.documentVersion) and must re-consent")
        case let .withdrawn(w):
            throw DomainError.protocolRule(rule: Self.rule, field: "to", message: "\(what) is refused: consent was withdrawn (\(w.scope.label))")
        }
    }
}
