import Foundation

/// A person who did the public pre-screening and chose to leave contact details for the clinic. Nothing is
/// stored for someone who does not: the questionnaire result is computed and shown, never kept. The
/// candidate keeps their answers and the sorting the person saw, the consent they gave and when.
public struct PrescreenCandidate: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case new, contacted, closed

        public var label: String {
            switch self {
            case .new: return "New"
            case .contacted: return "Contacted"
            case .closed: return "Closed"
            }
        }
    }

    public var id: Identifier<PrescreenCandidate>
    /// The program whose clinic receives the details (its sites decide which staff see the candidate).
    public var programID: Identifier<Program>
    public var protocolID: String
    public var questionnaireVersion: String
    public var submittedAt: Date
    public var verdict: PrescreenResult.Verdict
    /// Every answer with its sorting and the sentence shown.
    public var findings: [PrescreenFinding]
    public var contactName: String
    /// An email address or a phone number, as validated by `PrescreenContact`.
    public var contact: String
    public var contactKind: PrescreenContact.Kind
    public var consentGivenAt: Date
    /// The consent sentence the person ticked (the wording can change; what they agreed to stays with them).
    public var consentText: String
    public var status: Status
    /// The participant this candidate was registered as (issue #14), once registered.
    public var participantID: Identifier<Participant>?

    public init(
        id: Identifier<PrescreenCandidate>, programID: Identifier<Program>, result: PrescreenResult,
        contact: PrescreenContact, submittedAt: Date, consentText: String, status: Status = .new
    ) {
        self.id = id
        self.programID = programID
        self.protocolID = result.protocolID
        self.questionnaireVersion = result.questionnaireVersion
        self.submittedAt = submittedAt
        self.verdict = result.verdict
        self.findings = result.findings
        self.contactName = contact.name
        self.contact = contact.contact
        self.contactKind = contact.kind
        self.consentGivenAt = submittedAt
        self.consentText = consentText
        self.status = status
    }

    /// One line for the clinic's list: how many answers sorted where.
    public var summary: String {
        let count = { (bucket: PrescreenFinding.Bucket) in findings.filter { $0.bucket == bucket }.count }
        return "\(count(.fits)) fit, \(count(.rulesOut)) rule out, \(count(.needsVisit)) need a visit"
    }
}

/// Contact details a person typed, checked: a name, and an email address or a phone number that looks
/// real, and the consent box ticked. Problems come back per field, in plain words.
public struct PrescreenContact: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case email, phone
    }

    public var name: String
    public var contact: String
    public var kind: Kind

    public static let maximumNameLength = 200
    public static let consentText = "I agree that the clinic stores my answers, my name and my contact details to contact me about the program."

    /// Field name → message for everything wrong, or the checked details.
    public static func validate(name: String?, contact: String?, consent: Bool) -> Result<PrescreenContact, PrescreenFieldErrors> {
        var errors: [String: String] = [:]
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let contact = (contact ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            errors["name"] = "Please enter your name, so the clinic knows whom to ask for."
        } else if name.count > maximumNameLength {
            errors["name"] = "Please enter a name of at most \(maximumNameLength) characters."
        }
        var kind: Kind?
        if contact.isEmpty {
            errors["contact"] = "Please enter an email address or a phone number."
        } else if let found = Self.kind(of: contact) {
            kind = found
        } else {
            errors["contact"] = "This does not look like an email address (name@example.org) or a phone number (at least 7 digits)."
        }
        if !consent {
            errors["consent"] = "Please tick the box to agree that the clinic stores your details; without it nothing is sent."
        }
        guard errors.isEmpty, let kind else { return .failure(PrescreenFieldErrors(errors)) }
        return .success(PrescreenContact(name: name, contact: contact, kind: kind))
    }

    /// Email: one `@`, something before it, a dotted domain after it, no spaces. Phone: digits with the
    /// usual separators (space, `-`, `.`, `(`, `)`, a leading `+`), 7 to 15 digits (E.164 allows 15).
    public static func kind(of text: String) -> Kind? {
        guard text.count <= 254 else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count == 2 {
            let local = parts[0], domain = parts[1]
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            guard !local.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }),
                  labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), (labels.last?.count ?? 0) >= 2
            else { return nil }
            return .email
        }
        guard parts.count == 1 else { return nil }
        let allowed = Set("0123456789 -.()")
        let body = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard body.allSatisfy({ allowed.contains($0) }) else { return nil }
        let digits = body.filter(\.isNumber).count
        return (7...15).contains(digits) ? .phone : nil
    }
}

/// Pre-screened candidates: created from the public page (with an idempotency key, so a double submit
/// stores one), listed for the clinic newest first, moved through new → contacted → closed by staff.
public protocol PrescreenCandidateRepository: Sendable {
    func create(_ candidate: PrescreenCandidate, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<PrescreenCandidate>
    func get(_ id: Identifier<PrescreenCandidate>) async throws -> Versioned<PrescreenCandidate>
    /// Newest first. `programs` nil = every program (admins); otherwise only candidates of those programs.
    func list(programs: Set<Identifier<Program>>?) async throws -> [Versioned<PrescreenCandidate>]
    func updateStatus(
        _ id: Identifier<PrescreenCandidate>, to status: PrescreenCandidate.Status, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<PrescreenCandidate>
    /// Records that the candidate was registered as `participant` (set once; audited).
    func link(
        _ id: Identifier<PrescreenCandidate>, to participant: Identifier<Participant>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<PrescreenCandidate>
}

extension Actor {
    /// Who stores a candidate that a member of the public submitted (no account, no identity).
    public static let publicPrescreen = Actor(userID: "public-prescreen", role: "public")
}
