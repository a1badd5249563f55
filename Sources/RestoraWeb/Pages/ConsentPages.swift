import Foundation
import Hummingbird
import RestoraDomain

/// The web doors of e-consent (issue #16 item 2, docs/consent.md), calling the same services as the JSON API:
/// - `GET /programs/{id}/consent`: the program's consent document versions (current marked, SHA-256, download)
///   and, for admins and investigators, the upload form (`POST`, multipart/form-data) that issues the next version;
/// - `GET /consent-documents/{id}/file`: the file itself, checked against its SHA-256;
/// - `POST /enrolments/{id}/consent` and `/consent-withdrawal`: the forms of the participant page's consent section.
/// A refusal shows the error page with the service's message (field and rule named), nothing written.
struct ConsentPagesController {
    let dependencies: WebDependencies
    let config: WebConfiguration
    var repositories: Repositories { dependencies.repositories }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get(PageRoute.consentDocumentsPage) { request, context in
            let user = try PageAccess.user(request, context)
            let program = try await repositories.programs.get(Identifier(try context.parameters.require("id"))).value
            let documents = try await repositories.consents.documents(program: program.id)
            return HTMLResponse.html(ConsentPages.documents(program, documents, mayIssue: ConsentPages.mayIssue(user), context: context))
        }
        router.post(PageRoute.consentDocumentsPage) { request, context in try await upload(request, context) }
        router.get(PageRoute.consentDocumentFilePage) { request, context in
            _ = try PageAccess.user(request, context)
            return try await ConsentController.download(Identifier(try context.parameters.require("id")), repositories: repositories)
        }
        router.post(PageRoute.recordConsentPage) { request, context in
            let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
            let enrolment = try await visibleEnrolment(context, user: user)
            let input = ConsentEntry.Input(documentVersion: form["documentVersion"].flatMap { Int($0) }, signerName: form.typed("signerName"),
                                           signedAt: form["signedAt"], method: form.typed("method"), witnessName: form["witnessName"])
            _ = try await ConsentEntry(repositories: repositories).record(
                input, enrolment: enrolment.value.id, id: Identifier(dependencies.ids.next()), now: dependencies.clock.now(),
                context: context.audit(user), idempotencyKey: form["_nonce"].map { "consent-form-\($0)" })
            return HTMLResponse.redirect(WebPath.participant(enrolment.value.participantID) + "#consent")
        }
        router.post(PageRoute.withdrawConsentPage) { request, context in
            let (user, form) = try await PageAccess.post(request, context, limit: config.maxBodyBytes)
            let enrolment = try await visibleEnrolment(context, user: user)
            let input = ConsentWithdrawals.Input(scope: form.typed("scope"), withdrawnAt: form["withdrawnAt"], reason: form["reason"])
            _ = try await ConsentWithdrawals(repositories: repositories).withdraw(
                input, enrolment: enrolment.value.id, expectedVersion: Int(form.typed("version")) ?? enrolment.version,
                id: Identifier(dependencies.ids.next()), now: dependencies.clock.now(), context: context.audit(user))
            return HTMLResponse.redirect(WebPath.participant(enrolment.value.participantID) + "#consent")
        }
    }

    func visibleEnrolment(_ context: AppRequestContext, user: UserAccount) async throws -> Versioned<Enrolment> {
        let id = Identifier<Enrolment>(try context.parameters.require("id"))
        let enrolment = try await repositories.enrolments.get(id)
        try Access.requireSite(user, enrolment.value.siteID, kind: "enrolment", id: id.rawValue)
        try Access.requireWriter(user)
        return enrolment
    }

    /// The upload form: multipart/form-data with `_csrf`, `title`, `witnessRequired`, `note` and the `file`.
    func upload(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let type = request.headers[.contentType], let boundary = MultipartForm.boundary(type) else {
            throw DomainError.invalidValue(field: "file", message: "the upload must be sent as multipart/form-data")
        }
        let body = try await request.body.collect(upTo: ConsentController.documentBodyLimit)
        let parts = MultipartForm.parse(Data(body.readableBytesView), boundary: boundary)
        let fields = Dictionary(parts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func text(_ name: String) -> String? { fields[name].flatMap { String(data: $0.data, encoding: .utf8) } }
        guard WebCSRF.matches(text("_csrf"), context.csrfToken) else { throw WebFlow.forgedForm }
        let user = try PageAccess.user(request, context)
        guard let file = fields["file"], let fileName = file.fileName, !fileName.isEmpty else {
            throw DomainError.invalidValue(field: "file", message: "choose the consent document file (PDF or plain text)")
        }
        let program = Identifier<Program>(try context.parameters.require("id"))
        _ = try await ConsentDocuments(repositories: repositories).issue(
            ConsentDocuments.Input(title: text("title") ?? "", fileName: fileName, content: file.data,
                                   witnessRequired: text("witnessRequired") == "yes", note: text("note")),
            program: program, id: Identifier(dependencies.ids.next()), at: dependencies.clock.now(), context: context.audit(user))
        return HTMLResponse.redirect(PageRoute.consentDocumentsPage.path(program.rawValue))
    }
}

