import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Record locking through the real API and the web app (issue #16 item 4, docs/locking.md): a casebook is locked
/// only when signed, by an investigator or admin; every write path to its data then answers 423 `locked` naming the
/// lock, with nothing written (API per record kind, and a web form); data queries stay open; unlocking needs an
/// admin and a reason, voids the signatures, and the same writes go through again.
@Suite("Record locks through the API and the web app")
struct LockAPITests {
    struct LockJSON: Decodable {
        var id: String; var kind: String; var targetID: String; var status: String; var lockedBy: String
        var unlockReason: String?; var voidedSignatures: Int?; var version: Int
    }

    static let lab = #"{"enrolmentID":"e-visit","code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":150,"unit":"mg/dL"}},"effective":"2025-12-30T09:00:00Z"}"#

    /// e-visit on treatment with visit month-1 and one observation o-api of it; returns the visit's and the observation's ids.
    static func casebook(_ h: WebHarness, _ client: some TestClientProtocol) async throws -> (visit: String, observation: String) {
        let enrolment = try await VisitAPITests.onTreatment(h, day0: CalendarDate("2025-10-01")!)
        let visit = try await client.execute(uri: "/api/v1/enrolments/\(enrolment.rawValue)/visits", method: .post, headers: h.headers(.coordinator),
                                             body: ByteBuffer(json: #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-02"}"#)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
        let observation = try await client.execute(uri: "/api/v1/participants/p-a/observations", method: .post, headers: h.headers(.coordinator),
                                                   body: ByteBuffer(json: lab)) { r in
            #expect(r.status == .created)
            return try decode(RecordJSON.self, r.body).id
        }
        return (visit, observation)
    }

    /// An investigator's valid signature on `target`, stored directly (the signing API is SIGN's and needs a password).
    static func sign(_ h: WebHarness, _ target: SignatureTarget) async throws {
        let repos = h.database.repositories
        _ = try await repos.signatures.create(
            ElectronicSignature(
                id: Identifier("sig-\(target.id)"), target: target, participantID: "p-a", enrolmentID: "e-visit",
                signer: Actor(userID: "u-investigator", role: "investigator"), signerUsername: "investigator", printedName: "Dr Investigator",
                meaning: .approval, signedAt: WebHarness.now, contentHash: try await repos.signatures.contentHash(of: target)),
            context: AuditContext(actor: Actor(userID: "u-investigator", role: "investigator"), requestID: "sign"))
    }

    static func post(
        _ h: WebHarness, _ client: some TestClientProtocol, _ uri: String, role: UserRole, body: String = "{}",
        ifMatch: String? = nil, method: HTTPRequest.Method = .post
    ) async throws -> (HTTPResponse.Status, ErrorJSON?) {
        try await client.execute(uri: uri, method: method, headers: h.headers(role, ifMatch: ifMatch), body: ByteBuffer(json: body)) { r in
            (r.status, decoded(ErrorJSON.self, r.body))
        }
    }

    @Test("lock: signed first (422), investigator or admin (403), once (409); unlock: admin (403) with a reason (422); 404 for another site")
    func lockRules() async throws {
        try await WebHarness.with { h, client in
            let (visit, _) = try await Self.casebook(h, client)
            let lock = "/api/v1/enrolments/e-visit/lock"
            var (status, error) = try await Self.post(h, client, lock, role: .investigator)
            #expect(status == .unprocessableContent)
            #expect(error?.error.code == "protocol_rule" && error?.error.details["rule"] == RecordLocking.signedFirstRule)
            try await Self.sign(h, SignatureTarget(kind: .casebook, id: "e-visit"))
            for role in [UserRole.coordinator, .monitor, .auditor, .dataManager] {
                (status, error) = try await Self.post(h, client, lock, role: role)
                #expect(status == .forbidden, "\(role)")
            }
            try await client.execute(uri: lock, method: .post, headers: h.headers(.investigator), body: ByteBuffer(json: #"{"reason":"casebook complete"}"#)) { r in
                #expect(r.status == .created)
                let json = try decode(LockJSON.self, r.body)
                #expect(json.kind == "casebook" && json.targetID == "e-visit" && json.status == "locked" && json.lockedBy == "u-investigator")
            }
            (status, error) = try await Self.post(h, client, lock, role: .admin)
            #expect(status == .conflict)
            // A visit of a locked casebook is locked with it.
            (status, error) = try await Self.post(h, client, "/api/v1/visits/\(visit)/lock", role: .investigator)
            #expect(status == .conflict)
            let unlock = "/api/v1/enrolments/e-visit/unlock"
            (status, error) = try await Self.post(h, client, unlock, role: .investigator, body: #"{"reason":"late lab"}"#)
            #expect(status == .forbidden)
            for body in ["{}", #"{"reason":"   "}"#] {
                (status, error) = try await Self.post(h, client, unlock, role: .admin, body: body)
                #expect(status == .unprocessableContent && error?.error.details["field"] == "reason", "\(body)")
            }
            #expect(try await h.database.repositories.locks.active(.casebook("e-visit")) != nil)
            // Another site's casebook: 404 (the admin sees every site, the investigator only site A).
            _ = try await h.database.repositories.enrolments.create(
                Enrolment(id: "e-b", participantID: "p-b", programID: "prog-1", siteID: "site-b"), context: WebHarness.setup, idempotencyKey: nil)
            (status, error) = try await Self.post(h, client, "/api/v1/enrolments/e-b/lock", role: .investigator)
            #expect(status == .notFound)
            (status, error) = try await Self.post(h, client, "/api/v1/enrolments/nope/lock", role: .investigator)
            #expect(status == .notFound)
        }
    }

    @Test("a locked casebook answers 423 on every API write path, names the lock, writes nothing; queries stay open; unlock voids the signature and reopens")
    func refusalsAndUnlock() async throws {
        try await WebHarness.with { h, client in
            let (visit, observation) = try await Self.casebook(h, client)
            try await Self.sign(h, SignatureTarget(kind: .casebook, id: "e-visit"))
            try await Self.sign(h, SignatureTarget(kind: .visit, id: visit))
            var (status, _) = try await Self.post(h, client, "/api/v1/enrolments/e-visit/lock", role: .investigator)
            #expect(status == .created)
            let audits = try await TreatmentLimitsAPITests.auditEntries(h)
            let enrolmentVersion = try await h.database.repositories.enrolments.get("e-visit").version
            let visitVersion = try await h.database.repositories.visits.get(Identifier(visit)).version
            let observationVersion = try await h.database.repositories.observations.get(Identifier(observation)).version
            let writes: [(String, String, String, String?, HTTPRequest.Method)] = [
                ("observation", "/api/v1/participants/p-a/observations", Self.lab, nil, .post),
                ("observation correction", "/api/v1/observations/\(observation)",
                 #"{"enrolmentID":"e-visit","code":{"system":"loinc","code":"2571-8"},"value":{"quantity":{"value":160,"unit":"mg/dL"}},"effective":"2025-12-30T09:00:00Z","reason":"typo"}"#,
                 "\"\(observationVersion)\"", .put),
                ("enrolment transition", "/api/v1/enrolments/e-visit/transitions", #"{"to":"follow-up","reason":"course done"}"#, "\"\(enrolmentVersion)\"", .post),
                ("new visit", "/api/v1/enrolments/e-visit/visits", #"{"visitKey":"month-2","status":"completed","actualDate":"2025-12-01"}"#, nil, .post),
                ("visit correction", "/api/v1/visits/\(visit)", #"{"visitKey":"month-1","status":"completed","actualDate":"2025-11-03","reason":"date typo"}"#,
                 "\"\(visitVersion)\"", .put),
                ("medication course", "/api/v1/participants/p-a/medication-courses",
                 TreatmentAPITests.course.replacingOccurrences(of: "e-iso", with: "e-visit"), nil, .post),
                ("adverse event", "/api/v1/participants/p-a/adverse-events",
                 #"{"enrolmentID":"e-visit","term":"Dry skin","grade":1,"onset":"2025-12-20"}"#, nil, .post),
            ]
            for (what, uri, body, ifMatch, method) in writes {
                let (status, error) = try await Self.post(h, client, uri, role: .investigator, body: body, ifMatch: ifMatch, method: method)
                #expect(status.code == 423, "\(what): \(status) \(error?.error.message ?? "")")
                #expect(error?.error.code == "locked", "\(what)")
                #expect(error?.error.message.contains("locked casebook e-visit") == true, "\(what): \(error?.error.message ?? "")")
            }
            #expect(try await TreatmentLimitsAPITests.auditEntries(h) == audits)
            // Not casebook data: a data query on the locked observation is raised.
            (status, _) = try await Self.post(h, client, "/api/v1/participants/p-a/queries", role: .monitor,
                                              body: #"{"recordKind":"observations","recordID":"\#(observation)","question":"Fasting?"}"#)
            #expect(status == .created)

            try await client.execute(uri: "/api/v1/enrolments/e-visit/unlock", method: .post, headers: h.headers(.admin),
                                     body: ByteBuffer(json: #"{"reason":"late laboratory value to enter"}"#)) { r in
                #expect(r.status == .ok)
                let json = try decode(LockJSON.self, r.body)
                #expect(json.status == "unlocked" && json.unlockReason == "late laboratory value to enter")
                #expect(json.voidedSignatures == 2)  // the casebook's and its (unlocked) visit's
            }
            let signatures = try await h.database.repositories.signatures.list(target: SignatureTarget(kind: .casebook, id: "e-visit"))
            #expect(signatures.map(\.value.status) == [.voided])
            (status, _) = try await Self.post(h, client, "/api/v1/participants/p-a/observations", role: .coordinator, body: Self.lab)
            #expect(status == .created)
            // Locked again only after a new signature.
            (status, _) = try await Self.post(h, client, "/api/v1/enrolments/e-visit/lock", role: .investigator)
            #expect(status == .unprocessableContent)
            try await client.execute(uri: "/api/v1/participants/p-a/locks", method: .get, headers: h.headers(.auditor)) { r in
                #expect(r.status == .ok)
                #expect(decoded([LockJSON].self, r.body)?.map(\.status) == ["unlocked"])
            }
        }
    }

    @Test("a visit lock refuses the visit's writes; it outlives a casebook unlock with its signature; unlocked on its own it voids the visit's signature")
    func visitLock() async throws {
        try await WebHarness.with { h, client in
            let (visit, _) = try await Self.casebook(h, client)
            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            #expect(try await investigator.get("/participants/p-a").html.contains("Sign it first to lock it."))
            try await Self.sign(h, SignatureTarget(kind: .visit, id: visit))
            var (status, error) = try await Self.post(h, client, "/api/v1/visits/\(visit)/lock", role: .investigator)
            #expect(status == .created)
            let version = try await h.database.repositories.visits.get(Identifier(visit)).version
            (status, error) = try await Self.post(h, client, "/api/v1/visits/\(visit)", role: .coordinator,
                                                  body: #"{"status":"completed","actualDate":"2025-11-03","reason":"date typo"}"#,
                                                  ifMatch: "\"\(version)\"", method: .put)
            #expect(status.code == 423 && error?.error.message.contains("locked visit \(visit)") == true, "\(error?.error.message ?? "")")
            // The rest of the casebook stays open.
            (status, _) = try await Self.post(h, client, "/api/v1/enrolments/e-visit/visits", role: .coordinator,
                                              body: #"{"visitKey":"month-2","status":"completed","actualDate":"2025-12-01"}"#)
            #expect(status == .created)
            try await Self.sign(h, SignatureTarget(kind: .casebook, id: "e-visit"))
            (status, _) = try await Self.post(h, client, "/api/v1/enrolments/e-visit/lock", role: .admin)
            #expect(status == .created)
            (status, error) = try await Self.post(h, client, "/api/v1/visits/\(visit)/unlock", role: .admin, body: #"{"reason":"x"}"#)
            #expect(status == .conflict && error?.error.message.contains("unlock the casebook first") == true)
            try await client.execute(uri: "/api/v1/enrolments/e-visit/unlock", method: .post, headers: h.headers(.admin),
                                     body: ByteBuffer(json: #"{"reason":"second visit to add"}"#)) { r in
                #expect(decoded(LockJSON.self, r.body)?.voidedSignatures == 1)  // the casebook's; the locked visit keeps its own
            }
            let visitSignatures = { try await h.database.repositories.signatures.list(target: SignatureTarget(kind: .visit, id: visit)).map(\.value.status) }
            #expect(try await visitSignatures() == [.valid])
            #expect(try await h.database.repositories.locks.active(.visit(Identifier(visit))) != nil)
            try await client.execute(uri: "/api/v1/visits/\(visit)/unlock", method: .post, headers: h.headers(.admin),
                                     body: ByteBuffer(json: #"{"reason":"visit date wrong"}"#)) { r in
                #expect(r.status == .ok)
                #expect(decoded(LockJSON.self, r.body)?.voidedSignatures == 1)
            }
            #expect(try await visitSignatures() == [.voided])
        }
    }

    @Test("web: lock from the participant page, a lab form on the locked casebook is 423 with the message, admin unlocks with a reason")
    func webForms() async throws {
        try await WebHarness.with { h, client in
            _ = try await Self.casebook(h, client)
            try await Self.sign(h, SignatureTarget(kind: .casebook, id: "e-visit"))
            var investigator = try await WebBrowser.signedIn(h, client, as: .investigator)
            var page = try await investigator.get("/participants/p-a")
            #expect(page.html.contains("id=\"lock-casebook-e-visit\""))
            let csrf = try #require(page.value("_csrf"))
            let locked = try await investigator.post("/enrolments/e-visit/lock", [("_csrf", csrf), ("next", "/participants/p-a")])
            #expect(locked.status == .seeOther)
            page = try await investigator.get("/participants/p-a")
            #expect(page.html.contains("Locked: locked"))
            #expect(!page.html.contains("unlock-form"))  // only an admin unlocks

            var coordinator = try await WebBrowser.signedIn(h, client, as: .coordinator)
            let before = try await h.database.repositories.observations.list(participant: "p-a").count
            let (_, result) = try await coordinator.submit("/participants/p-a/labs/new", [
                ("test", "alt"), ("value", "150"), ("unit", "U/L"), ("upperLimitOfNormal", "40"), ("effective", "2025-12-30"), ("enrolmentID", "e-visit"),
            ])
            #expect(result.status.code == 423)
            #expect(result.errorTitle == "This record is locked")
            #expect(result.html.contains("locked casebook e-visit"))
            #expect(try await h.database.repositories.observations.list(participant: "p-a").count == before)

            var admin = try await WebBrowser.signedIn(h, client, as: .admin)
            page = try await admin.get("/participants/p-a")
            #expect(page.html.contains("unlock-form"))
            let blank = try await admin.post("/enrolments/e-visit/unlock", [("_csrf", try #require(page.value("_csrf"))), ("reason", " "), ("next", "/participants/p-a")])
            #expect(blank.status == .unprocessableContent)
            page = try await admin.get("/participants/p-a")
            let unlocked = try await admin.post("/enrolments/e-visit/unlock", [
                ("_csrf", try #require(page.value("_csrf"))), ("reason", "late laboratory value"), ("next", "/participants/p-a"),
            ])
            #expect(unlocked.status == .seeOther)
            page = try await admin.get("/participants/p-a")
            #expect(page.html.contains("late laboratory value"))
            #expect(try await h.database.repositories.locks.active(.casebook("e-visit")) == nil)
        }
    }
}
