import Foundation

/// Where an enrolment stands with consent, judged from its program's documents, its consent records and its
/// withdrawals (pure; docs/consent.md). The gate (`ConsentGate`) admits a move into consented or enrolled only on
/// `.valid`; the dashboard lists `.reconsentNeeded` as a task.
public enum ConsentState: Hashable, Sendable {
    /// The program has no consent document issued: nothing to sign, not gated (docs/consent.md, a decision).
    case noDocument
    /// A document is issued but this enrolment has no consent recorded.
    case missing(current: Int)
    /// Signed on the program's current version and not withdrawn.
    case valid(ConsentRecord)
    /// The latest consent is on an older version than the current one: the participant must sign again.
    case reconsentNeeded(signed: ConsentRecord, current: Int)
    /// Consent was withdrawn (the widest scope withdrawn); a withdrawal stands for good.
    case withdrawn(ConsentWithdrawal)

    public static func judge(documents: [ConsentDocument], consents: [ConsentRecord], withdrawals: [ConsentWithdrawal]) -> ConsentState {
        if let widest = withdrawals.max(by: { ($0.scope.rank, $0.withdrawnAt) < ($1.scope.rank, $1.withdrawnAt) }) {
            return .withdrawn(widest)
        }
        guard let current = documents.map(\.documentVersion).max() else { return .noDocument }
        guard let latest = consents.max(by: { ($0.documentVersion, $0.signedAt) < ($1.documentVersion, $1.signedAt) }) else {
            return .missing(current: current)
        }
        return latest.documentVersion >= current ? .valid(latest) : .reconsentNeeded(signed: latest, current: current)
    }

    /// The state in words, for pages and the API (`code` is stable, `text` is read by people).
    public var code: String {
        switch self {
        case .noDocument: "no-document"
        case .missing: "missing"
        case .valid: "valid"
        case .reconsentNeeded: "reconsent-needed"
        case .withdrawn: "withdrawn"
        }
    }

    public var text: String {
        switch self {
        case .noDocument: "no consent document issued for this program"
        case let .missing(current): "no consent recorded; the current document is version \(current)"
        case let .valid(record): "consented on version \(record.documentVersion)"
        case let .reconsentNeeded(signed, current): "re-consent needed: signed version \(signed.documentVersion), current is version \(current)"
        case let .withdrawn(w): "consent withdrawn: \(w.scope.label)"
        }
    }
}

/// One participant who must sign the program's new consent version (the dashboard's re-consent task, per site and
/// participant): an active enrolment whose latest consent is on an older version, or who has none on record.
public struct ReconsentTask: Hashable, Sendable, Codable {
    public var enrolmentID: Identifier<Enrolment>
    public var participantID: Identifier<Participant>
    public var siteID: Identifier<Site>
    public var programID: Identifier<Program>
    public var status: EnrolmentStatus
    /// The version last signed (nil: none on record).
    public var signedVersion: Int?
    public var currentVersion: Int

    public init(
        enrolmentID: Identifier<Enrolment>, participantID: Identifier<Participant>, siteID: Identifier<Site>, programID: Identifier<Program>,
        status: EnrolmentStatus, signedVersion: Int?, currentVersion: Int
    ) {
        self.enrolmentID = enrolmentID
        self.participantID = participantID
        self.siteID = siteID
        self.programID = programID
        self.status = status
        self.signedVersion = signedVersion
        self.currentVersion = currentVersion
    }
}

/// The dashboard's re-consent tasks: the first `limit` and the total.
public struct ReconsentTaskPage: Hashable, Sendable, Codable {
    public var tasks: [ReconsentTask]
    public var total: Int

    public init(tasks: [ReconsentTask], total: Int) {
        self.tasks = tasks
        self.total = total
    }
}

/// Consent documents, consent records and withdrawals (migration 0043). Documents are site-less (a program's,
/// audited in the site-less chain) and their bytes are stored beside them; records and withdrawals are the
/// participant's clinical records (their site's chain). All appended, never edited or deleted.
public protocol ConsentRepository: Sendable {
    /// Stores `document` as the program's next version with its bytes; storage numbers the version and computes
    /// the SHA-256 and byte count. One transaction, audited.
    func issue(_ document: ConsentDocument, content: Data, context: AuditContext) async throws -> Versioned<ConsentDocument>
    /// The program's versions, oldest first.
    func documents(program: Identifier<Program>) async throws -> [Versioned<ConsentDocument>]
    /// Every program's documents (the dashboard: which programs have none).
    func allDocuments() async throws -> [Versioned<ConsentDocument>]
    func document(_ id: Identifier<ConsentDocument>) async throws -> Versioned<ConsentDocument>
    /// The document's bytes, checked against its SHA-256 (a mismatch is an integrity error, never served).
    func content(of id: Identifier<ConsentDocument>) async throws -> Data

    func record(_ consent: ConsentRecord, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<ConsentRecord>
    func consents(enrolment: Identifier<Enrolment>) async throws -> [Versioned<ConsentRecord>]
    func consents(participant: Identifier<Participant>) async throws -> [Versioned<ConsentRecord>]

    func withdraw(_ withdrawal: ConsentWithdrawal, context: AuditContext) async throws -> Versioned<ConsentWithdrawal>
    func withdrawals(enrolment: Identifier<Enrolment>) async throws -> [Versioned<ConsentWithdrawal>]
    func withdrawals(participant: Identifier<Participant>) async throws -> [Versioned<ConsentWithdrawal>]

    /// Active enrolments (consented to follow-up, not withdrawn from consent) whose latest consent is older than
    /// their program's current version, or missing; `sites` nil = every site. Computed in the database.
    /// At most `limit`, oldest enrolment first, with how many there are in all.
    func reconsentTasks(sites: Set<Identifier<Site>>?, limit: Int) async throws -> ReconsentTaskPage
    /// The participants of a program who withdrew consent to the use of their data, and when (exports leave them out).
    func dataUseWithdrawals(program: Identifier<Program>) async throws -> [Identifier<Participant>: Date]
}
