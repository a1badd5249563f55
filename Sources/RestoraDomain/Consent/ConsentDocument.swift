import Foundation

/// One version of a program's informed-consent document (issue #16 item 2, docs/consent.md): the file as the
/// ethics committee approved it (plain text or PDF), identified by its SHA-256 so that what a participant signed
/// can be proven byte for byte. Versions of a program are numbered 1, 2, 3 … in the order issued; a version is
/// never edited — a new version supersedes it, and the program's CURRENT version is the highest number.
/// Informed consent before any trial procedure is a GCP duty of the investigator (ICH E6, REFERENCE.md H2); the
/// document is an electronic record whose history is kept (21 CFR 11.10(e), REFERENCE.md H1).
public struct ConsentDocument: Hashable, Sendable, Codable, Identifiable {
    /// The file types a consent document may be (checked by the table too).
    public enum MediaType: String, Hashable, Sendable, Codable, CaseIterable {
        case text = "text/plain"
        case pdf = "application/pdf"

        public var fileExtension: String { self == .pdf ? "pdf" : "txt" }
    }

    public var id: Identifier<ConsentDocument>
    public var programID: Identifier<Program>
    /// 1, 2, 3 … per program, given by storage on issue (the next number).
    public var documentVersion: Int
    public var title: String
    public var mediaType: MediaType
    /// The uploaded file's name (shown and used for download).
    public var fileName: String
    /// SHA-256 of the file's bytes, 64 lower-case hex digits (computed by storage from the bytes it stores).
    public var sha256: String
    public var byteCount: Int
    /// Whether a consent on this version needs an impartial witness's name (e.g. a participant who cannot read,
    /// or remote consent by a local rule). Decided per version by who issues it (REFERENCE.md H2, value U).
    public var witnessRequired: Bool
    /// What changed from the previous version, in words (optional).
    public var note: String?
    public var issuedBy: Actor
    public var issuedAt: Date

    public init(
        id: Identifier<ConsentDocument>, programID: Identifier<Program>, documentVersion: Int = 0, title: String, mediaType: MediaType,
        fileName: String, sha256: String = "", byteCount: Int = 0, witnessRequired: Bool, note: String? = nil,
        issuedBy: Actor, issuedAt: Date
    ) {
        self.id = id
        self.programID = programID
        self.documentVersion = documentVersion
        self.title = title
        self.mediaType = mediaType
        self.fileName = fileName
        self.sha256 = sha256
        self.byteCount = byteCount
        self.witnessRequired = witnessRequired
        self.note = note
        self.issuedBy = issuedBy
        self.issuedAt = issuedAt
    }
}

/// A participant's signed consent on one document version (issue #16 item 2): who signed (the name as written
/// on the form), when, how (in person or remote), the witness when the version requires one, and who recorded
/// it. Appended, never edited: a correction is a new consent record (docs/consent.md).
public struct ConsentRecord: Hashable, Sendable, Codable, Identifiable {
    public enum Method: String, Hashable, Sendable, Codable, CaseIterable {
        case inPerson = "in-person"
        case remote

        public var label: String { self == .inPerson ? "in person" : "remote" }
    }

    public var id: Identifier<ConsentRecord>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>
    public var programID: Identifier<Program>
    public var documentID: Identifier<ConsentDocument>
    public var documentVersion: Int
    /// The signed version's SHA-256, copied so the record names the exact bytes signed.
    public var documentSHA256: String
    /// The participant's (or legally acceptable representative's) name as signed.
    public var signerName: String
    public var signedAt: Date
    public var method: Method
    public var witnessName: String?
    public var recordedBy: Actor
    public var recordedAt: Date

    public init(
        id: Identifier<ConsentRecord>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>,
        programID: Identifier<Program>, documentID: Identifier<ConsentDocument>, documentVersion: Int, documentSHA256: String,
        signerName: String, signedAt: Date, method: Method, witnessName: String? = nil, recordedBy: Actor, recordedAt: Date
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.programID = programID
        self.documentID = documentID
        self.documentVersion = documentVersion
        self.documentSHA256 = documentSHA256
        self.signerName = signerName
        self.signedAt = signedAt
        self.method = method
        self.witnessName = witnessName
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// A participant withdrew consent, in part or in full (issue #16 item 2). The scopes nest: withdrawing
/// follow-up also ends treatment, withdrawing the use of data also ends follow-up. Consequences
/// (`ConsentWithdrawals`, docs/consent.md): `treatment` → the study treatment stops, follow-up continues;
/// `followUp` → the enrolment is withdrawn, data collected so far are kept and analysed; `dataUse` → the enrolment
/// is withdrawn and the participant is left out of research data exports made from then on.
public struct ConsentWithdrawal: Hashable, Sendable, Codable, Identifiable {
    public enum Scope: String, Hashable, Sendable, Codable, CaseIterable {
        case treatment
        case followUp = "follow-up"
        case dataUse = "data-use"

        public var label: String {
            switch self {
            case .treatment: "treatment only (follow-up continues)"
            case .followUp: "treatment and follow-up (leaves the study)"
            case .dataUse: "treatment, follow-up and use of data"
            }
        }

        /// How far a scope reaches: a wider scope covers the narrower ones.
        public var rank: Int {
            switch self {
            case .treatment: 1
            case .followUp: 2
            case .dataUse: 3
            }
        }
    }

    public var id: Identifier<ConsentWithdrawal>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>
    public var scope: Scope
    /// When the participant withdrew (as they told the site).
    public var withdrawnAt: Date
    /// The participant's reason, if they gave one (they need not: ICH E6, REFERENCE.md H2).
    public var reason: String?
    public var recordedBy: Actor
    public var recordedAt: Date

    public init(
        id: Identifier<ConsentWithdrawal>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>, scope: Scope,
        withdrawnAt: Date, reason: String? = nil, recordedBy: Actor, recordedAt: Date
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.scope = scope
        self.withdrawnAt = withdrawnAt
        self.reason = reason
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}
