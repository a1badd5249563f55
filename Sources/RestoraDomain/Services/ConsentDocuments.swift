import Foundation

/// Issuing a program's consent document version (issue #16 item 2, docs/consent.md): the one way the JSON API,
/// the web upload form and the demo seeder take. An admin or an investigator issues it (ICH E6: the investigator
/// obtains informed consent on the approved document, REFERENCE.md H2); the file is plain UTF-8 text or a PDF,
/// at most `maxBytes`; storage numbers the version (the program's next) and records its SHA-256. Issuing a
/// version makes every active participant consented on an older one a re-consent task (`ConsentRepository
/// .reconsentTasks`) until they sign it.
public struct ConsentDocuments: Sendable {
    public let repositories: Repositories

    /// The largest consent file accepted: 10 MB (a configurable default, value U — a long PDF with images fits).
    public static let maxBytes = 10 * 1024 * 1024
    /// Roles that issue a consent document.
    public static let issuerRoles: Set<String> = ["admin", "investigator"]
    public static let issuerRule = "a consent document is issued by an admin or an investigator"

    public init(repositories: Repositories) { self.repositories = repositories }

    /// What a door sends: the file's bytes and its description. `mediaType` may be left out (read from the bytes).
    public struct Input: Sendable {
        public var title: String
        public var fileName: String
        public var mediaType: String?
        public var content: Data
        public var witnessRequired: Bool
        public var note: String?

        public init(title: String, fileName: String, mediaType: String? = nil, content: Data, witnessRequired: Bool, note: String? = nil) {
            self.title = title
            self.fileName = fileName
            self.mediaType = mediaType
            self.content = content
            self.witnessRequired = witnessRequired
            self.note = note
        }
    }

    public static func requireIssuer(_ actor: Actor) throws {
        guard let role = actor.role, issuerRoles.contains(role) else {
            throw RoleRefusal(rule: issuerRule, message: "only an admin or an investigator may issue a consent document; you are signed in as \(actor.role ?? "an unknown role")")
        }
    }

    public func issue(
        _ input: Input, program programID: Identifier<Program>, id: Identifier<ConsentDocument>, at: Date, context: AuditContext
    ) async throws -> Versioned<ConsentDocument> {
        try Self.requireIssuer(context.actor)
        _ = try await repositories.programs.get(programID)
        let document = try Self.validated(input, program: programID, id: id, at: at, actor: context.actor)
        return try await repositories.consents.issue(document, content: input.content, context: context)
    }

    /// The document to store, or a refusal naming the field at fault (nothing written).
    static func validated(
        _ input: Input, program: Identifier<Program>, id: Identifier<ConsentDocument>, at: Date, actor: Actor
    ) throws -> ConsentDocument {
        let title = try ConsentText.required(input.title, field: "title", max: 200)
        let fileName = try ConsentText.required(input.fileName, field: "fileName", max: 200)
        guard !fileName.contains("/"), !fileName.contains("\\"), !fileName.hasPrefix(".") else {
            throw DomainError.invalidValue(field: "fileName", message: "a file name without folders and not starting with a dot, e.g. consent-v2.pdf")
        }
        guard !input.content.isEmpty else {
            throw DomainError.invalidValue(field: "content", message: "the consent document file is empty")
        }
        guard input.content.count <= maxBytes else {
            throw DomainError.invalidValue(field: "content", message: "the file has \(input.content.count) bytes; a consent document may have at most \(maxBytes)")
        }
        let sniffed = try sniff(input.content)
        if let given = input.mediaType?.trimmingCharacters(in: .whitespaces), !given.isEmpty {
            guard let type = ConsentDocument.MediaType(rawValue: given) else {
                throw DomainError.invalidValue(field: "mediaType", message: "mediaType must be text/plain or application/pdf")
            }
            guard type == sniffed else {
                throw DomainError.invalidValue(field: "mediaType", message: "the file is \(sniffed.rawValue), not \(type.rawValue)")
            }
        }
        let note = try ConsentText.optional(input.note, field: "note", max: 2000)
        return ConsentDocument(id: id, programID: program, title: title, mediaType: sniffed, fileName: fileName,
                               byteCount: input.content.count, witnessRequired: input.witnessRequired, note: note,
                               issuedBy: actor, issuedAt: at)
    }

    /// A PDF starts with `%PDF-`; anything else must be UTF-8 text without NUL bytes.
    static func sniff(_ content: Data) throws -> ConsentDocument.MediaType {
        if content.starts(with: Array("%PDF-".utf8)) { return .pdf }
        guard !content.contains(0), String(data: content, encoding: .utf8) != nil else {
            throw DomainError.invalidValue(field: "content", message: "a consent document is a PDF or plain UTF-8 text; this file is neither")
        }
        return .text
    }
}

/// Text fields of the consent forms: trimmed, required or optional, bounded.
enum ConsentText {
    static func required(_ text: String, field: String, max: Int) throws -> String {
        guard let value = try optional(text, field: field, max: max) else {
            throw DomainError.invalidValue(field: field, message: "\(field) is required")
        }
        return value
    }

    static func optional(_ text: String?, field: String, max: Int) throws -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        guard trimmed.count <= max else {
            throw DomainError.invalidValue(field: field, message: "\(field) has \(trimmed.count) characters; at most \(max)")
        }
        return trimmed
    }

    /// An instant as typed: ISO 8601 with a zone (`2026-03-01T09:30:00Z`, `+01:00`), or a form's local
    /// `2026-03-01T09:30` read as UTC. Nil or blank: `default`.
    static func instant(_ text: String?, field: String, default fallback: Date) throws -> Date {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return fallback }
        let withZone = ISO8601DateFormatter()
        if let date = withZone.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        for suffix in [":00Z", "Z"] where text.count <= 19 {
            if let date = withZone.date(from: text + suffix) { return date }
        }
        throw DomainError.invalidValue(field: field, message: "\(field) must be a date and time such as 2026-03-01T09:30:00Z (UTC)")
    }
}
