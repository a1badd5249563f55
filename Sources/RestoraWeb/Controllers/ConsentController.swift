import Foundation
import HTTPTypes
import Hummingbird
import RestoraDomain

/// E-consent over the JSON API (issue #16 item 2, docs/consent.md). Each door calls the same domain service as
/// the web forms and the demo seeder: `ConsentDocuments` (issue a version), `ConsentEntry` (record a consent),
/// `ConsentWithdrawals` (withdraw, with its consequences); the gate itself sits in `EnrolmentTransitions`.
/// Documents belong to a program and are readable by every signed-in user; consents and withdrawals are the
/// participant's records: another site's enrolment is 404.
struct ConsentController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    /// The upload body: the file as base64 (JSON), so one content type serves every route of the API.
    struct DocumentInput: Decodable {
        var title: String
        var fileName: String
        var mediaType: String?
        var contentBase64: String
        var witnessRequired: Bool?
        var note: String?
    }

    /// A document as the API shows it, with whether it is the program's current version and where to download it.
    struct DocumentJSON: Encodable {
        var document: ConsentDocument
        var version: Int
        var current: Bool
        var url: String
        /// The file itself, base64 (only when one version is read: `GET /consent-documents/{id}`).
        var contentBase64: String?

        init(_ stored: Versioned<ConsentDocument>, current: Bool, content: Data? = nil) {
            document = stored.value
            version = stored.version
            self.current = current
            url = APIRoute.consentDocument.path(stored.value.id.rawValue)
            contentBase64 = content?.base64EncodedString()
        }

        func encode(to encoder: Encoder) throws {
            try document.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(version, forKey: .version)
            try c.encode(current, forKey: .current)
            try c.encode(url, forKey: .url)
            try c.encodeIfPresent(contentBase64, forKey: .contentBase64)
        }

        private enum Key: String, CodingKey { case version, current, url, contentBase64 }
    }

    struct WithdrawalJSON: Encodable {
        var withdrawal: VersionedResponse<ConsentWithdrawal>
        var enrolment: VersionedResponse<Enrolment>
    }

    /// The base64 body of a 10 MB file and its fields fit in this.
    static let documentBodyLimit = ConsentDocuments.maxBytes / 3 * 4 + 64 * 1024

    func register(on group: RouterGroup<AppRequestContext>) {
        group.on(.issueConsentDocument, use: issue)
        group.on(.consentDocuments, use: documents)
        group.on(.consentDocument, use: document)
        group.on(.recordConsent, use: record)
        group.on(.consents, use: list)
        group.on(.withdrawConsent, use: withdraw)
        group.on(.consentWithdrawals, use: withdrawals)
        group.on(.reconsentTasks, use: tasks)
    }

    @Sendable func issue(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        try ConsentDocuments.requireIssuer(user.actor)
        let program = Identifier<Program>(try context.parameters.require("id"))
        let input = try await request.decodeJSON(DocumentInput.self, limit: Self.documentBodyLimit)
        guard let bytes = Data(base64Encoded: input.contentBase64, options: .ignoreUnknownCharacters) else {
            throw DomainError.invalidValue(field: "contentBase64", message: "contentBase64 is not valid base64")
        }
        let stored = try await ConsentDocuments(repositories: repositories).issue(
            ConsentDocuments.Input(title: input.title, fileName: input.fileName, mediaType: input.mediaType, content: bytes,
                                   witnessRequired: input.witnessRequired ?? false, note: input.note),
            program: program, id: Identifier(dependencies.ids.next()), at: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(DocumentJSON(stored, current: true), status: .created, version: stored.version)
    }

    @Sendable func documents(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let program = try await repositories.programs.get(Identifier(try context.parameters.require("id")))
        let documents = try await repositories.consents.documents(program: program.value.id)
        let current = documents.last?.value.id
        return try JSONResponse.make(documents.map { DocumentJSON($0, current: $0.value.id == current) })
    }

    /// One version with its file as base64 (the bytes checked against the SHA-256 by the repository).
    @Sendable func document(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let id = Identifier<ConsentDocument>(try context.parameters.require("id"))
        let stored = try await repositories.consents.document(id)
        let latest = try await repositories.consents.documents(program: stored.value.programID).last?.value.id
        let content = try await repositories.consents.content(of: id)
        return try JSONResponse.make(DocumentJSON(stored, current: latest == id, content: content), version: stored.version)
    }

    /// The document's bytes (checked against its SHA-256 by the repository), with its type, name and hash.
    static func download(_ id: Identifier<ConsentDocument>, repositories: Repositories) async throws -> Response {
        let document = try await repositories.consents.document(id).value
        let bytes = try await repositories.consents.content(of: id)
        let type = document.mediaType == .text ? "text/plain; charset=utf-8" : "application/pdf"
        let safeName = document.fileName.filter { $0 != "\"" && !$0.isNewline }
        guard let digest = HTTPField.Name("Repr-Digest") else { throw HTTPError(.internalServerError) }
        return Response(status: .ok, headers: [
            .contentType: type, .contentLength: String(bytes.count),
            .contentDisposition: "attachment; filename=\"\(safeName)\"",
            digest: "sha-256=:\(Data(hexBytes(document.sha256)).base64EncodedString()):",
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Bytes from the stored lower-case hex digest.
    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), next > index, let byte = UInt8(hex[index..<next], radix: 16) {
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// The enrolment, if the user may see it (404 for another site's).
    func visibleEnrolment(_ context: AppRequestContext, user: UserAccount) async throws -> Versioned<Enrolment> {
        let id = Identifier<Enrolment>(try context.parameters.require("id"))
        let enrolment = try await repositories.enrolments.get(id)
        try Access.requireSite(user, enrolment.value.siteID, kind: "enrolment", id: id.rawValue)
        return enrolment
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let enrolment = try await visibleEnrolment(context, user: user)
        try Access.requireWriter(user)
        let input = try await request.decodeJSON(ConsentEntry.Input.self, limit: config.maxBodyBytes)
        let stored = try await ConsentEntry(repositories: repositories).record(
            input, enrolment: enrolment.value.id, id: Identifier(dependencies.ids.next()), now: dependencies.clock.now(),
            context: context.audit(user), idempotencyKey: request.idempotencyKey)
        return try JSONResponse.make(VersionedResponse(value: stored), status: .created, version: stored.version)
    }

    /// The enrolment's consents, oldest first.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let enrolment = try await visibleEnrolment(context, user: user)
        return try JSONResponse.make(try await repositories.consents.consents(enrolment: enrolment.value.id).map { VersionedResponse(value: $0) })
    }

    /// The enrolment's withdrawals of consent, oldest first.
    @Sendable func withdrawals(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let enrolment = try await visibleEnrolment(context, user: user)
        return try JSONResponse.make(try await repositories.consents.withdrawals(enrolment: enrolment.value.id).map { VersionedResponse(value: $0) })
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let user = try context.requireUser()
        let enrolment = try await visibleEnrolment(context, user: user)
        try Access.requireWriter(user)
        let expected = try request.expectedVersion()
        let input = try await request.decodeJSON(ConsentWithdrawals.Input.self, limit: config.maxBodyBytes)
        let outcome = try await ConsentWithdrawals(repositories: repositories).withdraw(
            input, enrolment: enrolment.value.id, expectedVersion: expected, id: Identifier(dependencies.ids.next()),
            now: dependencies.clock.now(), context: context.audit(user))
        return try JSONResponse.make(WithdrawalJSON(withdrawal: VersionedResponse(value: outcome.withdrawal),
                                                    enrolment: VersionedResponse(value: outcome.enrolment)),
                                     status: .created, version: outcome.enrolment.version)
    }

    @Sendable func tasks(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let limit = min(max(Int(request.uri.queryParameters["limit"].map(String.init) ?? "") ?? 100, 1), 1000)
        return try JSONResponse.make(try await repositories.consents.reconsentTasks(sites: Access.visibleSites(user), limit: limit).tasks)
    }
}
