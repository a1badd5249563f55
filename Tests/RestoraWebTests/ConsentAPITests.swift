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
    struct DocumentJSON: Decodable { var id: String; var documentVersion: Int; var sha256: String; var byteCount: Int; var current: Bool; var contentURL: String }
    struct PictureJSON: Decodable {
        struct Consent: Decodable { var documentVersion: Int; var signerName: String; var method: String; var witnessName: String? }
        var state: String; var currentDocumentVersion: Int?; var consents: [Consent]
    }
    struct WithdrawalJSON: Decodable {
        struct W: Decodable { var scope: String }
        struct E: Decodable { var status: String; var version: Int }
        var withdrawal: W; var enrolment: E
    }
    struct TasksJSON: Decodable { struct T: Decodable { var participantID: String; var signedVersion: Int?; var currentVersion: Int }; var tasks: [T]; var total: Int }

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
            try await client.execute(uri: v1.contentURL, method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok && String(buffer: r.body) == Self.text)
                #expect(r.headers[.contentType] == "text/plain; charset=utf-8")
            }
            try await client.execute(uri: "/api/v1/consent-documents/nope/content", method: .get, headers: h.headers(.auditor)) { r in
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
            let picture = try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/consents", method: .get, headers: h.headers(.monitor)) { r in
                try decode(PictureJSON.self, r.body)
            }
            #expect(picture.state == "valid" && picture.consents.map(\.signerName) == ["Ana Lopez"] && picture.currentDocumentVersion == 1)
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "consented", version: 3, expect: .ok)
            // A new version: a re-consent task for p-a (site A), the move to enrolled refused until re-consent.
            _ = try await Self.issue(h, client, body: Self.documentBody("Consent v2\n", witness: true))
            let tasks = try await client.execute(uri: "/api/v1/consent-tasks", method: .get, headers: h.headers(.coordinator)) { r in try decode(TasksJSON.self, r.body) }
            #expect(tasks.total == 1 && tasks.tasks.first?.participantID == "p-a" && tasks.tasks.first?.signedVersion == 1 && tasks.tasks.first?.currentVersion == 2)
            try await EligibilityGateAPITests.move(h, client, enrolment, to: "enrolled", version: 4, expect: .unprocessableContent)
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"remote"}"#, expect: .unprocessableContent)  // witness
            try await Self.consent(h, client, enrolment, body: #"{"signerName":"Ana Lopez","method":"remote","witnessName":"Eva Witness"}"#, expect: .created)
            let cleared = try await client.execute(uri: "/api/v1/consent-tasks", method: .get, headers: h.headers(.coordinator)) { r in
                try decode(TasksJSON.self, r.body)
            }
            #expect(cleared.total == 0)
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
            #expect(try await h.database.repositories.consents.withdrawals(enrolment: Identifier(enrolment)).count == 1)
        }
    }
}
