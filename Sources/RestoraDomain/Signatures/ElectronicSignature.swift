import Foundation

/// What can be signed (issue #16 item 3): the path segment of the record's API route is the raw value, so a
/// target reads like its URL (`visits/v-1`). REFERENCE.md H2 (OpenClinica signs an event or a whole casebook).
public enum SignedRecordKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A whole casebook: the enrolment and every record of it (docs/signatures.md "What a signature covers").
    case casebook = "enrolments"
    /// One visit and the records taken at it.
    case visit = "visits"
    /// An eligibility decision: one screening.
    case eligibility = "screenings"
    /// A release decision: one cell product (lot) with its release tests and custody.
    case release = "cell-products"

    /// The record kind in words ("casebook", "visit", …) for messages and pages.
    public var noun: String {
        switch self {
        case .casebook: return "casebook"
        case .visit: return "visit"
        case .eligibility: return "eligibility decision"
        case .release: return "release decision"
        }
    }
}

/// The record a signature is applied to.
public struct SignatureTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    public var kind: SignedRecordKind
    public var id: String

    public init(kind: SignedRecordKind, id: String) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind.rawValue)/\(id)" }
}

/// The meaning of a signature, REFERENCE.md H1 (21 CFR 11.50(a)(3): "such as review, approval, responsibility,
/// or authorship"). Exactly these four; the text shown with the signature is `statement`.
public enum SignatureMeaning: String, Hashable, Sendable, Codable, CaseIterable {
    case review, approval, responsibility, authorship

    /// The words shown with a signature on pages and in exports.
    public var statement: String {
        switch self {
        case .review: return "I have reviewed this record"
        case .approval: return "I approve this record"
        case .responsibility: return "I take responsibility for this record"
        case .authorship: return "I am the author of this record"
        }
    }
}

/// Where a signature stands. Stored: `valid` or `voided`; `invalidated` is computed on every read, when the
/// signed content's SHA-256 no longer matches the records as stored (REFERENCE.md H1, 11.70).
public enum SignatureStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Applied, and the records it covers are unchanged since.
    case valid
    /// A record it covers changed after signing: the signature no longer vouches for the content; sign again.
    case invalidated
    /// Withdrawn by an audited action (an admin unlocking the record, REFERENCE.md H2); never valid again.
    case voided
}

/// One electronic signature (21 CFR 11.50, 11.70, 11.200; REFERENCE.md H1), appended to
/// `electronic_signatures` (migration 0044) and never edited except to be voided.
public struct ElectronicSignature: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<ElectronicSignature>
    public var target: SignatureTarget
    /// The participant the signed record belongs to (its site scopes the signature).
    public var participantID: Identifier<Participant>
    /// The enrolment the signed record belongs to, when it has one (a visit's, a casebook's own).
    public var enrolmentID: Identifier<Enrolment>?
    /// The signer's user id and role.
    public var signer: Actor
    /// The signer's user name at signing.
    public var signerUsername: String
    /// 11.50(a)(1): the printed name of the signer, copied at signing (a later rename does not change it).
    public var printedName: String
    /// 11.50(a)(3).
    public var meaning: SignatureMeaning
    /// 11.50(a)(2): the date and time of signing, UTC.
    public var signedAt: Date
    /// 11.70: SHA-256 (64 lower-case hex digits) of the signed content as stored at signing.
    public var contentHash: String
    /// `valid` or `voided` as stored; reads turn `valid` into `invalidated` when the content changed.
    public var status: SignatureStatus
    public var voidedAt: Date?
    public var voidedBy: Actor?
    public var voidReason: String?

    public init(
        id: Identifier<ElectronicSignature>, target: SignatureTarget, participantID: Identifier<Participant>,
        enrolmentID: Identifier<Enrolment>?, signer: Actor, signerUsername: String, printedName: String, meaning: SignatureMeaning,
        signedAt: Date, contentHash: String, status: SignatureStatus = .valid, voidedAt: Date? = nil, voidedBy: Actor? = nil,
        voidReason: String? = nil
    ) {
        self.id = id
        self.target = target
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.signer = signer
        self.signerUsername = signerUsername
        self.printedName = printedName
        self.meaning = meaning
        self.signedAt = signedAt
        self.contentHash = contentHash
        self.status = status
        self.voidedAt = voidedAt
        self.voidedBy = voidedBy
        self.voidReason = voidReason
    }
}

/// Electronic signatures (migration 0044). Every write is audited in the participant's site chain; the
/// hash of the signed content is computed by storage from the rows as stored (docs/signatures.md). Usable
/// inside a transaction (`repositories.transaction { tx in tx.signatures … }`).
public protocol SignatureRepository: Sendable {
    /// The SHA-256 (hex) of the content `target` covers as stored now; `RepositoryError.notFound` when the
    /// record does not exist. Reads the rows inside the caller's transaction when called on `tx.signatures`.
    func contentHash(of target: SignatureTarget) async throws -> String
    /// Appends a signature (status valid). Audited.
    func create(_ signature: ElectronicSignature, context: AuditContext) async throws -> Versioned<ElectronicSignature>
    /// The signatures of `target`, oldest first, each with its status as of now (valid, invalidated, voided).
    func list(target: SignatureTarget) async throws -> [Versioned<ElectronicSignature>]
    /// Every signature on the participant's records, oldest first, with statuses as of now (the participant page).
    func list(participant: Identifier<Participant>) async throws -> [Versioned<ElectronicSignature>]
    /// Every signature of these participants, oldest first, with statuses as of now (exports).
    func list(participants: [Identifier<Participant>]) async throws -> [Versioned<ElectronicSignature>]
    /// Voids every signature of `target` that is not already voided (valid or invalidated): one audited update
    /// each, with `reason`. Returns how many. Used by LOCK's unlock (REFERENCE.md H2: unlocking voids the
    /// e-signature).
    func void(target: SignatureTarget, reason: String, context: AuditContext) async throws -> Int
}