enum ConsentPages {
    static func mayIssue(_ user: UserAccount) -> Bool { ConsentDocuments.issuerRoles.contains(user.role.rawValue) }

    static func documents(_ program: Program, _ documents: [Versioned<ConsentDocument>], mayIssue: Bool, context: AppRequestContext) -> Node {
        Layout.page(title: "Consent documents: \(program.name)", context: context) {
            el("h1") { "Consent documents: \(program.name)" }
            Layout.section("consent-documents", "Versions") {
                if documents.isEmpty {
                    Layout.empty("No consent document issued: enrolment in this program is not gated by consent.")
                } else {
                    el("table", ["id": "consent-document-table"]) {
                        el("thead") {
                            el("tr") {
                                el("th") { "Version" }; el("th") { "Title" }; el("th") { "File" }; el("th") { "SHA-256" }
                                el("th") { "Witness" }; el("th") { "Issued" }; el("th") { "Note" }
                            }
                        }
                        el("tbody") {
                            documents.reversed().map { stored in
                                let d = stored.value
                                return el("tr", ["class": "consent-document", "id": "consent-document-v\(d.documentVersion)"]) {
                                    el("td") { "v\(d.documentVersion)" + (stored.value.id == documents.last?.value.id ? " (current)" : " (superseded)") }
                                    el("td") { d.title }
                                    el("td") { el("a", ["href": PageRoute.consentDocumentFilePage.path(d.id.rawValue)]) { "\(d.fileName) (\(d.byteCount) bytes)" } }
                                    el("td") { el("code", ["class": "sha256"]) { d.sha256 } }
                                    el("td") { d.witnessRequired ? "required" : "not required" }
                                    el("td") { "\(DeviationText.instant(d.issuedAt)) by \(ActorText.describe(d.issuedBy))" }
                                    el("td") { d.note ?? "" }
                                }
                            }
                        }
                    }
                }
            }
            if mayIssue {
                Layout.section("issue-consent-document", "Issue a new version") {
                    el("p") {
                        "The new version supersedes the current one: every active participant consented on an older version gets a "
                            + "re-consent task on the dashboard, and enrolment needs a consent on the new version."
                    }
                    el("form", ["id": "consent-upload-form", "method": "post", "enctype": "multipart/form-data",
                                "action": PageRoute.consentDocumentsPage.path(program.id.rawValue)]) {
                        Forms.csrf(context)
                        Forms.input("title", label: "Title", state: FormState(), required: true)
                        el("div", ["class": "field"]) {
                            el("label", ["for": "file"]) { "File (PDF or plain text, at most 10 MB)" }
                            Node.element("input", ["id": "file", "name": "file", "type": "file", "accept": "application/pdf,text/plain,.pdf,.txt"],
                                         flags: ["required": true])
                        }
                        Forms.select("witnessRequired", label: "Witness", options: [("no", "not required"), ("yes", "required")], state: FormState())
                        Forms.textarea("note", label: "What changed (optional)", state: FormState())
                        Forms.submit("Issue version", id: "issue-consent-document")
                    }
                }
            }
        }
    }
}

/// A small multipart/form-data reader (RFC 7578) for the one upload form: parts with their name, file name
/// and bytes. Parts it cannot read are skipped (the form's checks then name what is missing).
enum MultipartForm {
    struct Part {
        var name: String
        var fileName: String?
        var data: Data
    }

    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces)
            if pair.lowercased().hasPrefix("boundary=") {
                let value = pair.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    static func parse(_ body: Data, boundary: String) -> [Part] {
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else { return [] }
        cursor = first.upperBound
        while let next = body.range(of: Data("\r\n".utf8) + delimiter, in: cursor..<body.endIndex) {
            let chunk = body[cursor..<next.lowerBound]
            cursor = next.upperBound
            // Skip the CRLF after the delimiter line.
            var start = chunk.startIndex
            if chunk.starts(with: Data("\r\n".utf8)) { start = chunk.index(start, offsetBy: 2) }
            guard let split = chunk.range(of: separator, in: start..<chunk.endIndex),
                  let head = String(data: chunk[start..<split.lowerBound], encoding: .utf8) else { continue }
            guard let disposition = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let name = parameter("name", in: String(disposition)) else { continue }
            parts.append(Part(name: name, fileName: parameter("filename", in: String(disposition)), data: Data(chunk[split.upperBound..<chunk.endIndex])))
        }
        return parts
    }

    /// `name="value"` in a Content-Disposition header (the last path component of a file name).
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix("\(key)=") else { continue }
            let value = String(pair.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return key == "filename" ? value.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? value : value
        }
        return nil
    }
}
