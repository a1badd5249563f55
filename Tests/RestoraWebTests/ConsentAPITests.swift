import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// E-consent over HTTP (issue #16 item 2, docs/consent.md): issuing and downloading versioned documents, recording
/// consents, the gate through the transition endpoint, withdrawals, re-consent tasks — with the refusals: wrong
/// role 403, another site's enrolment 404, malformed input 422 naming the field, stale version 409, nothing written.
@Suite("E-consent (API and pages)")
struct ConsentAPITests {
    struct DocumentJSON: Decodable { var id: String; var documentVersion: Int; var sha256: String; var byteCount: Int; var current: Bool; var url: String; var contentBase64: String? }
    struct ConsentJSON: Decodable { var documentVersion: Int; var signerName: String; var method: String; var witnessName: String? }
    struct WithdrawalJSON: Decodable {
        struct W: Decodable { var scope: String }
        struct E: Decodable { var status: String; var version: Int }
        var withdrawal: W; var enrolment: E
    }
    struct TaskJSON: Decodable { var participantID: String; var signedVersion: Int?; var currentVersion: Int }

    static let text = "Consent v1: you may withdraw at any time.\n"

    @discardableResult
    static func issue(_ h: WebHarness, _ client: any TestClientProtocol, body: String, as role: UserRole = .investigator,
                      expect: HTTPResponse.Status = .created) async throws -> DocumentJSON? {
        try await client.execute(uri: "/api/v1/programs/prog-1/consent-documents", method: .post, headers: h.headers(role), body: ByteBuffer(json: body)) { r in
            #expect(r.status == expect, "\(String(buffer: r.body))")
            return r.status == .created ? try decode(DocumentJSON.self, r.body) : nil
        }
    }

    static func documentBody(_ text: String = text, witness: Bool = false, name: String = "consent.txt") -> String {
        #"{"title":"Consent","fileName":"\#(name)","contentBase64":"\#(Data(text.utf8).base64EncodedString())","witnessRequired":\#(witness)}"#
    }

