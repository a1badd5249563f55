import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

struct SignatureResponseJSON: Decodable {
    var id: String
    var recordKind: String
    var recordID: String
    var printedName: String
    var meaning: String
    var statement: String
    var signedAt: String
    var contentHash: String
    var status: String
    var voidReason: String?
}

/// Electronic signatures over the API (issue #16 item 3, docs/signatures.md; REFERENCE.md H1).
@Suite("Electronic signatures over the API")
struct SignatureAPITests {
    static let password = "correct horse battery staple"

    /// An investigator of site A with a password and a printed name, and its bearer token.
    static func signer(_ h: WebHarness, username: String = "dr-varga", fullName: String? = "Dr Ines Varga") async throws -> HTTPFields {
        let repos = h.database.repositories
        let user = UserAccount(id: Identifier("u-\(username)"), username: username, role: .investigator, siteIDs: ["site-a"], fullName: fullName)
        _ = try await repos.users.create(user, password: password, context: WebHarness.setup)
        let token = try await repos.users.issueToken(username: username, expiresAt: nil, context: WebHarness.setup)
        return [.contentType: "application/json", .authorization: "Bearer \(token)"]
    }

    static func sign(
        _ client: any TestClientProtocol, _ path: String, _ headers: HTTPFields, meaning: String = "approval", password: String = password
    ) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: "/api/v1/\(path)/signatures", method: .post, headers: headers,
                                 body: ByteBuffer(json: #"{"meaning":"\#(meaning)","password":"\#(password)"}"#)) { r in
            (r.status, String(buffer: r.body))
        }
    }

    static func list(_ client: any TestClientProtocol, _ path: String, _ headers: HTTPFields) async throws -> [SignatureResponseJSON] {
        try await client.execute(uri: "/api/v1/\(path)/signatures", method: .get, headers: headers) { r in
            #expect(r.status == .ok)
            return try decode([SignatureResponseJSON].self, r.body)
        }
    }

    @Test("an investigator signs a casebook: 201 with printed name, UTC time, meaning and hash; a later change invalidates it; a new signature is valid")
    func casebookSignedThenInvalidated() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let path = "enrolments/\(enrolment.rawValue)"
            let (status, body) = try await Self.sign(client, path, signer)
            #expect(status == .created, "\(body)")
            let signed = try JSONDecoder().decode(SignatureResponseJSON.self, from: Data(body.utf8))
            #expect(signed.printedName == "Dr Ines Varga")
            #expect(signed.meaning == "approval" && signed.statement == "I approve this record")
            #expect(signed.signedAt == "2026-01-01T00:00:00Z")
            #expect(signed.contentHash.count == 64 && signed.status == "valid")
            #expect(try await Self.list(client, path, h.headers(.monitor)).map(\.status) == ["valid"])
            let target = SignatureTarget(kind: .casebook, id: enrolment.rawValue)
            let repos = h.database.repositories
            #expect(try await Signing(repositories: repos).hasValidSignature(target, in: repos))
            // A visit recorded afterwards is part of the casebook: the signature no longer vouches for it.
            try await client.execute(uri: "/api/v1/\(path)/visits", method: .post, headers: h.headers(.coordinator),
                                     body: ByteBuffer(json: #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-02"}"#)) { r in
                #expect(r.status == .created)
            }
            #expect(try await Self.list(client, path, signer).map(\.status) == ["invalidated"])
            #expect(try await !Signing(repositories: repos).hasValidSignature(target, in: repos))
            // Signing again covers the new content.
            #expect(try await Self.sign(client, path, signer).0 == .created)
            // (Both carry the harness's fixed clock time, so their order is the ids'.)
            #expect(try await Self.list(client, path, signer).map(\.status).sorted() == ["invalidated", "valid"])
            // The same meaning again while valid: 409.
            #expect(try await Self.sign(client, path, signer).0 == .conflict)
        }
    }

    @Test("a visit's signature is invalidated by a correction of the visit; the record's audit shows the signing")
    func visitSignatureInvalidatedByCorrection() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let visit = try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                                 body: ByteBuffer(json: #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-02"}"#)) { r in
                try decode(RecordJSON.self, r.body).id
            }
            #expect(try await Self.sign(client, "visits/\(visit)", signer, meaning: "review").0 == .created)
            #expect(try await Self.list(client, "visits/\(visit)", signer).map(\.status) == ["valid"])
            try await client.execute(uri: "/api/v1/visits/\(visit)", method: .put, headers: h.headers(.coordinator, ifMatch: "\"1\""),
                                     body: ByteBuffer(json: #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-03","reason":"date typo"}"#)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
            }
            #expect(try await Self.list(client, "visits/\(visit)", signer).map(\.status) == ["invalidated"])
        }
    }

    @Test("a wrong password is 422 naming password, a security event, and nothing signed; an empty one is 422 too")
    func wrongPassword() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let path = "enrolments/\(enrolment.rawValue)"
            for wrong in ["not my password", ""] {
                let (status, body) = try await Self.sign(client, path, signer, password: wrong)
                #expect(status == .unprocessableContent)
                let error = try JSONDecoder().decode(ErrorJSON.self, from: Data(body.utf8)).error
                #expect(error.details["field"] == "password")
                #expect(error.message.contains("password"))
            }
            #expect(try await Self.list(client, path, signer).isEmpty)
            let events = try await h.database.repositories.audit.history(table: SecurityEvent.table, recordID: "account:u-dr-varga")
            #expect(events.count == 1)  // the empty password is refused before any check
            #expect(!events.description.contains("not my password"))
        }
    }

    @Test("wrong signing passwords count against the sign-in limits: the sixth attempt is 429 with Retry-After, unchecked, and sign-in for the account is paused too")
    func signingPasswordsAreThrottled() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let path = "enrolments/\(enrolment.rawValue)"
            // An empty password guesses nothing and is not counted.
            #expect(try await Self.sign(client, path, signer, password: "").0 == .unprocessableContent)
            for attempt in 1...SignInThrottlePolicy().maxFailuresPerAccount {
                #expect(try await Self.sign(client, path, signer, password: "guess \(attempt)").0 == .unprocessableContent)
            }
            // Locked out: even the right password is not checked, and nothing is signed.
            try await client.execute(uri: "/api/v1/\(path)/signatures", method: .post, headers: signer,
                                     body: ByteBuffer(json: #"{"meaning":"approval","password":"\#(Self.password)"}"#)) { r in
                #expect(r.status == .tooManyRequests)
                #expect(Int(r.headers[HTTPField.Name("Retry-After")!] ?? "") ?? 0 > 0)
                #expect(String(buffer: r.body).contains("too_many_attempts"))
            }
            #expect(try await Self.list(client, path, signer).isEmpty)
            try await client.execute(uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(json: #"{"username":"dr-varga","password":"\#(Self.password)"}"#)) { r in
                #expect(r.status == .tooManyRequests)
            }
            let lockouts = try await h.database.repositories.audit.history(table: SecurityEvent.table, recordID: "account:u-dr-varga")
            #expect(lockouts.count == SignInThrottlePolicy().maxFailuresPerAccount + 1)  // each wrong password, and the lock-out
        }
    }

    @Test("coordinator, monitor and admin are refused (403); another site's record is 404; an unknown one 404; nothing written")
    func refusals() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            for role in [UserRole.coordinator, .monitor, .admin, .dataManager] {
                #expect(try await Self.sign(client, "enrolments/\(enrolment.rawValue)", h.headers(role)).0 == .forbidden, "\(role)")
            }
            let other = try await h.database.repositories.enrolments.create(
                Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b"), context: WebHarness.setup, idempotencyKey: nil)
            let signer = try await Self.signer(h, username: "dr-two")
            #expect(try await Self.sign(client, "enrolments/\(other.value.id.rawValue)", signer).0 == .notFound)
            #expect(try await Self.sign(client, "visits/no-such-visit", signer).0 == .notFound)
            try await client.execute(uri: "/api/v1/enrolments/e-b/signatures", method: .get, headers: signer) { r in #expect(r.status == .notFound) }
            #expect(try await h.database.repositories.signatures.list(participant: "p-a").isEmpty)
            #expect(try await h.database.repositories.signatures.list(participant: "p-b").isEmpty)
        }
    }

    @Test("malformed input: an unknown meaning or a missing password is 400; a signer without a printed name is 422 naming fullName")
    func malformed() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let path = "/api/v1/enrolments/\(enrolment.rawValue)/signatures"
            for body in [#"{"meaning":"endorsement","password":"x"}"#, #"{"meaning":"review"}"#, "not json"] {
                try await client.execute(uri: path, method: .post, headers: signer, body: ByteBuffer(json: body)) { r in
                    #expect(r.status == .badRequest, "\(body)")
                }
            }
            let nameless = try await Self.signer(h, username: "dr-nameless", fullName: nil)
            let (status, body) = try await Self.sign(client, "enrolments/\(enrolment.rawValue)", nameless)
            #expect(status == .unprocessableContent)
            #expect(body.contains("fullName"))
            #expect(try await h.database.repositories.signatures.list(participant: "p-a").isEmpty)
        }
    }

    @Test("voiding (record locking's unlock) marks every signature of the target voided with the reason, audited; a second void finds none")
    func voiding() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
            let path = "enrolments/\(enrolment.rawValue)"
            #expect(try await Self.sign(client, path, signer, meaning: "review").0 == .created)
            #expect(try await Self.sign(client, path, signer, meaning: "responsibility").0 == .created)
            let repos = h.database.repositories
            let target = SignatureTarget(kind: .casebook, id: enrolment.rawValue)
            let admin = AuditContext(actor: Actor(userID: "u-admin", role: "admin"), requestID: "unlock")
            await #expect(throws: DomainError.self) { try await repos.signatures.void(target: target, reason: "  ", context: admin) }
            #expect(try await repos.transaction { tx in try await tx.signatures.void(target: target, reason: "unlocked to correct a date", context: admin) } == 2)
            let listed = try await Self.list(client, path, signer)
            #expect(listed.map(\.status) == ["voided", "voided"])
            #expect(listed.allSatisfy { $0.voidReason == "unlocked to correct a date" })
            #expect(try await repos.signatures.void(target: target, reason: "again", context: admin) == 0)
            #expect(try await !Signing(repositories: repos).hasValidSignature(target, in: repos))
            let history = try await repos.audit.history(table: "electronic_signatures", recordID: listed[0].id)
            #expect(history.count == 2)
        }
    }

    @Test("a release decision (cell product) and an eligibility decision (screening) are signed and listed")
    func releaseAndEligibility() async throws {
        try await WebHarness.with { h, client in
            let signer = try await Self.signer(h)
            let lot = try await ReleaseDecisionAPITests.product(h, client, lot: "LOT-SIGN")
            #expect(try await Self.sign(client, "cell-products/\(lot)", signer).0 == .created)
            #expect(try await Self.list(client, "cell-products/\(lot)", signer).map(\.recordKind) == ["cell-products"])
            let enrolment = try await ScreeningAPITests.enrol(h, client)
            let screening = try await client.execute(uri: "/api/v1/enrolments/\(enrolment)/screenings", method: .post,
                                                     headers: h.headers(.coordinator), body: ByteBuffer(json: #"{"on":"2025-12-15"}"#)) { r in
                try decode(RecordJSON.self, r.body).id
            }
            #expect(try await Self.sign(client, "screenings/\(screening)", signer, meaning: "approval").0 == .created)
            #expect(try await Self.list(client, "screenings/\(screening)", signer).map(\.status) == ["valid"])
            // A custody step changes the lot's content: its release signature is invalidated.
            _ = try await ReleaseDecisionAPITests.decide(h, client, lot, .investigator)
            #expect(try await Self.list(client, "cell-products/\(lot)", signer).map(\.status) == ["invalidated"])
        }
    }
}