    @discardableResult
    static func consent(_ h: WebHarness, _ client: any TestClientProtocol, _ enrolment: String, body: String, as role: UserRole = .coordinator,
                        expect: HTTPResponse.Status) async throws -> ErrorJSON? {
        try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/consents", method: .post, headers: h.headers(role), body: ByteBuffer(json: body)) { r in
            #expect(r.status == expect, "\(String(buffer: r.body))")
            return r.status == .created ? nil : decoded(ErrorJSON.self, r.body)
        }
    }

    /// p-a's enrolment moved to eligible (version 3) through a real eligible screening.
    static func eligible(_ h: WebHarness, _ client: any TestClientProtocol) async throws -> String {
        let enrolment = try await EligibilityGateAPITests.screeningEnrolment(h, client)
        try await EligibilityGateAPITests.screen(h, enrolment, .eligible)
        try await EligibilityGateAPITests.move(h, client, enrolment, to: "eligible", version: 2, expect: .ok)
        return enrolment
    }

    @Test("documents: an investigator issues v1 and v2 (201, SHA-256), a coordinator is 403, a bad file 422 naming the field; download is byte for byte")
    func documents() async throws {
        try await WebHarness.with { h, client in
            let v1 = try #require(try await Self.issue(h, client, body: Self.documentBody()))
            #expect(v1.documentVersion == 1 && v1.current && v1.byteCount == Data(Self.text.utf8).count && v1.sha256.count == 64)
            try await Self.issue(h, client, body: Self.documentBody(), as: .coordinator, expect: .forbidden)
            try await Self.issue(h, client, body: Self.documentBody(), as: .monitor, expect: .forbidden)
            let bad = try await client.execute(uri: "/api/v1/programs/prog-1/consent-documents", method: .post, headers: h.headers(.investigator),
                                               body: ByteBuffer(json: #"{"title":"C","fileName":"c.txt","contentBase64":"%%%"}"#)) { r in
                #expect(r.status == .unprocessableContent)
                return decoded(ErrorJSON.self, r.body)
            }
            #expect(bad?.error.details["field"] == "contentBase64" || bad?.error.message.contains("contentBase64") == true)
            try await Self.issue(h, client, body: Self.documentBody(name: "../x.txt"), expect: .unprocessableContent)
            try await Self.issue(h, client, body: #"{"title":"C","fileName":"c.txt","contentBase64":"AAEC"}"#, expect: .unprocessableContent)
            let v2 = try #require(try await Self.issue(h, client, body: Self.documentBody("%PDF-1.4\nv2\n", witness: true, name: "v2.pdf")))
            #expect(v2.documentVersion == 2)
            let list = try await client.execute(uri: "/api/v1/programs/prog-1/consent-documents", method: .get, headers: h.headers(.monitor)) { r in
                try decode([DocumentJSON].self, r.body)
            }
            #expect(list.map(\.documentVersion) == [1, 2] && list.map(\.current) == [false, true])
            let read = try await client.execute(uri: v1.url, method: .get, headers: h.headers(.auditor)) { r in try decode(DocumentJSON.self, r.body) }
            #expect(read.contentBase64.flatMap { Data(base64Encoded: $0) } == Data(Self.text.utf8) && !read.current)
            try await client.execute(uri: "/api/v1/consent-documents/nope", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("the gate through the transition endpoint: no document → consent passes; with a document → 422 protocol_rule on `to` until a consent on the current version is recorded")
    func gate() async throws {
        try await WebHarness.with { h, client in
            // Not gated without a document (existing flows keep working).
            let free = try await Self.eligible(h, client)
            try await EligibilityGateAPITests.move(h, client, free, to: "consented", version: 3, expect: .ok)
            _ = try await Self.issue(h, client, body: Self.documentBody())
            try await EligibilityGateAPITests.move(h, client, free, to: "withdrawn", version: 4, expect: .ok)
        }
        try await WebHarness.with { h, client in
            _ = try await Self.issue(h, client, body: Self.documentBody())
            let enrolment = try await Self.eligible(h, client)
            let refused = try await EligibilityGateAPITests.move(h, client, enrolment, to: "consented", version: 3, expect: .unprocessableContent)
            #expect(refused?.error.code == "protocol_rule")
            #expect(refused?.error.message.contains("consent") == true)
            #expect(try await h.database.repositories.enrolments.get(Identifier(enrolment)).version == 3)
            // Malformed and refused consents: 422 naming the field; a monitor 403; p-b's enrolment is another site's: 404.
            for (body, field) in [(#"{"signerName":"","method":"in-person"}"#, "signerName"), (#"{"signerName":"Ana Lopez","method":"fax"}"#, "method"),
                                  (#"{"signerName":"Ana Lopez","method":"remote","signedAt":"2027-05-01T00:00:00Z"}"#, "signedAt"),
                                  (#"{"signerName":"Ana Lopez","method":"remote","documentVersion":4}"#, "documentVersion")] {
                let error = try await Self.consent(h, client, enrolment, body: body, expect: .unprocessableContent)
                #expect(error?.error.details["field"] == field || error?.error.message.contains(field) == true, "\(field): \(String(describing: error))")
            }
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"in-person"}"#, as: .monitor, expect: .forbidden)
            let other = try await ScreeningAPITests.enrol(h, client, participant: "p-b", as: .admin)
            try await Self.consent(h, client, other, body: #"{"signerName":"Ana Lopez","method":"in-person"}"#, expect: .notFound)
            try await client.execute(uri: "/api/v1/enrolments/\(other)/consents", method: .get, headers: h.headers(.coordinator)) { r in #expect(r.status == .notFound) }
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"in-person","signedAt":"2026-01-01T00:00:00Z"}"#, expect: .created)
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"in-person"}"#, expect: .conflict)
            let consents = try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/consents", method: .get, headers: h.headers(.monitor)) { r in
                try decode([ConsentJSON].self, r.body)
            }
            #expect(consents.map(\.signerName) == ["Ana Lopez"] && consents.map(\.documentVersion) == [1])
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "consented", version: 3, expect: .ok)
            // A new version: a re-consent task for p-a (site A), the move to enrolled refused until re-consent.
            _ = try await Self.issue(h, client, body: Self.documentBody("Consent v2\n", witness: true))
            let tasks = try await client.execute(uri: "/api/v1/consent-tasks", method: .get, headers: h.headers(.coordinator)) { r in try decode([TaskJSON].self, r.body) }
            #expect(tasks.count == 1 && tasks.first?.participantID == "p-a" && tasks.first?.signedVersion == 1 && tasks.first?.currentVersion == 2)
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "enrolled", version: 4, expect: .unprocessableContent)
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"remote"}"#, expect: .unprocessableContent)  // witness
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"remote","witnessName":"Eva Witness"}"#, expect: .created)
            let cleared = try await client.execute(uri: "/api/v1/consent-tasks", method: .get, headers: h.headers(.coordinator)) { r in
                try decode([TaskJSON].self, r.body)
            }
            #expect(cleared.isEmpty)
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "enrolled", version: 4, expect: .ok)
        }
    }

    @Test("withdrawal: If-Match required, stale 412 (the API's answer to a stale If-Match), bad scope 422, a monitor 403; follow-up withdraws the enrolment; a repeat 409")
    func withdrawal() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.issue(h, client, body: Self.documentBody())
            let enrolment = try await Self.eligible(h, client)
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"in-person"}"#, expect: .created)
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "consented", version: 3, expect: .ok)
            let uri = "/api/v1/enrolments/\(enrolment)/consent-withdrawals"
            func post(_ body: String, ifMatch: String?, as role: UserRole = .coordinator) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: uri, method: .post, headers: h.headers(role, ifMatch: ifMatch), body: ByteBuffer(json: body)) { r in (r.status, String(buffer: r.body)) }
            }
            #expect(try await post(#"{"scope":"follow-up"}"#, ifMatch: nil).0 == .preconditionRequired)
            #expect(try await post(#"{"scope":"follow-up"}"#, ifMatch: "\"3\"").0 == .preconditionFailed)  // stale: the API's 412
            #expect(try await post(#"{"scope":"all"}"#, ifMatch: "\"4\"").0 == .unprocessableContent)
            #expect(try await post(#"{"scope":"follow-up"}"#, ifMatch: "\"4\"", as: .monitor).0 == .forbidden)
            let (status, body) = try await post(#"{"scope":"follow-up","reason":"moving abroad"}"#, ifMatch: "\"4\"")
            #expect(status == .created)
            let outcome = try JSONDecoder().decode(WithdrawalJSON.self, from: Data(body.utf8))
            #expect(outcome.withdrawal.scope == "follow-up" && outcome.enrolment.status == "withdrawn")
            #expect(try await post(#"{"scope":"treatment"}"#, ifMatch: "\"\(outcome.enrolment.version)\"").0 == .conflict)
            let listed = try await client.execute(uri: uri, method: .get, headers: h.headers(.auditor)) { r in try decode([WithdrawalJSON.W].self, r.body) }
            #expect(listed.map(\.scope) == ["follow-up"])
        }
    }

    /// A multipart/form-data body as a browser sends the upload form.
    static func multipart(_ fields: [(String, String)], file: (name: String, bytes: String), boundary: String) -> String {
        var body = ""
        for (name, value) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: text/plain\r\n\r\n\(file.bytes)\r\n"
        return body + "--\(boundary)--\r\n"
    }

    @Test("pages: the upload form issues a version (multipart, CSRF checked), the file downloads as is, the participant page records a consent, the dashboard lists the re-consent task")
    func pages() async throws {
        try await WebHarness.with { h, client in
            var browser = try await WebBrowser.signedIn(h, client, as: .investigator)
            let empty = try await browser.get("/programs/prog-1/consent")
            #expect(empty.status == .ok && empty.html.contains("No consent document issued") && empty.html.contains("consent-upload-form"))
            let boundary = "----restora-test"
            func upload(_ csrf: String, text: String) async throws -> HTTPResponse.Status {
                let body = Self.multipart([("_csrf", csrf), ("title", "Consent"), ("witnessRequired", "no")], file: ("consent.txt", text), boundary: boundary)
                var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
                headers[.cookie] = browser.cookieHeader
                return try await client.execute(uri: "/programs/prog-1/consent", method: .post, headers: headers, body: ByteBuffer(string: body)) { $0.status }
            }
            #expect(try await upload("forged", text: Self.text) != .seeOther)
            #expect(try await h.database.repositories.consents.documents(program: "prog-1").isEmpty)
            #expect(try await upload(empty.value("_csrf") ?? "", text: Self.text) == .seeOther)
            let listed = try await browser.get("/programs/prog-1/consent")
            #expect(listed.html.contains("consent-document-v1") && listed.html.contains("(current)"))
            let document = try #require(try await h.database.repositories.consents.documents(program: "prog-1").first?.value)
            let file = try await client.execute(uri: "/consent-documents/\(document.id.rawValue)/file", method: .get,
                                                headers: [.cookie: browser.cookieHeader ?? ""]) { r in (r.status, String(buffer: r.body), r.headers[.contentType]) }
            #expect(file.0 == .ok && file.1 == Self.text && file.2 == "text/plain; charset=utf-8")
            // The participant page: the consent form on p-a's enrolment, posted; the state reads valid.
            let enrolment = try await Self.eligible(h, client)
            let page = try await browser.get("/participants/p-a")
            #expect(page.html.contains("id=\"consent-form-\(enrolment)\"") && page.html.contains("data-state=\"missing\""))
            let posted = try await browser.post("/enrolments/\(enrolment)/consent", [
                ("_csrf", page.value("_csrf") ?? ""), ("_nonce", "n-1"), ("documentVersion", "1"), ("signerName", "Ana Lopez"),
                ("signedAt", "2026-01-01T00:00"), ("method", "in-person"),
            ])
            #expect(posted.status == .seeOther)
            #expect(try await browser.get("/participants/p-a").html.contains("data-state=\"valid\""))
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "consented", version: 3, expect: .ok)
            // A second version: the dashboard's re-consent task for p-a.
            let again = try await browser.get("/programs/prog-1/consent")
            #expect(try await upload(again.value("_csrf") ?? "", text: "Consent v2\n") == .seeOther)
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.html.contains("reconsent-tasks") && dashboard.html.contains("signed v1, current v2"))
            // A coordinator sees no upload form; a monitor cannot post a consent.
            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            #expect(!(try await coordinator.get("/programs/prog-1/consent").html.contains("consent-upload-form")))
            var monitor = try await WebBrowser.signedIn(h, client, as: .monitor)
            let monitorPage = try await monitor.get("/participants/p-a")
            let refused = try await monitor.post("/enrolments/\(enrolment)/consent", [("_csrf", monitorPage.value("_csrf") ?? ""), ("signerName", "X"), ("method", "remote")])
            #expect(refused.status == .forbidden)
        }
    }
}
